/**
 * The views' pure helpers: colour scales (endpoints, symmetry, NaN), class blending, raster orientation of
 * matrices and probability grids, data→pixel mapping, and marching-squares contours against analytic level
 * sets (a straight line and a circle).
 */
import { describe, expect, it } from 'vitest';
import {
  blendClasses,
  classColour,
  ColourParseError,
  divergingColour,
  divergingValueAt,
  MISSING_RGB,
  parseHex,
  parseHexOr,
  sequentialColour,
  symmetricRange,
  toHex,
} from './colour.ts';
import { contourLevels, ContourShapeError, marchingSquares } from './contour.ts';
import {
  argmax,
  dataToPixel,
  greyToRgba,
  gridProblem,
  hasFinite,
  matrixToRgba,
  paddedExtent,
  probGridToRgba,
} from './raster.ts';

describe('colour scales', () => {
  it('parses hex colours and rejects others with a named error', () => {
    expect(parseHex('#1f77b4')).toEqual([31, 119, 180]);
    expect(parseHex('#fA0')).toEqual([255, 170, 0]);
    expect(() => parseHex('red')).toThrow(ColourParseError);
    expect(() => parseHex('#12345')).toThrow(ColourParseError);
    expect(parseHexOr('url(javascript:1)')).toEqual([128, 128, 128]);
    expect(toHex([31, 119, 180])).toBe('#1f77b4');
    expect(toHex([300, -4, 127.6])).toBe('#ff0080');
  });

  it('diverging: −r is blue, 0 is white-ish, +r is red, symmetric, clamped, NaN grey', () => {
    expect(divergingColour(-2, 2)).toEqual([33, 102, 172]);
    expect(divergingColour(0, 2)).toEqual([247, 247, 247]);
    expect(divergingColour(2, 2)).toEqual([178, 24, 43]);
    expect(divergingColour(50, 2)).toEqual([178, 24, 43]);
    expect(divergingColour(Number.NaN, 2)).toBe(MISSING_RGB);
    expect(divergingColour(1, 0)).toEqual([247, 247, 247]);
    // Halfway to +r sits exactly on stop 4.5 of 6: the mean of stops 4 and 5.
    expect(divergingColour(1, 2)).toEqual([(253 + 239) / 2, (219 + 138) / 2, (199 + 98) / 2]);
    // gamma 0.5: value r/4 is drawn where r/2 is drawn linearly.
    expect(divergingColour(0.5, 2, 0.5)).toEqual(divergingColour(1, 2));
  });

  it('the legend inverse maps positions back to values', () => {
    for (const gamma of [1, 0.5]) {
      for (const v of [-3, -0.2, 0, 0.7, 3]) {
        const s = Math.abs(v / 3) ** gamma;
        const t = 0.5 + 0.5 * Math.sign(v) * s;
        expect(divergingValueAt(t, 3, gamma)).toBeCloseTo(v, 12);
      }
    }
  });

  it('symmetric range is the largest finite |value| over all arrays', () => {
    expect(symmetricRange(new Float32Array([1, -5, Number.NaN]), [Infinity, 3])).toBe(5);
    expect(symmetricRange([], [Number.NaN])).toBe(0);
  });

  it('sequential scale runs from viridis purple to yellow', () => {
    expect(sequentialColour(0, 0, 1)).toEqual([68, 1, 84]);
    expect(sequentialColour(1, 0, 1)).toEqual([253, 231, 37]);
    expect(sequentialColour(Number.NaN, 0, 1)).toBe(MISSING_RGB);
  });

  it('blends class colours: a one-hot is the pure colour at 85 %, uniform is pale, NaN is grey', () => {
    const c1 = classColour(1);
    const one = blendClasses([0, 1, 0], 0, 3);
    for (let k = 0; k < 3; k++) expect(one[k]).toBeCloseTo(255 + (c1[k]! - 255) * 0.85, 10);
    const uniform = blendClasses([0.5, 0.5], 0, 2);
    const c0 = classColour(0);
    expect(uniform[0]).toBeCloseTo(255 + ((c0[0] + c1[0]) / 2 - 255) * 0.25, 10);
    expect(blendClasses([Number.NaN, 1], 0, 2)).toBe(MISSING_RGB);
    expect(blendClasses([0, 0], 0, 2)).toBe(MISSING_RGB);
    expect(classColour(12)).toEqual(classColour(2));
  });
});

