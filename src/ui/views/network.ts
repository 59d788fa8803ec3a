/**
 * The network diagram's pure parts: where each unit sits, the heat map of one unit over the input plane (inputs,
 * hidden units, outputs alike), and how a weight becomes an edge. No canvas here, so they are unit-tested.
 */
import { featureSpec } from '../../engine/page.ts';
import { divergingColour, type Rgb } from './colour.ts';
import type { NetworkData, ProbabilityGrid } from './types.ts';

/** Logical sizes of the diagram (CSS pixels at full size; the drawing scales down to fit its box). */
export const NET = { colW: 92, rowH: 46, node: 36, top: 36, bottom: 18 } as const;

/** A drawn unit: column (0 = inputs), index in its layer, centre in logical pixels. */
export interface UnitPlace {
  readonly col: number;
  readonly unit: number;
  readonly cx: number;
  readonly cy: number;
}

/** Width, height and unit centres of a diagram with `shown` units per column. */
export function networkLayout(shown: readonly number[]): { width: number; height: number; units: UnitPlace[][] } {
  const rows = Math.max(1, ...shown);
  const units = shown.map((n, col) =>
    Array.from({ length: n }, (_, unit) => ({
      col,
      unit,
      cx: NET.colW * (col + 0.5),
      cy: NET.top + ((rows - n) * NET.rowH) / 2 + NET.rowH * (unit + 0.5),
    })),
  );
  return { width: NET.colW * shown.length, height: NET.top + rows * NET.rowH + NET.bottom, units };
}

/**
 * One unit's values over the grid (size² cells, row 0 at y = ymin): column 0 is the input coordinate itself,
 * the last column the model's probability of the unit's class (with `valueRange`, a regression output: its
 * predicted value, drawn on ±valueRange), the others a hidden unit's activation.
 * Returns the values and the symmetric range they are drawn on.
 */
export function unitField(
  net: NetworkData,
  grid: ProbabilityGrid,
  classes: number,
  col: number,
  unit: number,
  valueRange?: number,
): { values: Float32Array; range: number } {
  const n = grid.size;
  const cells = n * n;
  const last = net.shown.length - 1;
  const values = new Float32Array(cells);
  if (col === 0) {
    // An input unit is its feature of each grid point (x₁ or x₂ itself without features).
    const [x0, x1, y0, y1] = grid.extent;
    const f = featureSpec(net.features?.[unit] ?? (unit === 0 ? 'x1' : 'x2'));
    let range = 0;
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) {
        const v = f.compute(x0 + (c * (x1 - x0)) / (n - 1), y0 + (r * (y1 - y0)) / (n - 1));
        values[r * n + c] = v;
        range = Math.max(range, Math.abs(v));
      }
    return { values, range: range > 0 ? range : 1 };
  }
  if (col === last && valueRange !== undefined) {
    // A regression output: `probs` holds the predicted value itself, on the target's scale (the maps' legend).
    for (let i = 0; i < cells; i++) values[i] = grid.probs[i * classes + unit]!;
    return { values, range: valueRange > 0 ? valueRange : 1 };
  }
  if (col === last) {
    // A single logit (Bernoulli) is the probability of class 1; k logits are the k class probabilities.
    const k = net.widths[last] === 1 ? 1 : unit;
    for (let i = 0; i < cells; i++) values[i] = 2 * grid.probs[i * classes + k]! - 1;
    return { values, range: 1 };
  }
  const h = net.hidden[col - 1];
  if (!h) return { values: values.fill(Number.NaN), range: 1 };
  values.set(h.subarray(unit * cells, (unit + 1) * cells));
  // Bounded activations on their fixed scale (saturation shows); unbounded ones on their own largest value.
  const act = net.acts[col - 1];
  let range = 1;
  if (act !== 'tanh' && act !== 'sigmoid') {
    range = 0;
    for (const v of values) if (Number.isFinite(v)) range = Math.max(range, Math.abs(v));
  }
  return { values, range };
}

/** An input unit's name: its feature's label (x₁, x₂ without features). */
export function inputLabel(net: Pick<NetworkData, 'features'>, unit: number): string {
  return featureSpec(net.features?.[unit] ?? (unit === 0 ? 'x1' : 'x2')).label;
}

/** RGBA (size×size) of a unit's field on the diverging scale, grid row 0 (ymin) at the bottom. */
export function fieldToRgba(values: ArrayLike<number>, size: number, range: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const col: Rgb = divergingColour(values[r * size + c]!, range);
      const o = ((size - 1 - r) * size + c) * 4;
      out[o] = col[0];
      out[o + 1] = col[1];
      out[o + 2] = col[2];
      out[o + 3] = 255;
    }
  }
  return out;
}

/** An edge's look: red for a positive weight, blue for a negative one, thicker and darker the larger |w|. */
export function edgeStyle(w: number, maxAbs: number): { colour: string; width: number; alpha: number } {
  const t = maxAbs > 0 && Number.isFinite(w) ? Math.min(1, Math.abs(w) / maxAbs) : 0;
  return { colour: w >= 0 ? '#b2182b' : '#2166ac', width: 0.5 + 3.5 * t, alpha: 0.15 + 0.8 * t };
}

/** Whether a network frame is drawable on this grid (sizes agree), else why not. */
export function networkProblem(
  net: NetworkData | undefined,
  grid: ProbabilityGrid | null,
  classes: number,
): string | null {
  if (!grid || !net) return 'no data yet';
  const cells = grid.size * grid.size;
  if (net.shown.length < 2 || net.shown.length !== net.widths.length) return 'malformed network data';
  if (net.hidden.length !== net.shown.length - 2 || net.weights.length !== net.shown.length - 1)
    return 'malformed network data';
  if (net.hidden.some((h, i) => h.length !== net.shown[i + 1]! * cells)) return 'malformed network data';
  if (net.weights.some((w, i) => w.length !== net.shown[i + 1]! * net.shown[i]!)) return 'malformed network data';
  if (grid.probs.length !== cells * classes) return 'malformed network data';
  return null;
}
