/**
 * matmul against a naive triple loop: every layout, awkward sizes (1, 7, 65, 257, crossing the 4-wide
 * unroll, the row pairs and the 512-column blocks), padded leading dimensions, non-zero offsets,
 * alpha/beta, and the padding around C left untouched.
 */
import { describe, expect, it } from 'vitest';
import type { MatmulLayout } from '../ops.ts';
import { slice } from '../tensor.ts';
import { CpuBackend } from './backend.ts';
import { maxRelErr, randomArray, runOps, tensorOf, values } from './test-util.ts';

interface Case {
  m: number;
  n: number;
  k: number;
  pad: number;
  alpha: number;
  beta: number;
}

/** C = alpha·op(A)·op(B) + beta·C over row-major arrays with leading dims, in float64. */
function naive(
  layout: MatmulLayout,
  c: Case,
  A: number[],
  lda: number,
  B: number[],
  ldb: number,
  C: number[],
  ldc: number,
) {
  const out = C.slice();
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      for (let p = 0; p < c.k; p++) {
        const a = layout === 'tn' ? A[p * lda + i]! : A[i * lda + p]!;
        const b = layout === 'nt' ? B[j * ldb + p]! : B[p * ldb + j]!;
        s += a * b;
      }
      out[i * ldc + j] = c.alpha * s + (c.beta === 0 ? 0 : c.beta * C[i * ldc + j]!);
    }
  }
  return out;
}

const cases: Case[] = [
  { m: 1, n: 1, k: 1, pad: 0, alpha: 1, beta: 0 },
  { m: 7, n: 65, k: 257, pad: 3, alpha: 0.5, beta: 0 },
  { m: 257, n: 7, k: 65, pad: 1, alpha: -1.25, beta: 1 },
  { m: 65, n: 257, k: 7, pad: 2, alpha: 1, beta: -0.5 },
  { m: 1, n: 257, k: 7, pad: 5, alpha: 2, beta: 0.25 },
  { m: 257, n: 1, k: 65, pad: 0, alpha: 1, beta: 1 },
  { m: 65, n: 7, k: 1, pad: 4, alpha: 1, beta: 0 },
  { m: 8, n: 1030, k: 6, pad: 1, alpha: 1, beta: 0.5 },
];

describe.each(['f64', 'f32'] as const)('matmul (%s)', (precision) => {
  const tol = precision === 'f64' ? 1e-12 : 1e-5;
  for (const layout of ['nn', 'nt', 'tn'] as const) {
    it.each(cases)(`${layout} m=$m n=$n k=$k pad=$pad alpha=$alpha beta=$beta`, (c) => {
      const be = new CpuBackend({ precision });
      const [aRows, aCols] = layout === 'tn' ? [c.k, c.m] : [c.m, c.k];
      const [bRows, bCols] = layout === 'nt' ? [c.n, c.k] : [c.k, c.n];
      const lda = aCols + c.pad;
      const ldb = bCols + 2 * c.pad;
      const ldc = c.n + c.pad;
      const round = (xs: number[]) => (precision === 'f32' ? Array.from(Float32Array.from(xs)) : xs);
      const A = round(randomArray(aRows * lda, 1));
      const B = round(randomArray(bRows * ldb, 2));
      // C starts with NaN where beta = 0 must not read it; its padding columns are sentinels that must survive.
      const C = round(randomArray(c.m * ldc, 3).map((x) => (c.beta === 0 ? NaN : x)));
      for (let i = 0; i < c.m; i++) for (let j = c.n; j < ldc; j++) C[i * ldc + j] = 1234;
      // Put each operand at an offset inside a larger storage shared with unrelated data.
      const off = 11;
      const store = tensorOf(be, [...randomArray(off, 4), ...A, ...B, ...C, 99], 'all');
      const a = slice(store, off, A.length);
      const b = slice(store, off + A.length, B.length);
      const cT = slice(store, off + A.length + B.length, C.length);
      runOps(be, [
        { op: 'matmul', layout, m: c.m, n: c.n, k: c.k, a, lda, b, ldb, c: cT, ldc, alpha: c.alpha, beta: c.beta },
      ]);
      const got = values(be, cT);
      const want = naive(layout, c, A, lda, B, ldb, C, ldc);
      const { err, at } = maxRelErr(got, want);
      expect(err, `worst at ${at}: ${got[at]!} vs ${want[at]!}`).toBeLessThan(tol);
      // Nothing outside C's view changed.
      const all = values(be, store);
      expect(all.slice(0, off + A.length + B.length)).toEqual(round([...randomArray(off, 4), ...A, ...B]));
      expect(all[all.length - 1]).toBe(99);
    });
  }
});

describe('matmul scratch reuse', () => {
  it('gives the same result when a larger nt call ran before (packed Bᵀ is rebuilt each call)', () => {
    const be = new CpuBackend({ precision: 'f64' });
    const A = randomArray(3 * 4, 5);
    const B = randomArray(2 * 4, 6);
    const a = tensorOf(be, A, 'a');
    const b = tensorOf(be, B, 'b');
    const c = be.alloc(6, 'c');
    const big = { a: tensorOf(be, randomArray(50 * 40, 7), 'A'), b: tensorOf(be, randomArray(60 * 40, 8), 'B') };
    const cBig = be.alloc(50 * 60, 'C');
    const small = {
      op: 'matmul',
      layout: 'nt',
      m: 3,
      n: 2,
      k: 4,
      a,
      lda: 4,
      b,
      ldb: 4,
      c,
      ldc: 2,
      alpha: 1,
      beta: 0,
    } as const;
    runOps(be, [small]);
    const first = values(be, c);
    runOps(be, [{ ...small, m: 50, n: 60, k: 40, a: big.a, lda: 40, b: big.b, ldb: 40, c: cBig, ldc: 60 }, small]);
    expect(values(be, c)).toEqual(first);
    expect(first).toEqual(
      naive('nt', { m: 3, n: 2, k: 4, pad: 0, alpha: 1, beta: 0 }, A, 4, B, 4, [0, 0, 0, 0, 0, 0], 2),
    );
  });
});