describe('rasters', () => {
  it('draws matrix row 0 at the top and pads short data with the missing colour', () => {
    const px = matrixToRgba([2, 0, 0, -2, 0], 2, 3, 2);
    expect(Array.from(px.slice(0, 4))).toEqual([178, 24, 43, 255]);
    expect(Array.from(px.slice(12, 16))).toEqual([33, 102, 172, 255]);
    expect(Array.from(px.slice(20, 24))).toEqual([...MISSING_RGB, 255]);
  });

  it('draws probability-grid row 0 (y = ymin) at the bottom of the picture', () => {
    // 2×2 grid, 2 classes: only grid row 0, column 1 is class 1.
    const grid = {
      size: 2,
      extent: [0, 1, 0, 1] as [number, number, number, number],
      probs: new Float32Array([1, 0, 0, 1, 1, 0, 1, 0]),
    };
    const px = probGridToRgba(grid, 2);
    const pure = (k: number): number[] => [...blendClasses(k === 0 ? [1, 0] : [0, 1], 0, 2).map(Math.round), 255];
    // Picture row 1 (bottom) column 1 is pixel 3.
    expect(Array.from(px.slice(12, 16))).toEqual(pure(1));
    expect(Array.from(px.slice(0, 4))).toEqual(pure(0));
    expect(gridProblem(grid, 2)).toBeNull();
    expect(gridProblem(grid, 3)).toMatch(/expected 2²×3/);
    expect(gridProblem(null, 2)).toBe('no data yet');
    expect(gridProblem({ ...grid, probs: new Float32Array(8).fill(Number.NaN) }, 2)).toBe('no data yet');
  });

  it('maps data to pixels with y up and pads the grid extent by half a cell', () => {
    const map = dataToPixel([-1, 1, -2, 2], 200, 100);
    expect(map(-1, 2)).toEqual([0, 0]);
    expect(map(1, -2)).toEqual([200, 100]);
    expect(map(0, 0)).toEqual([100, 50]);
    expect(paddedExtent({ size: 3, extent: [0, 2, 0, 4], probs: new Float32Array(0) })).toEqual([-0.5, 2.5, -1, 5]);
  });

  it('greyscale images: 0 white, 1 black, logits through a sigmoid, NaN grey', () => {
    const px = greyToRgba([0, 1, Number.NaN, 0], 2, 2, false);
    expect(Array.from(px.slice(0, 8))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    expect(Array.from(px.slice(8, 11))).toEqual([...MISSING_RGB]);
    expect(greyToRgba([0], 1, 1, true)[0]).toBe(128); // sigmoid(0) = ½ → 127.5 rounds to 128
  });

  it('argmax skips NaN; hasFinite tells data from no data', () => {
    expect(argmax([0.1, Number.NaN, 0.7, 0.2])).toBe(2);
    expect(argmax([Number.NaN])).toBe(-1);
    expect(argmax([9, 1, 3, 2], 1, 3)).toBe(1);
    expect(hasFinite(new Float32Array([Number.NaN, 1]))).toBe(true);
    expect(hasFinite(new Float32Array(0))).toBe(false);
    expect(hasFinite(null)).toBe(false);
  });
});

describe('marching squares', () => {
  it('finds the level set of a linear field exactly', () => {
    // f(x, y) = x on a 5×4 grid; level 1.25 is the vertical line x = 1.25.
    const nx = 5;
    const ny = 4;
    const f = new Float64Array(nx * ny).map((_, i) => i % nx);
    const segs = marchingSquares(f, nx, ny, 1.25);
    expect(segs).toHaveLength(ny - 1);
    for (const [x1, , x2] of segs) {
      expect(x1).toBeCloseTo(1.25, 12);
      expect(x2).toBeCloseTo(1.25, 12);
    }
  });

  it('traces a circle: endpoints on the radius, total length ≈ 2πr', () => {
    const n = 81;
    const c = 40;
    const f = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) f[y * n + x] = Math.hypot(x - c, y - c);
    const r = 25.3;
    const segs = marchingSquares(f, n, n, r);
    let length = 0;
    for (const [x1, y1, x2, y2] of segs) {
      expect(Math.abs(Math.hypot(x1 - c, y1 - c) - r)).toBeLessThan(0.02);
      length += Math.hypot(x2 - x1, y2 - y1);
    }
    expect(length).toBeGreaterThan(2 * Math.PI * r * 0.995);
    expect(length).toBeLessThan(2 * Math.PI * r * 1.001);
  });

  it('resolves saddles by the centre value and skips NaN cells', () => {
    // Corners 0 and 2 high, 1 and 3 low; centre mean 0.6 > level 0.5 → corners 1 and 3 are cut off.
    const saddle = [1, 0, 0, 1.4]; // row-major 2×2: (0,0)=1 (1,0)=0 (0,1)=0 (1,1)=1.4
    const segs = marchingSquares([saddle[0]!, saddle[1]!, saddle[2]!, saddle[3]!], 2, 2, 0.5);
    expect(segs).toHaveLength(2);
    // One segment joins the bottom and right edges around corner (1, 0).
    expect(segs.some(([x1, y1, x2, y2]) => y1 === 0 && x2 === 1 && x1 === 0.5 && Math.abs(y2 - 1 / 2.8) < 1e-12)).toBe(
      true,
    );
    expect(marchingSquares([1, Number.NaN, 0, 1], 2, 2, 0.5)).toEqual([]);
    expect(() => marchingSquares([1, 2, 3], 2, 2, 0.5)).toThrow(ContourShapeError);
  });

  it('levels are geometric above the minimum, ending at the quantile', () => {
    const f = Array.from({ length: 101 }, (_, i) => i);
    const levels = contourLevels(f, 3, 1);
    expect(levels[0]).toBeCloseTo(1, 12);
    expect(levels[1]).toBeCloseTo(10, 12);
    expect(levels[2]).toBeCloseTo(100, 12);
    expect(contourLevels([Number.NaN, 1], 4)).toEqual([]);
    expect(contourLevels([2, 2, 2], 4)).toEqual([]);
  });
});
