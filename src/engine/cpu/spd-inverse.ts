/**
 * The CPU kernel of the spdInverse op (ops.ts): out = (M + c·I)⁻¹ for a symmetric positive semi-definite
 * d×d M, exactly, in float64 whatever the backend's precision. Cholesky L·Lᵀ = M + cI, then L⁻¹ row by row,
 * then (M + cI)⁻¹ = L⁻ᵀ·L⁻¹; every inner loop runs along a row (row-major storage), about d³/2
 * multiply-adds in all.
 */
import type { FloatArray } from './types.ts';

/**
 * Writes (M + c·I)⁻¹ into out[outOff ..] (d×d, symmetric). Only M's lower triangle is read. `work` holds
 * at least 2·d² + d float64s. A non-positive pivot writes NaN everywhere (the matrix was not positive
 * definite), so the run's divergence guard reports it instead of training on a wrong inverse.
 */
export function spdInverse(
  d: number,
  m: FloatArray,
  mOff: number,
  c: number,
  out: FloatArray,
  outOff: number,
  work: Float64Array,
): void {
  const n = d * d;
  const l = work.subarray(0, n);
  const res = work.subarray(n, 2 * n);
  const row = work.subarray(2 * n, 2 * n + d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) l[i * d + j] = m[mOff + i * d + j]!;
    l[i * d + i] = m[mOff + i * d + i]! + c;
  }
  // Cholesky, row by row: L[i, j] = (M_c[i, j] − Σ_{k<j} L[i, k]·L[j, k]) / L[j, j].
  for (let i = 0; i < d; i++) {
    const ri = i * d;
    for (let j = 0; j <= i; j++) {
      const rj = j * d;
      let s = l[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (j < i) {
        l[ri + j] = s / l[rj + j]!;
      } else if (s > 0) {
        l[ri + i] = Math.sqrt(s);
      } else {
        for (let k = 0; k < n; k++) out[outOff + k] = NaN;
        return;
      }
    }
  }
  // X = L⁻¹ in place, row by row: X[i, :] = −(1/L[i, i])·Σ_{k<i} L[i, k]·X[k, :], X[i, i] = 1/L[i, i].
  for (let i = 0; i < d; i++) {
    const ri = i * d;
    for (let k = 0; k < i; k++) row[k] = l[ri + k]!;
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j < i; j++) l[ri + j] = 0;
    for (let k = 0; k < i; k++) {
      const a = row[k]!;
      const rk = k * d;
      for (let j = 0; j <= k; j++) l[ri + j]! += a * l[rk + j]!;
    }
    for (let j = 0; j < i; j++) l[ri + j] = -inv * l[ri + j]!;
    l[ri + i] = inv;
  }
  // (M + cI)⁻¹ = XᵀX = Σ_k X[k, :]ᵀ X[k, :], lower triangle, then mirrored.
  res.fill(0);
  for (let k = 0; k < d; k++) {
    const rk = k * d;
    for (let a = 0; a <= k; a++) {
      const x = l[rk + a]!;
      if (x === 0) continue;
      const ra = a * d;
      for (let b = 0; b <= a; b++) res[ra + b]! += x * l[rk + b]!;
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = 0; b <= a; b++) {
      const v = res[a * d + b]!;
      out[outOff + a * d + b] = v;
      out[outOff + b * d + a] = v;
    }
}
