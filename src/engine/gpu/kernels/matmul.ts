/**
 * Plan of a matmul op (shaders/matmul.wgsl ↔ cpu/matmul.ts): the layout chosen by pipeline constants so
 * that each layout compiles to straight-line loads, and the tiling and split-K chosen from the shape.
 * Batch-100 layers have a C of only ~100×1000 (a few thousand threads at 4×4 per thread) but K up to
 * 1001: on a big GPU they are latency-bound, so 'auto' uses small tiles and splits K across grid layers
 * (partial sums in the op's scratch, then a reduce pass) until the GPU has enough threads in flight.
 */
import type { MatmulOp } from '../../ops.ts';
import { grid1d, MAX_GROUPS_PER_DIM, WG_1D, type DispatchSpec, type OpPlan } from './types.ts';

/** A workgroup tiling of C: 32×32 or 64×64 (4×4 per thread), or 128×128 (8×8 per thread). */
export type MatmulTile = 'tile32' | 'tile64' | 'tile128';

/**
 * Which kernel runs a matmul: 'auto' picks from the shape (matmulConfig); a tile name forces that tiling
 * without split-K; `<tile>/split` forces the tiling with the split 'auto' would compute for it, and
 * `<tile>/split<S>` with S slices of K (as far as K and the scratch cap allow). For tests and benchmarks.
 */
export type MatmulVariant = 'auto' | MatmulTile | `${MatmulTile}/split` | `${MatmulTile}/split${number}`;

/** Every tiling, smallest first. */
export const MATMUL_TILES: readonly MatmulTile[] = ['tile32', 'tile64', 'tile128'];

/** Rows and columns of C per workgroup, threads per workgroup, and how each tiling is dispatched. */
export const TILE_SHAPES: Readonly<
  Record<MatmulTile, { readonly side: number; readonly threads: number; readonly entry: string; readonly wg?: number }>
> = {
  tile32: { side: 32, threads: 64, entry: 'matmul', wg: 8 },
  tile64: { side: 64, threads: 256, entry: 'matmul', wg: 16 },
  tile128: { side: 128, threads: 256, entry: 'matmul_128' },
};

/** K elements per K-tile in every kernel: split-K slices are multiples of it. */
export const MATMUL_TK = 16;

/**
 * Tuning of 'auto' for a real GPU, sized for an H200 (132 multiprocessors, 2048 threads each); smaller
 * GPUs fill up sooner, where the same choices remain sound.
 */
export const MATMUL_AUTO = {
  /** 128×128 tiles once C has this many (8×8 per thread needs long K loops and full waves to pay off). */
  tile128MinTiles: 128,
  /** 64×64 tiles without split-K once C has this many (about 2 workgroups per multiprocessor). */
  tile64MinTiles: 256,
  /** Split K until about this many threads are in flight (≈ 4 warps per scheduler on 132 SMs). */
  targetThreads: 65536,
  /** Split only when K is at least this long (12 K-tiles): a short K loop is not worth the reduce pass. */
  splitMinK: 192,
  /** Each K slice covers at least this many elements (4 K-tiles), so partial traffic stays small. */
  minKChunk: 64,
  /** At most this many K slices. */
  maxSplits: 16,
} as const;

/** Most elements of partial sums one op's scratch may hold (16 MiB), whatever the variant asks. */
export const MAX_SPLIT_SCRATCH = 1 << 22;

/** A resolved matmul kernel choice. */
export interface MatmulConfig {
  readonly tile: MatmulTile;
  /** K slices (grid layers); 1 = no split-K, C written directly. */
  readonly splits: number;
  /** K elements per slice (a multiple of MATMUL_TK when splits > 1). */
  readonly kChunk: number;
}

/** Thrown when C is too large for the dispatch grid (over 4 million rows or columns). */
export class MatmulGridError extends RangeError {
  override readonly name = 'MatmulGridError';
}

/** Thrown for a variant string that is not a MatmulVariant (e.g. 'tile48', 'tile64/split0'). */
export class MatmulVariantError extends TypeError {
  override readonly name = 'MatmulVariantError';
}

const VARIANT = /^(tile32|tile64|tile128)(?:\/split(\d*))?$/;

/** A variant's tiling and split request ('auto' split, or a slice count), checked at run time too. */
export function parseMatmulVariant(variant: Exclude<MatmulVariant, 'auto'>): {
  tile: MatmulTile;
  split: number | 'auto';
} {
  const m = VARIANT.exec(variant);
  const slices = m?.[2] === undefined ? 1 : m[2] === '' ? 'auto' : Number(m[2]);
  if (!m || (slices !== 'auto' && !(slices >= 1))) {
    throw new MatmulVariantError(
      `unknown matmul variant '${variant}': use 'auto', a tile (${MATMUL_TILES.join(', ')}), ` +
        `'<tile>/split' or '<tile>/split<S>' with S ≥ 1`,
    );
  }
  return { tile: m[1] as MatmulTile, split: slices };
}

function tilesOf(m: number, n: number, tile: MatmulTile): number {
  const side = TILE_SHAPES[tile].side;
  return Math.ceil(m / side) * Math.ceil(n / side);
}

/**
 * K slices for an m×n×k product on `tile`: `wanted` slices (or enough to reach MATMUL_AUTO.targetThreads
 * for 'auto'), limited by K (slices of at least minKChunk, 'auto' only past splitMinK), maxSplits and the
 * scratch cap; slices are whole K-tiles and none is empty.
 */
