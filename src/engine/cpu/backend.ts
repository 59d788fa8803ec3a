/**
 * The CPU reference backend: typed-array storages and plain-loop kernels (one file per kernel family,
 * mirroring shaders/*.wgsl). It is the living definition of every op's math, the backend of the Node
 * tests and CLI, and, with precision 'f64', the exact side of finite-difference gradient checks.
 * On 'f32', matmuls take the WebAssembly SIMD kernels of wasm/ (docs/cpu-backend.md); the TypeScript
 * loops stay the reference they are tested against.
 * `record` validates each op and resolves it to a closure once; `run` just calls the closures.
 */
import { OpValidationError, type Backend, type Program } from '../backend.ts';
import type { Op } from '../ops.ts';
import type { DType, Storage, Tensor } from '../tensor.ts';
import { validateOp } from '../validate.ts';
import { actBackward, actForward } from './activation.ts';
import { col2im, im2col } from './conv.ts';
import { axpby, compileCoef, fill, hadamard } from './elementwise.ts';
import { gather } from './gather.ts';
import { draw, fisherOutput, nll, outputGrad } from './likelihood.ts';
import { matmul, type MatmulArgs } from './matmul.ts';
import { adam, sgd } from './optimizer.ts';
import { poolBackward, poolForward, poolTangent } from './pool.ts';
import { spdInverse } from './spd-inverse.ts';
import { reduceInto, reduceValue } from './reduce.ts';
import { Scratch, type FloatArray, type Kernel, type StorageArray } from './types.ts';
import { WasmMatmul } from './wasm/wasm-matmul.ts';

/** Thrown when a backend is misused: a freed or foreign tensor, a released program, a disposed backend. */
export class CpuBackendError extends Error {
  override readonly name = 'CpuBackendError';
}

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  /** 'f32' (default) stores floats in Float32Array like the GPU; 'f64' in Float64Array, for gradient checks. */
  readonly precision?: 'f32' | 'f64';
  /**
   * 'auto' (default): matmuls of the 'f32' backend run on the WebAssembly SIMD kernels where WebAssembly
   * has SIMD, the rest on the TypeScript loops; 'ts': the TypeScript loops only (the reference, for
   * debugging). The environment variable FISHLEG_CPU_KERNELS=ts forces 'ts' in Node.
   */
  readonly kernels?: 'auto' | 'ts';
  /**
   * Threads a large matmul may use, the calling one included (default: the hardware's, at most 8; the
   * environment variable FISHLEG_CPU_THREADS overrides the default in Node). More than 1 needs shared
   * memory: Node, or a cross-origin-isolated page; elsewhere one thread. Results do not depend on it.
   */
  readonly threads?: number;
}

/**
 * Below this many multiply-adds a matmul stays on the TypeScript loops. Two reasons: the copies into wasm memory
 * cost more than SIMD saves on small products, and the toy networks (2-32-32-2 at batch ≤ 100 trains with products
 * under 2¹⁷) keep the loops' float64 accumulation, on which the presets' races were measured — the SIMD kernels
 * accumulate in f32 and a chaotic toy race drifts from the last bit (docs/cpu-backend.md).
 */
const WASM_MIN_MACS = 1 << 17;

/** A Node environment variable, or undefined (browsers have no process). */
function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

interface CpuStorage {
  readonly meta: Storage;
  readonly data: StorageArray;
}

/** A recorded op list: its closures and the storages they hold on to. */
interface CpuProgram extends Program {
  readonly kernels: readonly Kernel[];
  readonly storageIds: readonly number[];
  released: boolean;
}

