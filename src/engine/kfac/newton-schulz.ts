/**
 * The damped inverse X ≈ (M + c·I)⁻¹ of a symmetric positive semi-definite d×d matrix from the engine's ops
 * alone (docs/kfac.md §3): Newton–Schulz X ← X(2I − M_c X) from X₀ = I/‖M_c‖_F. Every iterate is a polynomial
 * in M_c, so it stays symmetric, and the start makes every eigenvalue of M_c X₀ lie in (0, 1]: the iteration
 * cannot diverge, and stopping early only under-inverts the smallest eigenvalues (it acts as extra damping).
 */
import type { Arena } from '../curvature/arena.ts';
import { axpby, gemm, scale } from '../curvature/op-builders.ts';
import type { Coef, Op } from '../ops.ts';
import type { Tensor } from '../tensor.ts';

/**
 * Iterations per inverse. The error of eigenvalue λ after k steps is (1 − λ/‖M_c‖_F)^(2^k): 16 steps
 * resolve condition numbers ‖M_c‖_F/λ_min up to ~10⁴ to float32 precision, which the π-split damping keeps
 * the factors under in practice; a worse-conditioned factor is inverted as if damped a little more.
 */
export const NEWTON_SCHULZ_ITERS = 16;

export interface DampedInverse {
  readonly d: number;
  /** M (d×d, row-major), read only. */
  readonly m: Tensor;
  /** The damping c, usually scaled by device scalars. */
  readonly c: Coef;
  /** The d×d identity. */
  readonly eye: Tensor;
  /** X (d×d), overwritten. */
  readonly out: Tensor;
  /** One device scalar for ‖M_c‖_F². */
  readonly norm: Tensor;
}

/** Ops writing out ≈ (M + c·I)⁻¹ after `iters` Newton–Schulz steps; scratch 3·d² from `arena`. */
export function dampedInverseOps(x: DampedInverse, arena: Arena, iters = NEWTON_SCHULZ_ITERS): Op[] {
  const { d, eye, out, norm } = x;
  const n = d * d;
  return arena.scoped(() => {
    const mc = arena.take(n);
    const t = arena.take(n);
    const y = arena.take(n);
    const ops: Op[] = [
      axpby(n, 1, x.m, x.c, eye, mc),
      { op: 'reduce', kind: 'sumsq', n, x: mc, scale: 1, accumulate: false, out: norm },
      scale(n, { c: 1, refs: [{ t: norm, power: -0.5 }] }, eye, out),
    ];
    let cur = out;
    let next = y;
    for (let k = 0; k < iters; k++) {
      // next = 2·cur − cur·(M_c·cur)
      ops.push(gemm('nn', d, d, d, mc, cur, t), scale(n, 2, cur, next), gemm('nn', d, d, d, cur, t, next, -1, 1));
      [cur, next] = [next, cur];
    }
    if (cur !== out) ops.push(scale(n, 1, cur, out));
    return ops;
  });
}
