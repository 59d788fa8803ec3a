/**
 * The CPU backend's fast matmul: WebAssembly SIMD kernels (kernels.gen.ts, from scripts/gen-wasm.mjs) on a
 * scratch WebAssembly.Memory, optionally shared with helper threads that take row chunks of C.
 *
 * Operands are copied into the memory and C copied back (storages stay plain typed arrays: see
 * docs/cpu-backend.md for the measured cost and why zero-copy was not worth a heap allocator).
 *
 * Determinism: every element of C is Σ_p fl(a·b) in f32 from p = 0 upwards, then alpha·acc + beta·c, computed
 * whole by whichever thread took its row; no tile shape or thread count changes the operations, so results
 * are bit-identical for any number of threads (tested in wasm-matmul.test.ts).
 *
 * Threads: a synchronous call cannot await, so the main thread publishes the job in the control block,
 * wakes the helpers with Atomics.notify, claims chunks itself from the same atomic ticket, and sleeps in
 * Atomics.wait until every chunk is done. Helpers claim with compareExchange on a ticket that names the
 * job, so a helper that wakes late (or is still starting) cannot claim a chunk of a finished job, and the
 * call never waits for a helper that has not claimed anything.
 */
import type { MatmulArgs } from '../matmul.ts';
import { CTL } from './control.ts';
import { KERNELS_SHARED_WASM, KERNELS_WASM, WASM_MAX_PAGES } from './kernels.gen.ts';
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from './worker-source.ts';

type MmFn = (
  i0: number,
  i1: number,
  n: number,
  k: number,
  a: number,
  sai: number,
  sap: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  alpha: number,
  beta: number,
) => void;
type TransposeFn = (src: number, ld: number, rows: number, cols: number, dst: number) => void;

/** Below this many multiply-adds a job is not split: waking a helper costs tens of microseconds. */
const THREAD_MIN_MACS = 1 << 19;
const PAGE = 65536;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The ticket word holds job id · TICKET_JOB + next chunk: a claim is valid only for the job it names. */
const TICKET_JOB = 65536;
const JOB_MASK = 0x7fff;
const MAX_CHUNKS = 32767;

const instances = new Map<number, WasmMatmul | undefined>();

const align16 = (x: number): number => (x + 15) & ~15;

/** What a started helper offers: a way to stop it. */
interface Helper {
  terminate(): unknown;
}

/** Options of the fast matmul. */
export interface WasmMatmulOptions {
  /** Threads in all, the calling one included (1 = no helpers; undefined = the hardware's, at most 8). */
  readonly threads?: number;
  /** Rows per chunk a thread claims (default: about 4 chunks per thread, a multiple of 4). For tests. */
  readonly chunkRows?: number;
}

/** Whether helper threads can share memory here: SharedArrayBuffer, and Atomics.wait on this thread. */
function canShare(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  // A page's main thread may not block in Atomics.wait; the engine runs there only in tests.
  if (g.document !== undefined) return false;
  return g.crossOriginIsolated !== false;
}

/** The kernels and their memory; CPU backends share one per process and thread count (see shared()). */
export class WasmMatmul {
  /** Whether the memory is shared (helper threads possible). */
  readonly shared: boolean;
  private readonly memory: WebAssembly.Memory;
  private readonly mm: MmFn;
  private readonly transpose: TransposeFn;
  private readonly ctl: Int32Array;
  private readonly ctlF: Float32Array;
  private f32: Float32Array;
  private readonly helpers: Helper[] = [];
  private started: Promise<number> | undefined;
  private readonly threads: number | undefined;
  private readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly chunkRows: number | undefined;
  private disposed = false;
  private blobUrl: string | undefined;

  /** undefined where WebAssembly or its SIMD is missing (the caller keeps the TypeScript loops). */
  static create(options: WasmMatmulOptions): WasmMatmul | undefined {
    if (typeof WebAssembly !== 'object') return undefined;
    for (const shared of options.threads !== 1 && canShare() ? [true, false] : [false]) {
      const bytes = decode(shared ? KERNELS_SHARED_WASM : KERNELS_WASM);
      if (!WebAssembly.validate(bytes)) continue;
      let memory: WebAssembly.Memory;
      try {
        memory = new WebAssembly.Memory({ initial: 16, maximum: WASM_MAX_PAGES, shared });
      } catch (e) {
        // A shared memory reserves its maximum up front; where address space is short, go without threads.
        if (e instanceof RangeError) continue;
        throw e;
      }
      return new WasmMatmul(options, memory, shared, bytes);
    }
    return undefined;
  }

