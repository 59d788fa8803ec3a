/**
 * Word indices of the control block at the start of the kernels' memory (Int32, alpha/beta as Float32 bits):
 * the job a synchronous matmul shares with helper threads. Kept in its own file because the helper's
 * source text (worker-source.ts) embeds it.
 */
export const CTL = {
  /** Job generation: bumped to start a job; helpers sleep on it. */
  gen: 0,
  /** Last generation the main thread has closed: a helper waking later must not read its (stale) params. */
  closed: 1,
  /** Helpers currently inside a job: the main thread waits for 0 before it writes the next job. */
  active: 2,
  /** Next chunk to claim, chunks finished, chunks in the job. */
  next: 3,
  done: 4,
  total: 5,
  /** Non-zero: helpers exit. */
  quit: 6,
  /** Chunks computed by helpers since the memory was made (a statistic for tests and benches). */
  helped: 7,
  chunk: 8,
  m: 9,
  n: 10,
  k: 11,
  a: 12,
  sai: 13,
  sap: 14,
  b: 15,
  ldb: 16,
  c: 17,
  ldc: 18,
  alpha: 19,
  beta: 20,
  /** Words in the block (the scratch operands start after it, 16-byte aligned). */
  words: 32,
} as const;
