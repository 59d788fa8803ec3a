/**
 * Shared helpers of the GPU tests: a WebGPU backend and the CPU reference side by side, "twin" tensors
 * holding the same data on both, ops built once per side and run on both, and comparisons that name the
 * first element out of tolerance. Tolerances are always passed explicitly by each test.
 */
import { expect } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/index.ts';
import { requestWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from '../../src/engine/gpu/backend.ts';
import type { Op } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import type { DType, Tensor } from '../../src/engine/tensor.ts';

export type Side = 'cpu' | 'gpu';
export const SIDES: readonly Side[] = ['cpu', 'gpu'];

/** The same logical tensor on both backends. */
export type Twin = Readonly<Record<Side, Tensor>>;

/** n deterministic numbers uniform in [lo, hi). */
export function randoms(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed, 99);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** A GPU and a CPU (f32) backend; `twin` allocates on both, `run` executes ops on both. */
export class Pair {
  readonly cpu = new CpuBackend({ precision: 'f32' });
  private constructor(readonly gpu: WebGpuBackend) {}

  static async create(options: Omit<WebGpuBackendOptions, 'ownsDevice'> = {}): Promise<Pair> {
    return new Pair(await requestWebGpuBackend(undefined, options));
  }

  /** A storage on both sides filled with `data` (zeros when omitted). */
  twin(data: ArrayLike<number> | number, label: string, dtype: DType = 'f32'): Twin {
    const size = typeof data === 'number' ? data : data.length;
    const t = { cpu: this.cpu.alloc(size, label, dtype), gpu: this.gpu.alloc(size, label, dtype) };
    if (typeof data !== 'number') {
      this.cpu.write(t.cpu, data);
      this.gpu.write(t.gpu, data);
    }
    return t;
  }

  write(t: Twin, data: ArrayLike<number>, offset = 0): void {
    this.cpu.write(t.cpu, data, offset);
    this.gpu.write(t.gpu, data, offset);
  }

  /** Records `ops(side)` on each backend, runs it `times` times, releases it. */
  async run(ops: (side: Side) => Op[], times = 1): Promise<void> {
    for (const side of SIDES) {
      const be = this[side];
      const p = be.record('test', ops(side));
      for (let i = 0; i < times; i++) be.run(p);
      be.release(p);
    }
    await this.gpu.sync();
  }

  async read(t: Twin): Promise<{ cpu: Float32Array | Float64Array | Uint32Array; gpu: Float32Array | Uint32Array }> {
    return { cpu: await this.cpu.read(t.cpu), gpu: await this.gpu.read(t.gpu) };
  }

  /** Reads both sides and expects |gpu − cpu| ≤ atol + rtol·|cpu| everywhere. */
  async expectClose(t: Twin, tol: { atol: number; rtol: number }, what: string): Promise<void> {
    const { cpu, gpu } = await this.read(t);
    expectClose(gpu, cpu, tol, what);
  }

  dispose(): void {
    this.gpu.dispose();
    this.cpu.dispose();
  }
}

/** Expects |actual − expected| ≤ atol + rtol·|expected| elementwise; NaN matches only NaN. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol: number; rtol: number },
  what: string,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0)) {
      bad++;
      if (worst < 0 || !(excess <= worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    expect.fail(
      `${what}: ${bad} of ${expected.length} elements out of tolerance (atol ${tol.atol}, rtol ${tol.rtol}); ` +
        `worst at [${worst}]: got ${actual[worst]}, expected ${expected[worst]}`,
    );
  }
}

/** Expects identical values (bit-exact for floats, NaN = NaN). */
export function expectEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expectClose(actual, expected, { atol: 0, rtol: 0 }, what);
}
