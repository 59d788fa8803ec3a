/**
 * Which training rows each step uses, and how evaluation walks a split. Batches are drawn uniformly with
 * replacement as a pure function of (seed, step), so runs racing on one seed see the same batches whatever
 * their speed, and a resumed or re-run step draws the same rows.
 */
import { Rng, Stream } from '../rng.ts';

/** Thrown for a batch or chunk request that cannot be met. */
export class SamplerError extends Error {
  override name = 'SamplerError';
}

/** Rng.int draws from a 24-bit uniform: beyond 2^24 rows some would never be drawn. */
export const MAX_SAMPLER_ROWS = 2 ** 24;

/**
 * Row indices of the batch for `step`: idx[i] = floor(u_i · n) where u_i is the 24-bit uniform of
 * Rng(seed, stream, step · batch) draw i, i.e. floor(((w >>> 8) · n) / 2^24) for the block's first word w —
 * an exact integer formula a GPU kernel can mirror. `stream` is Stream.batch for the training batch and
 * Stream.auxBatch for FishLeg's auxiliary batch (see `auxBatchIndices`).
 */
export function batchIndices(
  seed: number,
  step: number,
  batch: number,
  n: number,
  stream: number = Stream.batch,
): Uint32Array {
  if (!Number.isInteger(step) || step < 0) throw new SamplerError(`step must be a non-negative integer, got ${step}`);
  if (!Number.isInteger(batch) || batch < 1) throw new SamplerError(`batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLER_ROWS) {
    throw new SamplerError(`cannot sample from ${n} rows: need an integer from 1 to ${MAX_SAMPLER_ROWS}`);
  }
  if (step * batch + batch > Number.MAX_SAFE_INTEGER) throw new SamplerError(`step ${step} is too large`);
  const rng = new Rng(seed, stream, step * batch);
  const out = new Uint32Array(batch);
  for (let i = 0; i < batch; i++) out[i] = rng.int(n);
  return out;
}

/** FishLeg's auxiliary batch for `step`: the same rule on Stream.auxBatch, independent of the training batch. */
export function auxBatchIndices(seed: number, step: number, batch: number, n: number): Uint32Array {
  return batchIndices(seed, step, batch, n, Stream.auxBatch);
}

/** Copies rows `idx` of a row-major matrix with `width` columns into `out` (allocated when not given). */
export function gatherRows(
  src: Float32Array,
  width: number,
  idx: ArrayLike<number>,
  out = new Float32Array(idx.length * width),
): Float32Array {
  if (out.length < idx.length * width) {
    throw new SamplerError(`gather target holds ${out.length} values, needs ${idx.length} × ${width}`);
  }
  const rows = src.length / width;
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    if (!(i >= 0 && i < rows)) throw new SamplerError(`row index ${i} is outside 0..${rows - 1}`);
    out.set(src.subarray(i * width, (i + 1) * width), r * width);
  }
  return out;
}

/** One evaluation chunk: rows [start, start + count). */
export interface Chunk {
  readonly start: number;
  readonly count: number;
}

/** Splits rows 0..n-1 into consecutive chunks of `chunk` rows (the last one may be shorter). */
export function evalChunks(n: number, chunk: number): Chunk[] {
  if (!Number.isInteger(n) || n < 0) throw new SamplerError(`row count must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new SamplerError(`chunk must be a positive integer, got ${chunk}`);
  const out: Chunk[] = [];
  for (let start = 0; start < n; start += chunk) out.push({ start, count: Math.min(chunk, n - start) });
  return out;
}