  /**
   * The process-wide instance for a thread count (undefined: the hardware's), made on first use. CPU
   * backends share it: their calls are synchronous on one thread, so they never overlap, and a test
   * file that makes a hundred backends does not start a hundred helper threads. It lives as long as the
   * process (its helpers do not keep it alive).
   */
  static shared(threads: number | undefined): WasmMatmul | undefined {
    const key = threads ?? 0;
    if (!instances.has(key)) instances.set(key, WasmMatmul.create({ threads }));
    return instances.get(key);
  }

  private constructor(
    options: WasmMatmulOptions,
    memory: WebAssembly.Memory,
    shared: boolean,
    bytes: Uint8Array<ArrayBuffer>,
  ) {
    this.shared = shared;
    this.chunkRows = options.chunkRows;
    this.memory = memory;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } });
    this.mm = inst.exports.mm as MmFn;
    this.transpose = inst.exports.transpose as TransposeFn;
    this.ctl = new Int32Array(this.memory.buffer, 0, CTL.words);
    this.ctlF = new Float32Array(this.memory.buffer, 0, CTL.words);
    this.f32 = new Float32Array(this.memory.buffer);
    this.threads = options.threads;
    this.bytes = bytes;
  }

  /**
   * Starts the helper threads if they are not (they start on the first matmul large enough to split, so a
   * process that never needs them never pays for them); resolves, once they are up and waiting, to the
   * number that started (0 without shared memory).
   */
  helpersReady(): Promise<number> {
    // A platform that cannot start threads (no worker support) leaves the work on the calling thread.
    this.started ??= this.shared ? this.startHelpers(this.threads, this.bytes).catch(() => 0) : Promise.resolve(0);
    return this.started;
  }

  /** Row chunks computed by helper threads so far (a statistic for tests and benches). */
  helpedChunks(): number {
    return Atomics.load(this.ctl, CTL.helped);
  }

  /**
   * C = alpha·op(A)·op(B) + beta·C for f32 arrays. Returns false (nothing done) when the operands do not
   * fit the memory or k = 0; the caller then runs the TypeScript loops.
   */
  run(args: MatmulArgs): boolean {
    const { layout, m, n, k, lda, ldb, ldc, alpha, beta } = args;
    if (m === 0 || n === 0) return true;
    if (k === 0) return false;
    const spanA = layout === 'tn' ? (k - 1) * lda + m : (m - 1) * lda + k;
    const spanB = layout === 'nt' ? (n - 1) * ldb + k : (k - 1) * ldb + n;
    const spanC = (m - 1) * ldc + n;
    const aPtr = CTL.words * 4;
    const bPtr = align16(aPtr + 4 * spanA);
    const tPtr = align16(bPtr + 4 * spanB);
    const cPtr = layout === 'nt' ? align16(tPtr + 4 * k * n) : tPtr;
    const end = cPtr + 4 * spanC;
    if (!this.ensure(end)) return false;
    const f = this.f32;
    f.set(args.a.subarray(args.aOff, args.aOff + spanA), aPtr >> 2);
    f.set(args.b.subarray(args.bOff, args.bOff + spanB), bPtr >> 2);
    // C's whole span goes in and out, so the columns between its rows (ldc > n) come back unchanged.
    f.set(args.c.subarray(args.cOff, args.cOff + spanC), cPtr >> 2);
    let b = bPtr;
    let ldbK = ldb;
    if (layout === 'nt') {
      this.transpose(bPtr, ldb, n, k, tPtr);
      b = tPtr;
      ldbK = n;
    }
    const [sai, sap] = layout === 'tn' ? [1, lda] : [lda, 1];
    this.dispatch(m, n, k, aPtr, sai, sap, b, ldbK, cPtr, ldc, alpha, beta);
    args.c.set(f.subarray(cPtr >> 2, (cPtr >> 2) + spanC), args.cOff);
    return true;
  }

  /** Stops the helpers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.shared) {
      Atomics.store(this.ctl, CTL.quit, 1);
      Atomics.add(this.ctl, CTL.gen, 1);
      Atomics.notify(this.ctl, CTL.gen);
    }
    for (const h of this.helpers) void h.terminate();
    this.helpers.length = 0;
    if (this.blobUrl !== undefined) URL.revokeObjectURL(this.blobUrl);
  }

  private ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > WASM_MAX_PAGES) return false;
    this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
    return true;
  }

  private dispatch(
    m: number,
    n: number,
    k: number,
    a: number,
    sai: number,
    sap: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    alpha: number,
    beta: number,
  ): void {
    const split = m * n * k >= THREAD_MIN_MACS && m >= 8;
    if (split && this.started === undefined) void this.helpersReady();
    if (this.helpers.length === 0 || !split) {
      this.mm(0, m, n, k, a, sai, sap, b, ldb, c, ldc, alpha, beta);
      return;
    }
    const ctl = this.ctl;
    const threads = this.helpers.length + 1;
    // At most MAX_CHUNKS chunks: the chunk index shares the ticket word with the job id.
    const chunk = Math.max(this.chunkRows ?? Math.ceil(m / (4 * threads) / 4) * 4, Math.ceil(m / MAX_CHUNKS), 1);
    const total = Math.ceil(m / chunk);
    const words: [number, number][] = [
      [CTL.chunk, chunk],
      [CTL.m, m],
      [CTL.n, n],
      [CTL.k, k],
      [CTL.a, a],
      [CTL.sai, sai],
      [CTL.sap, sap],
      [CTL.b, b],
      [CTL.ldb, ldb],
      [CTL.c, c],
      [CTL.ldc, ldc],
      [CTL.total, total],
      [CTL.done, 0],
    ];
    for (const [at, v] of words) ctl[at] = v;
    this.ctlF[CTL.alpha] = alpha;
    this.ctlF[CTL.beta] = beta;
    // Publish the job: the ticket (job id, next chunk = 0) first, so that a helper woken by the generation
    // bump finds it; a helper's successful claim on this ticket also makes the words above visible to it.
    const job = (Atomics.load(ctl, CTL.gen) + 1) & JOB_MASK;
    Atomics.store(ctl, CTL.ticket, job * TICKET_JOB);
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
    for (;;) {
      const t = Atomics.add(ctl, CTL.ticket, 1) % TICKET_JOB;
      if (t >= total) break;
      const i0 = t * chunk;
      this.mm(i0, Math.min(m, i0 + chunk), n, k, a, sai, sap, b, ldb, c, ldc, alpha, beta);
      Atomics.add(ctl, CTL.done, 1);
    }
    // Only chunks a helper has claimed can be outstanding; the job's words stay untouched until they are done.
    for (let d = Atomics.load(ctl, CTL.done); d < total; d = Atomics.load(ctl, CTL.done)) {
      Atomics.wait(ctl, CTL.done, d);
    }
  }

  private async startHelpers(threads: number | undefined, bytes: Uint8Array<ArrayBuffer>): Promise<number> {
    const memory = this.memory;
    // Each helper reports once it is instantiated and waiting. A nested Web Worker boots only while its
    // parent's event loop turns, so a caller that awaits this knows the helpers can take part at once.
    const booted: Promise<boolean>[] = [];
    const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
    if (proc?.versions?.node !== undefined) {
      // Variable specifiers keep bundlers from resolving Node built-ins for the browser build.
      const [wtSpec, osSpec] = ['node:worker_threads', 'node:os'];
      const wt = (await import(/* @vite-ignore */ wtSpec)) as typeof import('node:worker_threads');
      const os = (await import(/* @vite-ignore */ osSpec)) as typeof import('node:os');
      const count = (threads ?? Math.min(8, os.availableParallelism())) - 1;
      for (let i = 0; i < count && !this.disposed; i++) {
        const w = new wt.Worker(NODE_WORKER_SOURCE, { eval: true, workerData: { memory, bytes } });
        // Helpers sleep in Atomics.wait between jobs; they must not keep a CLI or test process alive.
        w.unref();
        // A helper fails only while it starts (before it claims a chunk); the others carry on without it.
        booted.push(
          new Promise((resolve) => {
            w.once('message', () => resolve(true));
            w.once('error', () => resolve(false));
          }),
        );
        this.helpers.push(w);
      }
    } else if (typeof Worker === 'function') {
      const count = (threads ?? Math.min(8, navigator.hardwareConcurrency || 1)) - 1;
      const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
      this.blobUrl = url;
      for (let i = 0; i < count && !this.disposed; i++) {
        const w = new Worker(url);
        booted.push(
          new Promise((resolve) => {
            w.onmessage = () => resolve(true);
            w.onerror = () => resolve(false);
          }),
        );
        w.postMessage({ memory, bytes });
        this.helpers.push(w);
      }
    }
    if (this.disposed) {
      // dispose() ran while the Node module was loading: stop what started since.
      for (const h of this.helpers) void h.terminate();
      this.helpers.length = 0;
    }
    return (await Promise.all(booted)).filter(Boolean).length;
  }
}
