/**
 * Colour scales for the views: a diverging blue–white–red scale for signed matrices (symmetric range so
 * white always means zero), a sequential scale for loss surfaces, and class-colour blending for decision
 * boundaries. Pure functions on numbers so they are unit-tested without a DOM.
 */

/** An RGB triple with channels in [0, 255]. */
export type Rgb = readonly [number, number, number];

/** Drawn where a value is NaN or infinite, so missing data is visible instead of silently white. */
export const MISSING_RGB: Rgb = [200, 200, 200];

/** Thrown when a colour string is not a #rgb or #rrggbb hex colour. */
export class ColourParseError extends Error {
  constructor(value: string) {
    super(`Colour "${value}" is not a hex colour like "#1f77b4" or "#17b"; run colours must be given in hex.`);
    this.name = 'ColourParseError';
  }
}

/** Parses '#rgb' or '#rrggbb'. */
export function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new ColourParseError(hex);
  const h = m[1]!;
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16)];
}

/** Like `parseHex` but falls back to grey, for colours that arrive from the URL/state and may be bad. */
export function parseHexOr(hex: string, fallback: Rgb = [128, 128, 128]): Rgb {
  try {
    return parseHex(hex);
  } catch {
    return fallback;
  }
}

/** '#rrggbb' of an RGB triple (channels rounded and clamped). */
export function toHex(c: Rgb): string {
  return (
    '#' +
    c
      .map((v) =>
        Math.round(Math.min(255, Math.max(0, v)))
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
  );
}

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** Piecewise-linear interpolation through evenly spaced stops; t is clamped to [0, 1]. */
export function interpolateStops(stops: readonly Rgb[], t: number): Rgb {
  const tc = Math.min(1, Math.max(0, t));
  const pos = tc * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [lerp(a[0], b[0], f), lerp(a[1], b[1], f), lerp(a[2], b[2], f)];
}

// ColorBrewer RdBu (reversed so negative is blue), 7 classes: colour-blind safe and prints well.
const DIVERGING_STOPS: readonly Rgb[] = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

// Viridis, 6 stops: perceptually uniform, for unsigned fields such as a loss surface.
const SEQUENTIAL_STOPS: readonly Rgb[] = [
  [68, 1, 84],
  [65, 68, 135],
  [42, 120, 142],
  [34, 168, 132],
  [122, 209, 81],
  [253, 231, 37],
];

/**
 * Symmetric range for a diverging scale: the largest finite |value| over all the arrays, so matrices drawn
 * side by side share one scale. Returns 0 when there is no finite non-zero value.
 */
export function symmetricRange(...arrays: ArrayLike<number>[]): number {
  let r = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]!);
      if (Number.isFinite(v) && v > r) r = v;
    }
  }
  return r;
}

/** The one diverging scale of a regression toy's views: set by its target and its (noisy) training targets. */
export function regressionRange(target: ArrayLike<number>, y: ArrayLike<number>): number {
  return Math.max(symmetricRange(target, y), 1e-6);
}

/**
 * Diverging colour of `v` on [−range, range]. `gamma` < 1 stretches small magnitudes (|v|/range)^gamma so
 * off-diagonal structure stays visible next to a dominant diagonal; the legend uses the same mapping.
 */
export function divergingColour(v: number, range: number, gamma = 1): Rgb {
  if (!Number.isFinite(v)) return MISSING_RGB;
  if (!(range > 0)) return DIVERGING_STOPS[3]!;
  const s = Math.min(1, Math.abs(v) / range) ** gamma;
  return interpolateStops(DIVERGING_STOPS, 0.5 + 0.5 * Math.sign(v) * s);
}

/** Inverse of the diverging position: the value drawn at legend position t ∈ [0, 1]. */
export function divergingValueAt(t: number, range: number, gamma = 1): number {
  const u = 2 * t - 1;
  return Math.sign(u) * range * Math.abs(u) ** (1 / gamma);
}

/** Sequential (viridis) colour of `v` on [lo, hi]. */
export function sequentialColour(v: number, lo: number, hi: number): Rgb {
  if (!Number.isFinite(v)) return MISSING_RGB;
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return interpolateStops(SEQUENTIAL_STOPS, t);
}

/** Distinct class colours (Tableau 10), used for decision boundaries and data points. */
export const CLASS_COLOURS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** Colour of class k (cycles past 10 classes). */
export const classColour = (k: number): Rgb => CLASS_COLOURS[((k % 10) + 10) % 10]!;

/**
 * Probability-weighted blend of class colours, faded towards white by the prediction's uncertainty so
 * confident regions are saturated and the boundary is pale. `probs` holds `classes` values from `offset`.
 * Non-finite or all-zero probabilities give MISSING_RGB.
 */
export function blendClasses(probs: ArrayLike<number>, offset: number, classes: number): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let sum = 0;
  let max = 0;
  for (let k = 0; k < classes; k++) {
    const p = probs[offset + k]!;
    if (!Number.isFinite(p) || p < 0) return MISSING_RGB;
    const c = classColour(k);
    r += p * c[0];
    g += p * c[1];
    b += p * c[2];
    sum += p;
    if (p > max) max = p;
  }
  if (!(sum > 0)) return MISSING_RGB;
  // Confidence 0 at the uniform distribution, 1 at a one-hot one.
  const conf = classes > 1 ? Math.max(0, (max / sum - 1 / classes) / (1 - 1 / classes)) : 1;
  const w = 0.25 + 0.6 * conf;
  return [lerp(255, r / sum, w), lerp(255, g / sum, w), lerp(255, b / sum, w)];
}
