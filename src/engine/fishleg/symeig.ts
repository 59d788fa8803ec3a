/**
 * Eigendecomposition of a small dense symmetric matrix on the host (float64): Householder reduction to
 * tridiagonal form, then the implicit QL algorithm (the EISPACK tred2/tql2 pair as JAMA writes it).
 * Chosen over Jacobi because the Inside-FishLeg view decomposes blocks of a few hundred rows once per frame:
 * tred2/tql2 costs ≈ 9n³ flops against Jacobi's ≈ 3n³ per sweep over 6–10 sweeps.
 */

/** Eigenvalues in ascending order and the matching orthonormal eigenvectors. */
export interface SymEigen {
  readonly n: number;
  readonly values: Float64Array;
  /** Row-major n×n: row j is the unit eigenvector of values[j]. */
  readonly vectors: Float64Array;
}

/** Thrown when QL fails to converge (a NaN or Infinity in the input is the usual cause). */
export class EigenError extends Error {
  override readonly name = 'EigenError';
}

const MAX_QL_ITERATIONS = 100;

/** A = V Λ Vᵀ for a symmetric n×n row-major A (only its lower triangle is read, as the algorithm does). */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymEigen {
  if (a.length !== n * n) throw new RangeError(`expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  // vt is Vᵀ (row j = column j of V): the rotations below walk columns of V, which are then contiguous.
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = a[i * n + j]!;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { n, values: d, vectors: vt };
  tred2(vt, d, e, n);
  tql2(vt, d, e, n);
  return { n, values: d, vectors: vt };
}

// V[r][c] lives at vt[c·n + r].

function tred2(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const V = (r: number, c: number): number => vt[c * n + r]!;
  const set = (r: number, c: number, x: number): void => {
    vt[c * n + r] = x;
  };
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        set(i, j, 0);
        set(j, i, 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        set(j, i, f);
        g = e[j]! + V(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = V(k, j);
          g += vkj * d[k]!;
          e[k] = e[k]! + vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const col = j * n;
        for (let k = j; k <= i - 1; k++) vt[col + k] = vt[col + k]! - (f * e[k]! + g * d[k]!);
        d[j] = V(i - 1, j);
        set(i, j, 0);
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    set(n - 1, i, V(i, i));
    set(i, i, 1);
    const h = d[i + 1]!;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = vt[next + k]! / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += vt[next + k]! * vt[col + k]!;
        for (let k = 0; k <= i; k++) vt[col + k] = vt[col + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) vt[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V(n - 1, j);
    set(n - 1, j, 0);
  }
  set(n - 1, n - 1, 1);
  e[0] = 0;
}

function tql2(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new EigenError(`QL did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          // Rotate columns i and i+1 of V: rows i and i+1 of vt.
          const ci = i * n;
          const cj = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = vt[cj + k]!;
            const vk = vt[ci + k]!;
            vt[cj + k] = s * vk + c * hk;
            vt[ci + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
    if (!Number.isFinite(d[l]!)) throw new EigenError(`eigenvalue ${l} of ${n} is not finite`);
  }
  // Selection sort, ascending, swapping eigenvectors (rows of vt) with their values.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = vt[ri + j]!;
        vt[ri + j] = vt[rk + j]!;
        vt[rk + j] = t;
      }
    }
  }
}
