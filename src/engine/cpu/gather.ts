/**
 * CPU reference of shaders/gather.wgsl: dst[i, :cols] = src[idx[i], :cols] (minibatch rows out of a
 * dataset), with an optional ones column dst[i, cols] = 1 for the bias input.
 * An index past the last row of src throws GatherIndexError (the WGSL clamps or skips: never trust it).
 */
import type { FloatArray } from './types.ts';

/** Thrown at run time when an index in idx points past the end of src. */
export class GatherIndexError extends RangeError {
  override readonly name = 'GatherIndexError';
}

/** Copies rows idx[0..rows) of src (row length cols, `srcRows` rows) into dst (leading dim ldDst). */
export function gather(
  rows: number,
  cols: number,
  src: FloatArray,
  srcOff: number,
  srcRows: number,
  idx: Uint32Array,
  idxOff: number,
  dst: FloatArray,
  dstOff: number,
  ldDst: number,
  ones: boolean,
  srcLabel: string,
): void {
  for (let i = 0; i < rows; i++) {
    const r = idx[idxOff + i]!;
    if (r >= srcRows) {
      throw new GatherIndexError(`gather: idx[${i}] = ${r} but '${srcLabel}' has only ${srcRows} rows of ${cols}`);
    }
    const so = srcOff + r * cols;
    const d = dstOff + i * ldDst;
    // subarray + set is a memcpy when both sides share a type, and converts f32↔f64 otherwise.
    dst.set(src.subarray(so, so + cols), d);
    if (ones) dst[d + cols] = 1;
  }
}
