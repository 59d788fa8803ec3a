/**
 * The WGSL matmul against the CPU reference on every tiling (32×32, 64×64, 128×128) and layout, each with
 * split-K where K is long: awkward shapes (1, 7, 65, 257: partial tiles in every dimension, a last K slice
 * of one element), element offsets, leading dimensions larger than the row, alpha/beta, and beta = 0 over
 * a C full of NaN (which must not leak through the reduce pass). One backend per tiling keeps SwiftShader's
 * pipeline compiles (seconds each) down: split-K is a runtime switch of the same pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulConfig, type MatmulTile, type MatmulVariant } from '../../src/engine/gpu/kernels/matmul.ts';
import type { MatmulLayout, MatmulOp } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;

interface MatmulCase {
  m: number;
  n: number;
  k: number;
  /** Extra columns of padding in each leading dimension, and an element offset for every operand. */
  pad: number;
  off: number;
  alpha: number;
  beta: number;
}

/** Runs one product on both backends (C full of NaN and beta = 0 when nanC) and compares C. */
async function checkMatmul(pair: Pair, layout: MatmulLayout, c: MatmulCase, nanC = false): Promise<void> {
  const { m, n, k, pad, off } = c;
  // Stored shapes per layout: nn A m×k, B k×n; nt B n×k; tn A k×m.
  const [aRows, aCols] = layout === 'tn' ? [k, m] : [m, k];
  const [bRows, bCols] = layout === 'nt' ? [n, k] : [k, n];
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const ldc = n + pad;
  const span = (rows: number, ld: number) => off + rows * ld;
  const a = pair.twin(randoms(span(aRows, lda), m * 31 + k), 'A');
  const b = pair.twin(randoms(span(bRows, ldb), n * 17 + k), 'B');
  const cData = randoms(span(m, ldc), m + n);
  if (nanC) cData.fill(NaN);
  const cc = pair.twin(cData, 'C');
  const op = (s: Side): MatmulOp => ({
    op: 'matmul',
    layout,
    m,
    n,
    k,
    a: slice(a[s], off, a[s].size - off),
    lda,
    b: slice(b[s], off, b[s].size - off),
    ldb,
    c: slice(cc[s], off, cc[s].size - off),
    ldc,
    alpha: c.alpha,
    beta: nanC ? 0 : c.beta,
  });
  await pair.run((s) => [op(s)]);
  // f32 accumulation over k terms of size ≤ 1: error grows like √k·ε.
  await pair.expectClose(cc, { atol: 2e-6 * Math.sqrt(k) * 8, rtol: 1e-5 }, `${layout} ${m}×${n}×${k}`);
}

const CASES: MatmulCase[] = [
  { m: 1, n: 1, k: 1, pad: 0, off: 0, alpha: 1, beta: 0 },
  { m: 7, n: 65, k: 1, pad: 3, off: 5, alpha: 1, beta: 0 },
  // Split in 4 (K slices 80, 80, 80, 17), beta ≠ 0 applied once, by the reduce pass.
  { m: 65, n: 7, k: 257, pad: 0, off: 1, alpha: -0.5, beta: 1 },
  // Five K-tiles, not split (K is short).
  { m: 257, n: 33, k: 65, pad: 1, off: 0, alpha: 2, beta: 0.25 },
  { m: 64, n: 64, k: 16, pad: 0, off: 0, alpha: 1, beta: 0 },
  { m: 130, n: 257, k: 7, pad: 2, off: 3, alpha: 0.75, beta: -1 },
  // Split in 3 over a 1-row C.
  { m: 1, n: 129, k: 200, pad: 0, off: 7, alpha: 1, beta: 0 },
];

const TILES: MatmulTile[] = ['tile32', 'tile64', 'tile128'];

describe.each(TILES)('%s (split-K where K is long)', (tile) => {
  // '<tile>/split': the split 'auto' would use on this tiling, which is none for K < 192.
  const variant: MatmulVariant = `${tile}/split`;
  beforeAll(async () => {
    pair = await Pair.create({ matmul: variant });
  });
  afterAll(() => pair.dispose());

  it('splits exactly the long-K cases', () => {
    expect(CASES.map((c) => matmulConfig(c.m, c.n, c.k, variant).splits)).toEqual([1, 1, 4, 1, 1, 1, 3]);
  });

  describe.each(['nn', 'nt', 'tn'] as const)('matmul %s', (layout) => {
    it.each(CASES)('m=$m n=$n k=$k pad=$pad off=$off alpha=$alpha beta=$beta', async (c) => {
      await checkMatmul(pair, layout, c);
    });

    it('beta = 0 does not read C (NaN in C stays out), split in 4', async () => {
      await checkMatmul(pair, layout, { m: 65, n: 7, k: 300, pad: 1, off: 2, alpha: 1.5, beta: 0 }, true);
    });
  });
});
