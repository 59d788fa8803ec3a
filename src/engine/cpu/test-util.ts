/**
 * Helpers shared by the CPU backend's tests (not used by production code): deterministic random
 * tensors, one-shot op execution, and a max-abs-error comparison that reports where it failed.
 */
import type { Op } from '../ops.ts';
import { Rng } from '../rng.ts';
import type { Tensor } from '../tensor.ts';
import type { CpuBackend } from './backend.ts';

/** n deterministic numbers uniform in [lo, hi). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): number[] {
  const rng = new Rng(seed, 77);
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/** A new storage holding `data`. */
export function tensorOf(be: CpuBackend, data: ArrayLike<number>, label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor {
  const t = be.alloc(data.length, label, dtype);
  be.write(t, data);
  return t;
}

/** Records, runs once and releases an op list. */
export function runOps(be: CpuBackend, ops: readonly Op[]): void {
  const p = be.record('test', ops);
  be.run(p);
  be.release(p);
}

/** Reads a view synchronously as a plain array. */
export function values(be: CpuBackend, t: Tensor): number[] {
  return Array.from(be.readSync(t));
}

/** max_i |a_i − b_i| / (1 + |b_i|), with the worst index, for error messages that say where. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; at: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let err = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    if (!(e <= err)) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}