/** Backend running every op with typed-array loops on the calling thread. */
export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly precision: 'f32' | 'f64';
  readonly description: string;
  private readonly storages = new Map<number, CpuStorage>();
  private readonly scratch: Scratch;
  private readonly fast: WasmMatmul | undefined;
  private nextId = 1;
  private disposed = false;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    this.scratch = new Scratch(this.precision);
    const kernels = envVar('FISHLEG_CPU_KERNELS') === 'ts' ? 'ts' : (options.kernels ?? 'auto');
    if (kernels !== 'auto' && kernels !== 'ts') {
      throw new CpuBackendError(`kernels must be 'auto' or 'ts', got '${String(kernels)}'`);
    }
    const envThreads = envVar('FISHLEG_CPU_THREADS');
    const threads = options.threads ?? (envThreads === undefined ? undefined : Number(envThreads));
    if (threads !== undefined && !(Number.isSafeInteger(threads) && threads >= 1)) {
      throw new CpuBackendError(`threads must be a positive integer, got ${threads}`);
    }
    this.fast = kernels === 'auto' && this.precision === 'f32' ? WasmMatmul.shared(threads) : undefined;
    this.description = this.fast
      ? `CPU (WebAssembly SIMD matmul${this.fast.shared ? ', threaded' : ''}, ${this.precision})`
      : `CPU reference (TypeScript, ${this.precision})`;
  }

  /** Resolves to the helper threads the fast matmul started (0: one thread, or the TypeScript loops). */
  helperThreads(): Promise<number> {
    return this.fast ? this.fast.helpersReady() : Promise.resolve(0);
  }

  /** @inheritdoc */
  alloc(size: number, label: string, dtype: DType = 'f32'): Tensor {
    this.assertAlive();
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new CpuBackendError(`alloc '${label}': size must be a non-negative integer, got ${size}`);
    }
    const data =
      dtype === 'u32'
        ? new Uint32Array(size)
        : this.precision === 'f64'
          ? new Float64Array(size)
          : new Float32Array(size);
    const meta: Storage = { id: this.nextId++, size, dtype, label };
    this.storages.set(meta.id, { meta, data });
    return { storage: meta, offset: 0, size };
  }

  /** @inheritdoc */
  free(t: Tensor): void {
    this.entry(t, 'free');
    this.storages.delete(t.storage.id);
  }

  /** @inheritdoc */
  liveStorages(): number {
    return this.storages.size;
  }

  /** @inheritdoc */
  write(t: Tensor, data: ArrayLike<number>, offset = 0): void {
    const arr = this.entry(t, 'write').data;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + data.length > t.size) {
      throw new CpuBackendError(
        `write: ${data.length} values at offset ${offset} do not fit view of '${t.storage.label}' of size ${t.size}`,
      );
    }
    arr.set(data, t.offset + offset);
  }

  /** @inheritdoc */
  read(t: Tensor): Promise<Float32Array | Float64Array | Uint32Array> {
    const arr = this.entry(t, 'read').data;
    return Promise.resolve(arr.slice(t.offset, t.offset + t.size));
  }

  /** Synchronous read of a view (a copy): convenient in CPU-only code and tests. */
  readSync(t: Tensor): Float32Array | Float64Array | Uint32Array {
    const arr = this.entry(t, 'readSync').data;
    return arr.slice(t.offset, t.offset + t.size);
  }

  /** @inheritdoc */
  record(label: string, ops: readonly Op[]): Program {
    this.assertAlive();
    const ids = new Set<number>();
    const kernels = ops.map((op, i) => {
      try {
        validateOp(op);
        return this.compile(op, ids);
      } catch (e) {
        if (e instanceof OpValidationError || e instanceof CpuBackendError) {
          e.message = `program '${label}', op #${i}: ${e.message}`;
        }
        throw e;
      }
    });
    const program: CpuProgram = { label, ops: [...ops], kernels, storageIds: [...ids], released: false };
    return program;
  }

  /** @inheritdoc */
  run(...programs: readonly Program[]): void {
    this.assertAlive();
    const ps = programs.map((p) => this.own(p));
    for (const p of ps) {
      for (const id of p.storageIds) {
        if (!this.storages.has(id)) {
          throw new CpuBackendError(`run '${p.label}': storage #${id} was freed after the program was recorded`);
        }
      }
    }
    for (const p of ps) for (const k of p.kernels) k();
  }

  /** @inheritdoc */
  release(p: Program): void {
    this.own(p).released = true;
  }

  /** @inheritdoc */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  /** @inheritdoc */
  dispose(): void {
    this.storages.clear();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new CpuBackendError('the CPU backend was disposed');
  }

  private own(p: Program): CpuProgram {
    const cp = p as Partial<CpuProgram>;
    if (!Array.isArray(cp.kernels)) throw new CpuBackendError(`program '${p.label}' was not recorded by a CpuBackend`);
    if (cp.released) throw new CpuBackendError(`program '${p.label}' was released`);
    return cp as CpuProgram;
  }

  private entry(t: Tensor, what: string): CpuStorage {
    this.assertAlive();
    const e = this.storages.get(t.storage.id);
    if (!e || e.meta !== t.storage) {
      throw new CpuBackendError(`${what}: '${t.storage.label}' (storage #${t.storage.id}) is freed or not from here`);
    }
    return e;
  }

  /** Resolves every operand to its array once and returns the op's closure. */
  private compile(op: Op, ids: Set<number>): Kernel {
    const arr = (t: Tensor): StorageArray => {
      ids.add(t.storage.id);
      return this.entry(t, op.op).data;
    };
    // validateOp has checked dtypes, so these casts only narrow what is already true.
    const f = (t: Tensor): FloatArray => arr(t) as FloatArray;
    const u = (t: Tensor): Uint32Array => arr(t) as Uint32Array;
    const scratch = this.scratch;
    switch (op.op) {
      case 'matmul': {
        const { layout, m, n, k, lda, ldb, ldc, alpha, beta } = op;
        const [a, b, c] = [f(op.a), f(op.b), f(op.c)];
        const [aOff, bOff, cOff] = [op.a.offset, op.b.offset, op.c.offset];
        const args: MatmulArgs = { layout, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, alpha, beta };
        const fast = this.fast;
        if (!fast || m * n * k < WASM_MIN_MACS) return () => matmul(args, scratch);
        return () => {
          if (!fast.run(args)) matmul(args, scratch);
        };
      }
      case 'actForward': {
        const [s, out] = [f(op.s), f(op.out)];
        return () => actForward(op.act, op.rows, op.cols, s, op.s.offset, out, op.out.offset, op.ldOut);
      }
      case 'actBackward': {
        const [d, s, out] = [f(op.d), f(op.s), f(op.out)];
        const { act, rows, cols, ldD, ldOut, extra } = op;
        return () =>
          actBackward(act, rows, cols, d, op.d.offset, ldD, s, op.s.offset, out, op.out.offset, ldOut, extra);
      }
      case 'nll': {
        const [mu, y, out] = [f(op.mu), f(op.y), f(op.perExample)];
        return () => nll(op, mu, op.mu.offset, y, op.y.offset, out, op.perExample.offset);
      }
      case 'outputGrad': {
        const [mu, y, g] = [f(op.mu), f(op.y), f(op.grad)];
        return () =>
          outputGrad(op, op.scale, mu, op.mu.offset, y, op.y.offset, g, op.grad.offset, scratch.float64(op.cols));
      }
      case 'fisherOutput': {
        const [mu, v, out] = [f(op.mu), f(op.v), f(op.out)];
        return () =>
          fisherOutput(op, op.scale, mu, op.mu.offset, v, op.v.offset, out, op.out.offset, scratch.float64(op.cols));
      }
      case 'draw': {
        const [mu, counter, sample] = [f(op.mu), u(op.counter), f(op.sample)];
        return () =>
          draw(op, op.seed, op.stream, counter[op.counter.offset]!, mu, op.mu.offset, sample, op.sample.offset);
      }
      case 'gather': {
        const [src, idx, dst] = [f(op.src), u(op.idx), f(op.dst)];
        const srcRows = Math.floor(op.src.size / op.cols);
        const { rows, cols, ldDst, ones } = op;
        const label = op.src.storage.label;
        return () =>
          gather(rows, cols, src, op.src.offset, srcRows, idx, op.idx.offset, dst, op.dst.offset, ldDst, ones, label);
      }
      case 'reduce': {
        const [x, y, out] = [f(op.x), op.y ? f(op.y) : undefined, f(op.out)];
        const yOff = op.y?.offset ?? 0;
        return () =>
          reduceInto(reduceValue(op.kind, op.n, x, op.x.offset, y, yOff, op.scale), op.accumulate, out, op.out.offset);
      }
      case 'axpby': {
        const [x, y, out] = [f(op.x), op.y ? f(op.y) : undefined, f(op.out)];
        const a = compileCoef(op.a, f);
        const b = op.b ? compileCoef(op.b, f) : () => 0;
        const yOff = op.y?.offset ?? 0;
        return () => axpby(op.n, a(), x, op.x.offset, b(), y, yOff, out, op.out.offset);
      }
      case 'hadamard': {
        const [x, y, out] = [f(op.x), f(op.y), f(op.out)];
        const a = compileCoef(op.a, f);
        return () => hadamard(op.n, a(), x, op.x.offset, y, op.y.offset, out, op.out.offset);
      }
      case 'fill': {
        const out = f(op.out);
        return () => fill(op.n, op.value, out, op.out.offset);
      }
      case 'sgd': {
        const [p, g, m, h] = [f(op.param), f(op.grad), f(op.mom), f(op.hyper)];
        return () => sgd(op.n, p, op.param.offset, g, op.grad.offset, m, op.mom.offset, h, op.hyper.offset);
      }
      case 'adam': {
        const [p, g, m, v, h] = [f(op.param), f(op.grad), f(op.m), f(op.v), f(op.hyper)];
        const { n } = op;
        return () => adam(n, p, op.param.offset, g, op.grad.offset, m, op.m.offset, v, op.v.offset, h, op.hyper.offset);
      }
      case 'spdInverse': {
        const [m, out] = [f(op.m), f(op.out)];
        const c = compileCoef(op.c, f);
        const { d } = op;
        return () => spdInverse(d, m, op.m.offset, c(), out, op.out.offset, scratch.float64(2 * d * d + d));
      }
      case 'im2col': {
        const [x, cols] = [f(op.x), f(op.cols)];
        return () => im2col(op, x, op.x.offset, op.ldX, cols, op.cols.offset, op.ldCols, op.ones);
      }
      case 'col2im': {
        const [cols, dx] = [f(op.cols), f(op.dx)];
        return () => col2im(op, cols, op.cols.offset, op.ldCols, dx, op.dx.offset, op.ldX);
      }
      case 'poolForward': {
        const [x, y, arg] = [f(op.x), f(op.y), op.argmax ? u(op.argmax) : undefined];
        const argOff = op.argmax?.offset ?? 0;
        if (op.tangent && op.kind === 'max') {
          return () => poolTangent(op, x, op.x.offset, op.ldX, y, op.y.offset, op.ldY, op.ones, arg!, argOff);
        }
        return () =>
          poolForward(
            op.kind,
            op,
            x,
            op.x.offset,
            op.ldX,
            y,
            op.y.offset,
            op.ldY,
            op.ones,
            op.tangent ? 0 : 1,
            arg,
            argOff,
          );
      }
      case 'poolBackward': {
        const [dy, dx, arg] = [f(op.dy), f(op.dx), op.argmax ? u(op.argmax) : undefined];
        const argOff = op.argmax?.offset ?? 0;
        return () => poolBackward(op.kind, op, dy, op.dy.offset, op.ldDy, arg, argOff, dx, op.dx.offset, op.ldX);
      }
      default: {
        const unknown: never = op;
        throw new OpValidationError(`unknown op '${(unknown as { op: string }).op}'`);
      }
    }
  }
}