export function splitK(m: number, n: number, k: number, tile: MatmulTile, wanted: number | 'auto'): MatmulConfig {
  const A = MATMUL_AUTO;
  let s: number;
  if (wanted === 'auto') {
    const threads = tilesOf(m, n, tile) * TILE_SHAPES[tile].threads;
    s = k < A.splitMinK ? 1 : Math.ceil(A.targetThreads / threads);
    s = Math.min(s, A.maxSplits, Math.floor(k / A.minKChunk));
  } else {
    s = Math.min(wanted, Math.ceil(k / MATMUL_TK));
  }
  s = Math.min(s, Math.floor(MAX_SPLIT_SCRATCH / (m * n)));
  if (s < 2) return { tile, splits: 1, kChunk: k };
  const kChunk = Math.ceil(k / s / MATMUL_TK) * MATMUL_TK;
  const splits = Math.ceil(k / kChunk);
  return splits < 2 ? { tile, splits: 1, kChunk: k } : { tile, splits, kChunk };
}

/**
 * The kernel 'auto' (or a forced variant) uses for an m×n×k product. On a real GPU: the largest tiling
 * whose tile count fills the GPU (MATMUL_AUTO); otherwise, when K is long, split-K on 64×64 tiles; an
 * under-filled product with a short K keeps 64×64 tiles (all its workgroups run at once anyway, and
 * smaller tiles would only add loads). On a CPU-emulated adapter (SwiftShader), where workgroup barriers
 * are expensive and parallelism is a few cores: 128×128 as soon as most of such a tile is useful
 * (measured 4–5× faster at 100×1000×784), never split-K.
 */
export function matmulConfig(
  m: number,
  n: number,
  k: number,
  variant: MatmulVariant = 'auto',
  cpuEmulated = false,
): MatmulConfig {
  if (variant !== 'auto') {
    const { tile, split } = parseMatmulVariant(variant);
    return splitK(m, n, k, tile, split);
  }
  const whole = (tile: MatmulTile): MatmulConfig => ({ tile, splits: 1, kChunk: k });
  if (cpuEmulated) return whole(m >= 96 && n >= 96 ? 'tile128' : 'tile64');
  if (tilesOf(m, n, 'tile128') >= MATMUL_AUTO.tile128MinTiles) return whole('tile128');
  const tiles64 = tilesOf(m, n, 'tile64');
  if (tiles64 >= MATMUL_AUTO.tile64MinTiles) return whole('tile64');
  // Measured on an H200 (bench/results/mnist-ae-h200-run2/matmul-shapes.json): for every batch-100 shape
  // split-K on 64×64 tiles beat split-K on 32×32 tiles (by 1.3–1.5×), so 32×32 tiles are only a forced variant.
  const split64 = splitK(m, n, k, 'tile64', 'auto');
  return split64.splits > 1 ? split64 : whole('tile64');
}

/** A short name of a resolved configuration, e.g. 'tile32', 'tile32/split8' (benchmarks, messages). */
export function describeMatmulConfig(c: MatmulConfig): string {
  return c.splits > 1 ? `${c.tile}/split${c.splits}` : c.tile;
}

/** The dispatches of a matmul: the tiled product, and the reduce pass under split-K. */
export function planMatmul(op: MatmulOp, variant: MatmulVariant = 'auto', cpuEmulated = false): OpPlan {
  const cfg = matmulConfig(op.m, op.n, op.k, variant, cpuEmulated);
  const shape = TILE_SHAPES[cfg.tile];
  const gx = Math.ceil(op.n / shape.side);
  const gy = Math.ceil(op.m / shape.side);
  if (gx > MAX_GROUPS_PER_DIM || gy > MAX_GROUPS_PER_DIM) {
    throw new MatmulGridError(`matmul ${op.m}×${op.n} needs a ${gx}×${gy} grid, over ${MAX_GROUPS_PER_DIM} per side`);
  }
  const params = {
    m: op.m,
    n: op.n,
    k: op.k,
    lda: op.lda,
    ldb: op.ldb,
    ldc: op.ldc,
    a_off: op.a.offset,
    b_off: op.b.offset,
    c_off: op.c.offset,
    alpha: op.alpha,
    beta: op.beta,
    k_chunk: cfg.kChunk,
    splits: cfg.splits,
  };
  const split = cfg.splits > 1;
  const dispatches: DispatchSpec[] = [
    {
      shader: 'matmul',
      entry: shape.entry,
      params,
      f32: { a: op.a, b: op.b, c: op.c },
      scratch: split,
      // matmul_128 has a fixed 16×16 workgroup: WebGPU rejects constants an entry point does not use.
      constants: {
        trans_a: op.layout === 'tn',
        trans_b: op.layout === 'nt',
        ...(shape.wg !== undefined ? { wg_x: shape.wg, wg_y: shape.wg } : {}),
      },
      grid: [gx, gy, cfg.splits],
    },
  ];
  if (split) {
    dispatches.push({
      shader: 'matmul',
      entry: 'matmul_reduce',
      params,
      f32: { c: op.c },
      scratch: true,
      grid: grid1d(op.m * op.n, WG_1D),
    });
  }
  return { scratch: split ? cfg.splits * op.m * op.n : 0, dispatches };
}
