/**
 * Plan of a matmul op (shaders/matmul.wgsl ↔ cpu/matmul.ts): one tiled dispatch, the layout chosen by
 * pipeline constants so that each layout compiles to straight-line loads, and the tiling by size: 64×64
 * tiles keep small products (batch-100 layers) spread over many workgroups, 128×128 tiles with 8×8 per
 * thread do twice the arithmetic per workgroup-memory read once C has enough tiles to fill a big GPU.
 */
import type { MatmulOp } from '../../ops.ts';
import { MAX_GROUPS_PER_DIM, type OpPlan } from './types.ts';

/** Threads per workgroup along n (x) and m (y); each computes a 4×4 block of C. */
export const MATMUL_WG = { x: 16, y: 16 } as const;
/** Rows (m) and columns (n) of C per workgroup. */
export const MATMUL_TILE = { m: 4 * MATMUL_WG.y, n: 4 * MATMUL_WG.x } as const;

/** Thrown when C is too large for the dispatch grid (over 4 million rows or columns). */
export class MatmulGridError extends RangeError {
  override readonly name = 'MatmulGridError';
}

/** Which entry point runs a matmul: 'auto' picks by size (see matmulTiling). */
export type MatmulVariant = 'auto' | 'tile64' | 'tile128';

/** 128×128 tiles once C has at least this many of them (an H200 has 132 multiprocessors). */
export const TILE128_MIN_TILES = 128;

/**
 * The tiling 'auto' uses for an m×n product. On a real GPU: 128×128 once C has enough tiles to fill it.
 * On a CPU-emulated adapter (SwiftShader), where workgroup barriers are expensive and parallelism is a
 * few cores: 128×128 as soon as most of such a tile is useful (measured 4–5× faster at 100×1000×784).
 */
export function matmulTiling(m: number, n: number, cpuEmulated = false): 'tile64' | 'tile128' {
  if (cpuEmulated) return m >= 96 && n >= 96 ? 'tile128' : 'tile64';
  return Math.ceil(m / 128) * Math.ceil(n / 128) >= TILE128_MIN_TILES ? 'tile128' : 'tile64';
}

export function planMatmul(op: MatmulOp, variant: MatmulVariant = 'auto', cpuEmulated = false): OpPlan {
  const tiling = variant === 'auto' ? matmulTiling(op.m, op.n, cpuEmulated) : variant;
  const tile = tiling === 'tile128' ? { m: 128, n: 128 } : MATMUL_TILE;
  const gx = Math.ceil(op.n / tile.n);
  const gy = Math.ceil(op.m / tile.m);
  if (gx > MAX_GROUPS_PER_DIM || gy > MAX_GROUPS_PER_DIM) {
    throw new MatmulGridError(`matmul ${op.m}×${op.n} needs a ${gx}×${gy} grid, over ${MAX_GROUPS_PER_DIM} per side`);
  }
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'matmul',
        entry: tiling === 'tile128' ? 'matmul_128' : 'matmul',
        params: {
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
        },
        f32: { a: op.a, b: op.b, c: op.c },
        // matmul_128 has a fixed 16×16 workgroup: WebGPU rejects constants an entry point does not use.
        constants: {
          trans_a: op.layout === 'tn',
          trans_b: op.layout === 'nt',
          ...(tiling === 'tile64' ? { wg_x: MATMUL_WG.x, wg_y: MATMUL_WG.y } : {}),
        },
        grid: [gx, gy, 1],
      },
    ],
  };
}
