/**
 * Word indices of the control block at the start of the kernels' memory (Int32, alpha/beta as Float32 bits):
 * the job a synchronous matmul shares with helper threads. Kept in its own file because the helper's
 * source text (worker-source.ts) embeds it.
 */
export const CTL = {
  /** Job generation: bumped to start a job; helpers sleep on it. */
  gen: 0,
  /** (job id = generation mod 2¹⁵) · 65536 + next chunk to claim: helpers claim by compareExchange on it. */
  ticket: 1,
  /** Chunks finished, chunks in the job. */
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
