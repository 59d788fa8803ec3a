/**
 * Terse builders for the few op shapes the curvature methods compose: dense row-major matrix products (leading
 * dimension = column count), elementwise products and sums, with coefficients that may refer to
 * device scalars. Keeps FishLeg's approximation modules and K-FAC readable as algebra.
 */
import type { AxpbyOp, Coef, HadamardOp, MatmulLayout, MatmulOp } from '../ops.ts';
import type { Tensor } from '../tensor.ts';

/**
 * C (m×n) = alpha·op(A)·op(B) + beta·C for dense row-major operands:
 * nn: A m×k, B k×n; nt: A m×k, B n×k (C = A·Bᵀ); tn: A k×m, B k×n (C = Aᵀ·B).
 */
export function gemm(
  layout: MatmulLayout,
  m: number,
  n: number,
  k: number,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  alpha = 1,
  beta = 0,
): MatmulOp {
  const lda = layout === 'tn' ? m : k;
  const ldb = layout === 'nt' ? k : n;
  return { op: 'matmul', layout, m, n, k, a, lda, b, ldb, c, ldc: n, alpha, beta };
}

/** A constant coefficient, or one scaled by device scalars. */
export function coef(c: number, ...refs: { t: Tensor; power: 1 | -1 | 0.5 | -0.5 }[]): Coef {
  return refs.length === 0 ? { c } : { c, refs };
}

/** out = a·x + b·y. */
export function axpby(n: number, a: Coef | number, x: Tensor, b: Coef | number, y: Tensor, out: Tensor): AxpbyOp {
  const ca = typeof a === 'number' ? { c: a } : a;
  const cb = typeof b === 'number' ? { c: b } : b;
  return { op: 'axpby', n, a: ca, x, b: cb, y, out };
}

/** out = a·x. */
export function scale(n: number, a: Coef | number, x: Tensor, out: Tensor): AxpbyOp {
  return { op: 'axpby', n, a: typeof a === 'number' ? { c: a } : a, x, out };
}

/** out = a·x∘y. */
export function hadamard(n: number, x: Tensor, y: Tensor, out: Tensor, a: Coef | number = 1): HadamardOp {
  return { op: 'hadamard', n, a: typeof a === 'number' ? { c: a } : a, x, y, out };
}
