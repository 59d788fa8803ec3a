/**
 * Marching-squares contour lines of a scalar field sampled on a regular grid, for the loss contours of the
 * two-parameter demo. Output is line segments in grid coordinates (column, row), which the caller maps to
 * pixels; saddle cells are resolved with the cell-centre average so contours never cross.
 */

/** One contour segment from (x1, y1) to (x2, y2) in grid coordinates: x = column, y = row (fractional). */
export type Segment = [number, number, number, number];

/** Thrown when the field's length does not match its stated grid shape. */
export class ContourShapeError extends Error {
  constructor(len: number, nx: number, ny: number) {
    super(`Contour field has ${len} values but the grid is ${nx}×${ny} = ${nx * ny}; pass a row-major ny×nx array.`);
    this.name = 'ContourShapeError';
  }
}

// For each of the 16 corner cases, pairs of cell edges joined by a segment. Edges: 0 bottom (row y, between
// corners 0 and 1), 1 right, 2 top (row y+1), 3 left. Corner bits: 1 = (x,y), 2 = (x+1,y), 4 = (x+1,y+1),
// 8 = (x,y+1). Cases 5 and 10 are saddles, handled separately.
const EDGE_TABLE: readonly (readonly [number, number][])[] = [
  [],
  [[3, 0]],
  [[0, 1]],
  [[3, 1]],
  [[1, 2]],
  [],
  [[0, 2]],
  [[3, 2]],
  [[2, 3]],
  [[0, 2]],
  [],
  [[1, 2]],
  [[1, 3]],
  [[0, 1]],
  [[3, 0]],
  [],
];

/**
 * Segments of the level set {f = level} of a row-major ny×nx field (f[y·nx + x]). Cells with a non-finite
 * corner are skipped. A corner counts as "above" when f ≥ level.
 */
export function marchingSquares(field: ArrayLike<number>, nx: number, ny: number, level: number): Segment[] {
  if (field.length !== nx * ny) throw new ContourShapeError(field.length, nx, ny);
  const segs: Segment[] = [];
  const at = (x: number, y: number): number => field[y * nx + x]!;
  for (let y = 0; y + 1 < ny; y++) {
    for (let x = 0; x + 1 < nx; x++) {
      const v0 = at(x, y);
      const v1 = at(x + 1, y);
      const v2 = at(x + 1, y + 1);
      const v3 = at(x, y + 1);
      if (!Number.isFinite(v0 + v1 + v2 + v3)) continue;
      const c = (v0 >= level ? 1 : 0) | (v1 >= level ? 2 : 0) | (v2 >= level ? 4 : 0) | (v3 >= level ? 8 : 0);
      if (c === 0 || c === 15) continue;
      // Where the level crosses each edge, by linear interpolation along it.
      const t = (a: number, b: number): number => (a === b ? 0.5 : (level - a) / (b - a));
      const point = (edge: number): [number, number] => {
        switch (edge) {
          case 0:
            return [x + t(v0, v1), y];
          case 1:
            return [x + 1, y + t(v1, v2)];
          case 2:
            return [x + t(v3, v2), y + 1];
          default:
            return [x, y + t(v0, v3)];
        }
      };
      let pairs: readonly (readonly [number, number])[] = EDGE_TABLE[c]!;
      if (c === 5 || c === 10) {
        // Saddle: the centre's side decides which diagonal pair of corners is connected. When corners 0
        // and 2 share the centre's side, cut off corners 1 and 3; otherwise cut off corners 0 and 2.
        const centreAbove = (v0 + v1 + v2 + v3) / 4 >= level;
        const cutCorners13 = c === 5 ? centreAbove : !centreAbove;
        pairs = cutCorners13
          ? [
              [3, 2],
              [0, 1],
            ]
          : [
              [3, 0],
              [1, 2],
            ];
      }
      for (const [e1, e2] of pairs) {
        const p = point(e1);
        const q = point(e2);
        segs.push([p[0], p[1], q[0], q[1]]);
      }
    }
  }
  return segs;
}

/**
 * `count` contour levels between the field's finite minimum and a high quantile, spaced geometrically above
 * the minimum: loss valleys are narrow, so evenly spaced levels would crowd at the walls and leave the floor
 * empty. Returns [] for a field without two distinct finite values.
 */
export function contourLevels(field: ArrayLike<number>, count: number, quantile = 0.9): number[] {
  const vals: number[] = [];
  for (let i = 0; i < field.length; i++) if (Number.isFinite(field[i]!)) vals.push(field[i]!);
  if (vals.length < 2 || count < 1) return [];
  vals.sort((a, b) => a - b);
  const lo = vals[0]!;
  const hi = vals[Math.min(vals.length - 1, Math.floor(quantile * (vals.length - 1)))]!;
  if (!(hi > lo)) return [];
  const span = hi - lo;
  const levels: number[] = [];
  // Offsets span·r^(count−k), r chosen so the smallest offset is ~1% of the span.
  const r = Math.pow(100, 1 / Math.max(1, count - 1));
  for (let k = 0; k < count; k++) levels.push(lo + span * Math.pow(r, k - (count - 1)));
  return levels;
}
