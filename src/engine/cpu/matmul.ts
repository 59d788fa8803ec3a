/**
 * CPU reference of shaders/matmul.wgsl: C (m×n) = alpha·op(A)·op(B) + beta·C, row-major with leading
 * dimensions and element offsets, layouts nn / nt / tn (see MatmulOp in ops.ts).
 * beta = 0 overwrites C without reading it (BLAS convention: stale NaNs in C do not leak through).
 * Speed matters here (the CPU backend trains the MNIST autoencoder), so the loop is i-k-j: every inner
 * loop is a contiguous axpy over a row of B into a float64 accumulator row, two rows of C and four k
 * values at a time, over column blocks that stay in cache. 'nt' first packs Bᵀ into scratch (k×n).
 */
import type { MatmulLayout } from '../ops.ts';
import type { FloatArray, Scratch } from './types.ts';

/** Columns of C processed per block: 2 accumulator rows of 512 doubles (8 KiB) stay in L1. */
const NB = 512;

/** Arguments of one matmul call: arrays with element offsets, as the op resolves them. */
export interface MatmulArgs {
  readonly layout: MatmulLayout;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: FloatArray;
  readonly aOff: number;
  readonly lda: number;
  readonly b: FloatArray;
  readonly bOff: number;
  readonly ldb: number;
  readonly c: FloatArray;
  readonly cOff: number;
  readonly ldc: number;
  readonly alpha: number;
  readonly beta: number;
}

/** Executes C = alpha·op(A)·op(B) + beta·C. C must not overlap A or B (validateOp checks). */
export function matmul(args: MatmulArgs, scratch: Scratch): void {
  const { layout, m, n, k, a, aOff, lda, c, cOff, ldc, alpha, beta } = args;
  let b = args.b;
  let bOff = args.bOff;
  let ldb = args.ldb;
  if (layout === 'nt') {
    // B is n×k: pack Bᵀ (k×n) so that row p of op(B) is contiguous like in nn and tn.
    const packed = scratch.float(k * n);
    for (let j = 0; j < n; j++) {
      const src = bOff + j * ldb;
      for (let p = 0; p < k; p++) packed[p * n + j] = b[src + p]!;
    }
    b = packed;
    bOff = 0;
    ldb = n;
  }
  // op(A)[i, p] = a[aOff + i·sAi + p·sAp].
  const sAi = layout === 'tn' ? 1 : lda;
  const sAp = layout === 'tn' ? lda : 1;
  const acc = scratch.float64(2 * NB);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const w = Math.min(NB, n - j0);
    let i = 0;
    for (; i + 1 < m; i += 2) {
      acc.fill(0, 0, 2 * w);
      rowPair(a, aOff + i * sAi, aOff + (i + 1) * sAi, sAp, k, b, bOff + j0, ldb, w, acc);
      store(c, cOff + i * ldc + j0, w, acc, 0, alpha, beta);
      store(c, cOff + (i + 1) * ldc + j0, w, acc, w, alpha, beta);
    }
    if (i < m) {
      acc.fill(0, 0, w);
      singleRow(a, aOff + i * sAi, sAp, k, b, bOff + j0, ldb, w, acc);
      store(c, cOff + i * ldc + j0, w, acc, 0, alpha, beta);
    }
  }
}

/** acc[0:w] += Σ_p A[i,p]·B[p, :w] and acc[w:2w] += the same for row i2, four p at a time. */
function rowPair(
  a: FloatArray,
  ai: number,
  ai2: number,
  sAp: number,
  k: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  w: number,
  acc: Float64Array,
): void {
  let p = 0;
  for (; p + 3 < k; p += 4) {
    const q = p * sAp;
    const a0 = a[ai + q]!;
    const a1 = a[ai + q + sAp]!;
    const a2 = a[ai + q + 2 * sAp]!;
    const a3 = a[ai + q + 3 * sAp]!;
    const c0 = a[ai2 + q]!;
    const c1 = a[ai2 + q + sAp]!;
    const c2 = a[ai2 + q + 2 * sAp]!;
    const c3 = a[ai2 + q + 3 * sAp]!;
    const b0 = bOff + p * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    for (let j = 0; j < w; j++) {
      const x0 = b[b0 + j]!;
      const x1 = b[b1 + j]!;
      const x2 = b[b2 + j]!;
      const x3 = b[b3 + j]!;
      acc[j]! += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
      acc[w + j]! += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
    }
  }
  for (; p < k; p++) {
    const a0 = a[ai + p * sAp]!;
    const c0 = a[ai2 + p * sAp]!;
    const b0 = bOff + p * ldb;
    for (let j = 0; j < w; j++) {
      const x = b[b0 + j]!;
      acc[j]! += a0 * x;
      acc[w + j]! += c0 * x;
    }
  }
}

/** acc[0:w] += Σ_p A[i,p]·B[p, :w] (the odd last row). */
function singleRow(
  a: FloatArray,
  ai: number,
  sAp: number,
  k: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  w: number,
  acc: Float64Array,
): void {
  for (let p = 0; p < k; p++) {
    const a0 = a[ai + p * sAp]!;
    const b0 = bOff + p * ldb;
    for (let j = 0; j < w; j++) acc[j]! += a0 * b[b0 + j]!;
  }
}

/** c[ci + j] = alpha·acc[from + j] + beta·c[ci + j]; beta = 0 does not read c. */
function store(
  c: FloatArray,
  ci: number,
  w: number,
  acc: Float64Array,
  from: number,
  alpha: number,
  beta: number,
): void {
  if (beta === 0) {
    for (let j = 0; j < w; j++) c[ci + j] = alpha * acc[from + j]!;
  } else {
    for (let j = 0; j < w; j++) c[ci + j] = alpha * acc[from + j]! + beta * c[ci + j]!;
  }
}
