/**
 * The pure pieces of the image-net views (image-net.tsx): filter planes out of a ConvFrame's filters, one
 * channel out of an NHWC feature map, how large to draw a tile, and the rows of the probability chart.
 */
import { matrixToRgba } from './raster.ts';
import { symmetricRange } from './colour.ts';
import type { FilterSet, MapShape } from './types.ts';

export type { FilterSet, MapShape } from './types.ts';

/** One filter plane: output channel `filter`, input channel `channel`, h×w row-major. */
export interface FilterPlane {
  readonly filter: number;
  readonly channel: number;
  readonly values: Float32Array;
}

/** Every plane of every filter, filter by filter; a short buffer gives the planes it holds whole. */
export function filterPlanes(f: FilterSet): FilterPlane[] {
  const plane = f.h * f.w;
  const out: FilterPlane[] = [];
  for (let o = 0; o < f.count; o++)
    for (let ci = 0; ci < f.channels; ci++) {
      const at = (o * f.channels + ci) * plane;
      if (at + plane > f.values.length) return out;
      out.push({ filter: o, channel: ci, values: f.values.subarray(at, at + plane) });
    }
  return out;
}

/** The filters drawn on one diverging scale symmetric around 0: the largest |weight| over them all. */
export function filterRange(f: FilterSet): number {
  return symmetricRange(f.values);
}

/** RGBA of one filter plane on the shared diverging scale (negative one colour, positive the other, 0 white). */
export function filterRgba(p: FilterPlane, h: number, w: number, range: number): Uint8ClampedArray {
  return matrixToRgba(p.values, h, w, range);
}

/** Channel `ch` of one NHWC image (h·w·c values) as an h×w row-major plane. */
export function channelPlane(values: ArrayLike<number>, maps: MapShape, ch: number): Float32Array {
  if (!(ch >= 0 && ch < maps.c)) throw new RangeError(`channel ${ch} is outside 0…${maps.c - 1}`);
  const out = new Float32Array(maps.h * maps.w);
  for (let i = 0; i < out.length; i++) out[i] = i * maps.c + ch < values.length ? values[i * maps.c + ch]! : NaN;
  return out;
}

/**
 * A plane rescaled to [0, 1] by its own finite minimum and maximum (a flat plane becomes all 0), so each map
 * shows where it responds most, whatever its scale; `lo` and `hi` say what 0 and 1 stand for.
 */
export function normalisePlane(plane: ArrayLike<number>): { values: Float32Array; lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i]!;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const values = new Float32Array(plane.length);
  if (!(hi >= lo)) return { values: values.fill(NaN), lo: NaN, hi: NaN };
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i]!;
    values[i] = !Number.isFinite(v) ? NaN : hi > lo ? (v - lo) / (hi - lo) : 0;
  }
  return { values, lo, hi };
}

/** Drawn pixels per image pixel so that the longer side of an h×w tile is about `target` CSS pixels (≥ 1). */
export function tileScale(h: number, w: number, target: number): number {
  const side = Math.max(1, h, w);
  return Math.max(1, Math.round(target / side));
}

/** One row of the probability chart. */
export interface ProbabilityRow {
  readonly k: number;
  /** In [0, 1]; a non-finite probability reads 0. */
  readonly p: number;
  readonly truth: boolean;
  readonly predicted: boolean;
}

/** The chart's rows in class order, with the true class (−1: unknown) and the predicted (largest) one marked. */
export function probabilityRows(probs: ArrayLike<number>, classes: number, truth: number): ProbabilityRow[] {
  let best = -1;
  for (let k = 0; k < classes; k++) {
    const p = probs[k];
    if (p !== undefined && Number.isFinite(p) && (best < 0 || p > probs[best]!)) best = k;
  }
  return Array.from({ length: classes }, (_, k) => {
    const p = probs[k];
    return {
      k,
      p: p !== undefined && Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0,
      truth: k === truth,
      predicted: k === best,
    };
  });
}

/** The example after `at` moving by `delta` among `count`, wrapping around. */
export function stepExample(at: number, delta: number, count: number): number {
  if (!(count > 0)) return 0;
  return (((at + delta) % count) + count) % count;
}

/** One block of the image-net diagram, left to right. */
export type DiagramBlock =
  | { readonly kind: 'maps'; readonly shape: MapShape; readonly label: string; readonly learned: boolean }
  | { readonly kind: 'flatten'; readonly size: number }
  | { readonly kind: 'units'; readonly size: number; readonly label: string };

/** What the diagram needs of a layer (LayerInfo's fields). */
export interface DiagramLayer {
  readonly size: number;
  readonly label: string;
  readonly maps?: MapShape;
  readonly inputMaps?: MapShape;
  /** Output width of a flat layer (LayerInfo.m, its Kronecker output side). */
  readonly m: number;
}

/**
 * The diagram's blocks: the input image, then each layer as a stack of maps (its output image) or a column of
 * units, with a flatten block wherever a flat layer reads an image. Null for a net whose first layer reads no
 * image (a dense net keeps its own diagram).
 */
export function diagramBlocks(layers: readonly DiagramLayer[]): DiagramBlock[] | null {
  const input = layers[0]?.inputMaps;
  if (!input) return null;
  const blocks: DiagramBlock[] = [{ kind: 'maps', shape: input, label: 'input', learned: false }];
  let image: MapShape | null = input;
  layers.forEach((l) => {
    if (l.maps) {
      blocks.push({ kind: 'maps', shape: l.maps, label: l.label, learned: l.size > 0 });
      image = l.maps;
      return;
    }
    if (image) blocks.push({ kind: 'flatten', size: image.h * image.w * image.c });
    image = null;
    blocks.push({ kind: 'units', size: l.m, label: l.label });
  });
  return blocks;
}
