/**
 * How matmul plans are chosen (pure, no GPU work): 'auto' on a big GPU and on SwiftShader for the shapes
 * of batch-100 mnist-ae training and for squares, split-K slice arithmetic (no empty slice, whole K-tiles,
 * the scratch cap), variant parsing, and the dispatches a split plan produces. The kernels each choice
 * leads to are checked against the CPU in matmul.gpu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  describeMatmulConfig,
  MATMUL_AUTO,
  MATMUL_TK,
  matmulConfig,
  MatmulVariantError,
  MAX_SPLIT_SCRATCH,
  parseMatmulVariant,
  planMatmul,
  splitK,
  TILE_SHAPES,
  type MatmulConfig,
  type MatmulVariant,
} from '../../src/engine/gpu/kernels/matmul.ts';
import type { MatmulLayout, MatmulOp } from '../../src/engine/ops.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

const LAYERS = [
  [784, 1000],
  [1000, 500],
  [500, 250],
  [250, 30],
  [30, 250],
  [250, 500],
  [500, 1000],
  [1000, 784],
] as const;

/** Forward (m = 100, n = out, k = in + 1), backprop (n = in + 1, k = out), gradient (m = out, k = 100). */
const MNIST_SHAPES: [number, number, number][] = LAYERS.flatMap(([i, o]) => [
  [100, o, i + 1],
  [100, i + 1, o],
  [o, i + 1, 100],
]);

const name = (m: number, n: number, k: number, cpu = false) => describeMatmulConfig(matmulConfig(m, n, k, 'auto', cpu));

function workgroups(m: number, n: number, c: MatmulConfig): number {
  const side = TILE_SHAPES[c.tile].side;
  return Math.ceil(m / side) * Math.ceil(n / side) * c.splits;
}

/** Slices cover K exactly once: whole K-tiles each, the last one non-empty. */
function expectSlicesCoverK(k: number, c: MatmulConfig): void {
  if (c.splits === 1) {
    expect(c.kChunk).toBeGreaterThanOrEqual(k);
    return;
  }
  expect(c.kChunk % MATMUL_TK).toBe(0);
  expect(c.splits * c.kChunk).toBeGreaterThanOrEqual(k);
  expect((c.splits - 1) * c.kChunk).toBeLessThan(k);
}

describe("'auto' on a big GPU", () => {
  it('splits K of the skinny batch-100 layers (hand-worked)', () => {
    // 100×1000 C: 2×16 tiles of 64 → 8 slices of 112 (7 K-tiles) reach 256 workgroups of 256 threads.
    expect(matmulConfig(100, 1000, 785)).toEqual({ tile: 'tile64', splits: 8, kChunk: 112 });
    // 100×500 C: 16 tiles of 64, 13 slices of 80 (the thread target caps at k / 64 = 15 slices, rounded to K-tiles).
    // 32×32 tiles would give more workgroups, but on the H200 64×64/split beat them on every batch-100 shape.
    expect(matmulConfig(100, 500, 1001)).toEqual({ tile: 'tile64', splits: 13, kChunk: 80 });
    expect(name(100, 30, 251)).toBe('tile64/split3');
  });

  it('does not split a short K, nor fill a GPU that is already full', () => {
    expect(name(1000, 785, 100)).toBe('tile64'); // gradient: K = batch
    expect(name(100, 250, 31)).toBe('tile64');
    expect(name(65, 129, 1)).toBe('tile64');
    expect(name(1024, 1024, 1024)).toBe('tile64');
    expect(name(1001, 1001, 1001)).toBe('tile64');
    expect(name(2048, 1024, 1024)).toBe('tile128');
    expect(name(4096, 4096, 4096)).toBe('tile128');
    expect(name(785, 785, 785)).toBe('tile64/split2');
  });

  it.each(MNIST_SHAPES)('%i×%i×%i: no 32×32 tiles; a short K is never split', (m, n, k) => {
    const c = matmulConfig(m, n, k);
    expectSlicesCoverK(k, c);
    expect(c.tile, describeMatmulConfig(c)).not.toBe('tile32');
    if (k < MATMUL_AUTO.splitMinK) expect(c.splits).toBe(1);
    // Under-filled products with a long K are split (unless 64×64 tiles already fill the GPU).
    if (k >= MATMUL_AUTO.splitMinK && workgroups(m, n, { ...c, splits: 1 }) < MATMUL_AUTO.tile64MinTiles) {
      expect(c.splits, describeMatmulConfig(c)).toBeGreaterThan(1);
    }
    expect(c.splits * m * n).toBeLessThanOrEqual(MAX_SPLIT_SCRATCH);
  });
});

it("'auto' on SwiftShader: 128×128 tiles once most of one is used, never split-K", () => {
  expect(name(100, 1000, 785, true)).toBe('tile128');
  expect(name(64, 64, 1000, true)).toBe('tile64');
  expect(name(100, 30, 251, true)).toBe('tile64');
});

