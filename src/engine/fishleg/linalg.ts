/**
 * Small float64 linear algebra on the host for FishLeg's views and tests: dense row-major products,
 * Cholesky factorisation and the inverse of a symmetric positive-definite matrix, Frobenius norms.
 * Meant for matrices of a few hundred rows at most (materialised Q_l and exact Fisher blocks).
 */

/** Thrown when a matrix that must be positive definite is not (e.g. undamped, rank-deficient F). */
export class NotPositiveDefiniteError extends Error {
  override readonly name = 'NotPositiveDefiniteError';
}

/** n×n identity scaled by s. */
export function eye(n: number, s = 1): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = s;
  return out;
}

/** C (m×n) = op(A)·op(B), with op(A) m×k and op(B) k×n; ta/tb mean A is stored k×m / B is stored n×k. */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  ta = false,
  tb = false,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = ta ? a[p * m + i]! : a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aip * (tb ? b[j * k + p]! : b[p * n + j]!);
    }
  }
  return c;
}

/** x∘y. */
export function hadamard(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * y[i]!;
  return out;
}

/** ‖x‖_F². */
export function sumsq(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/** ‖a − b‖_F / ‖b‖_F. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  for (let i = 0; i < a.length; i++) num += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(num / sumsq(b));
}

/** Lower-triangular L with L·Lᵀ = M (n×n symmetric positive definite). */
export function cholesky(mat: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = mat[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > 0))
      throw new NotPositiveDefiniteError(`matrix is not positive definite (pivot ${j} is ${d}); add damping`);
    const djj = Math.sqrt(d);
    l[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let s = mat[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / djj;
    }
  }
  return l;
}

/** M⁻¹ of a symmetric positive-definite n×n matrix, through its Cholesky factor. */
export function spdInverse(mat: ArrayLike<number>, n: number): Float64Array {
  const l = cholesky(mat, n);
  // Solve L·Y = I column by column, then M⁻¹ = Yᵀ·Y.
  const y = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * n + k]! * y[k * n + c]!;
      y[i * n + c] = s / l[i * n + i]!;
    }
  }
  return matmul(y, y, n, n, n, true, false);
}

/** M + γI (copy). */
export function addDiagonal(mat: ArrayLike<number>, n: number, gamma: number): Float64Array {
  const out = Float64Array.from(mat);
  for (let i = 0; i < n; i++) out[i * n + i] = out[i * n + i]! + gamma;
  return out;
}
