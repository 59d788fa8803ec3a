/**
 * Turns the views' data into RGBA pixel buffers and maps data coordinates to pixels. Pure (no canvas), so
 * the orientation conventions — matrix row 0 at the top, probability-grid row 0 (ymin) at the bottom — are
 * unit-tested; the components only copy these buffers into ImageData.
 */
import { blendClasses, divergingColour, MISSING_RGB, type Rgb } from './colour.ts';
import type { ProbabilityGrid } from './types.ts';

const put = (out: Uint8ClampedArray, px: number, c: Rgb): void => {
  out[4 * px] = c[0];
  out[4 * px + 1] = c[1];
  out[4 * px + 2] = c[2];
  out[4 * px + 3] = 255;
};

/** True when `a` has at least one finite entry (empty or all-NaN data means "no data yet"). */
export function hasFinite(a: ArrayLike<number> | null | undefined): boolean {
  if (!a) return false;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) return true;
  return false;
}

/** RGBA of a row-major rows×cols matrix on a diverging scale; row 0 is the top row, as a matrix is printed. */
export function matrixToRgba(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  range: number,
  gamma = 1,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < rows * cols; i++)
    put(out, i, i < values.length ? divergingColour(values[i]!, range, gamma) : MISSING_RGB);
  return out;
}

/** Why a probability grid cannot be drawn, or null when it can. */
export function gridProblem(grid: ProbabilityGrid | null, classes: number): string | null {
  if (!grid) return 'no data yet';
  if (!(grid.size >= 2) || !Number.isInteger(grid.size)) return 'no data yet';
  if (grid.probs.length !== grid.size * grid.size * classes) {
    return `grid has ${grid.probs.length} values, expected ${grid.size}²×${classes}`;
  }
  const [x0, x1, y0, y1] = grid.extent;
  if (!(x1 > x0) || !(y1 > y0)) return 'grid extent is empty';
  if (!hasFinite(grid.probs)) return 'no data yet';
  return null;
}

/**
 * RGBA (size×size) of a probability grid: class colours blended by probability. Grid row 0 is y = ymin,
 * which is the bottom of the picture, so rows are flipped on the way out.
 */
export function probGridToRgba(grid: ProbabilityGrid, classes: number): Uint8ClampedArray {
  const n = grid.size;
  const out = new Uint8ClampedArray(n * n * 4);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      put(out, (n - 1 - r) * n + c, blendClasses(grid.probs, (r * n + c) * classes, classes));
    }
  }
  return out;
}

/** RGBA of a greyscale image with values in [0, 1] (white background, dark ink), optionally from logits. */
export function greyToRgba(img: ArrayLike<number>, width: number, height: number, logits = false): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const raw = i < img.length ? img[i]! : NaN;
    const v = logits ? 1 / (1 + Math.exp(-raw)) : raw;
    if (!Number.isFinite(v)) {
      put(out, i, MISSING_RGB);
      continue;
    }
    const g = 255 * (1 - Math.min(1, Math.max(0, v)));
    put(out, i, [g, g, g]);
  }
  return out;
}

/** Maps data coordinates in `extent` = [xmin, xmax, ymin, ymax] to pixels of a w×h picture (y up). */
export function dataToPixel(
  extent: readonly [number, number, number, number],
  w: number,
  h: number,
): (x: number, y: number) => [number, number] {
  const [x0, x1, y0, y1] = extent;
  return (x, y) => [((x - x0) / (x1 - x0)) * w, ((y1 - y) / (y1 - y0)) * h];
}

/**
 * The extent of a grid's picture edges: the grid's cell centres span `extent`, so each picture edge lies half
 * a cell outside it. Drawing the size×size image over this padded extent puts every cell centre where it
 * belongs.
 */
export function paddedExtent(grid: ProbabilityGrid): [number, number, number, number] {
  const [x0, x1, y0, y1] = grid.extent;
  const hx = (x1 - x0) / (grid.size - 1) / 2;
  const hy = (y1 - y0) / (grid.size - 1) / 2;
  return [x0 - hx, x1 + hx, y0 - hy, y1 + hy];
}

/** Index of the largest finite entry of probs[offset .. offset+k), or -1 when none is finite. */
export function argmax(probs: ArrayLike<number>, offset = 0, k = probs.length - offset): number {
  let best = -1;
  let bv = -Infinity;
  for (let i = 0; i < k; i++) {
    const v = probs[offset + i]!;
    if (Number.isFinite(v) && v > bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}