describe('forced variants', () => {
  it('parse, and refuse what is not a variant', () => {
    expect(parseMatmulVariant('tile32')).toEqual({ tile: 'tile32', split: 1 });
    expect(parseMatmulVariant('tile64/split')).toEqual({ tile: 'tile64', split: 'auto' });
    expect(parseMatmulVariant('tile128/split12')).toEqual({ tile: 'tile128', split: 12 });
    for (const bad of ['tile48', 'tile64/split0', 'tile64/splitx', 'tile64/', 'auto/split']) {
      expect(() => parseMatmulVariant(bad as Exclude<MatmulVariant, 'auto'>)).toThrow(MatmulVariantError);
    }
  });

  it('take S slices as far as whole K-tiles allow', () => {
    expect(matmulConfig(100, 500, 1001, 'tile64/split4')).toEqual({ tile: 'tile64', splits: 4, kChunk: 256 });
    // 100 = 6 K-tiles + 4: at most 7 slices, the last of 4 elements.
    expect(matmulConfig(5, 5, 100, 'tile32/split16')).toEqual({ tile: 'tile32', splits: 7, kChunk: 16 });
    // ⌈1001 / 6⌉ = 167 → 176 per slice: 6 slices (the last 121).
    expect(matmulConfig(3, 3, 1001, 'tile128/split6')).toEqual({ tile: 'tile128', splits: 6, kChunk: 176 });
    expect(matmulConfig(5, 5, 16, 'tile32/split16').splits).toBe(1);
    expect(matmulConfig(5, 5, 1000, 'tile64').splits).toBe(1);
    for (const k of [17, 33, 100, 257, 1001]) {
      for (const s of [2, 3, 5, 16]) expectSlicesCoverK(k, splitK(4, 4, k, 'tile32', s));
    }
  });

  it('never exceed the scratch cap', () => {
    const mn = MAX_SPLIT_SCRATCH / 4;
    expect(splitK(mn, 1, 1000, 'tile32', 16).splits).toBe(4);
    expect(splitK(MAX_SPLIT_SCRATCH / 2 + 1, 1, 1000, 'tile32', 16).splits).toBe(1);
  });
});

describe('plans', () => {
  let id = 1;
  const t = (size: number, offset = 0): Tensor => ({
    storage: { id: id++, size: size + offset, dtype: 'f32', label: 't' },
    offset,
    size,
  });
  const op = (layout: MatmulLayout, m: number, n: number, k: number): MatmulOp => ({
    op: 'matmul',
    layout,
    m,
    n,
    k,
    a: t(m * k, 3),
    lda: layout === 'tn' ? m : k,
    b: t(k * n),
    ldb: layout === 'nt' ? k : n,
    c: t(m * n, 5),
    ldc: n,
    alpha: 2,
    beta: 0.5,
  });

  it('split-K: the tiled pass into scratch over S grid layers, then a reduce over m·n', () => {
    const plan = planMatmul(op('nt', 100, 1000, 785));
    expect(plan.scratch).toBe(8 * 100 * 1000);
    const [main, reduce] = plan.dispatches;
    expect(main!.entry).toBe('matmul');
    expect(main!.grid).toEqual([16, 2, 8]);
    expect(main!.constants).toEqual({ trans_a: false, trans_b: true, wg_x: 16, wg_y: 16 });
    expect(main!.params).toMatchObject({ k: 785, k_chunk: 112, splits: 8, a_off: 3, c_off: 5, alpha: 2, beta: 0.5 });
    expect(main!.scratch).toBe(true);
    expect(reduce!.entry).toBe('matmul_reduce');
    expect(reduce!.grid[0] * reduce!.grid[1] * 256).toBeGreaterThanOrEqual(100 * 1000);
    expect(reduce!.constants).toBeUndefined();
    expect(Object.keys(reduce!.f32)).toEqual(['c']);
    expect(reduce!.scratch).toBe(true);
  });

  it('without split: one dispatch over all of K, no scratch; tilings by workgroup shape', () => {
    const whole = planMatmul(op('tn', 65, 129, 7), 'tile32');
    expect(whole.scratch).toBe(0);
    expect(whole.dispatches).toHaveLength(1);
    expect(whole.dispatches[0]!.grid).toEqual([5, 3, 1]);
    expect(whole.dispatches[0]!.params).toMatchObject({ k_chunk: 7, splits: 1 });
    expect(whole.dispatches[0]!.constants).toEqual({ trans_a: true, trans_b: false, wg_x: 8, wg_y: 8 });
    const big = planMatmul(op('nn', 65, 129, 7), 'tile128');
    expect(big.dispatches[0]!.entry).toBe('matmul_128');
    expect(big.dispatches[0]!.grid).toEqual([2, 1, 1]);
    expect(big.dispatches[0]!.constants).toEqual({ trans_a: false, trans_b: false });
  });
});
