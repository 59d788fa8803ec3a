/**
 * The numbers behind the Inside-FishLeg measures: the points of the spectrum chart (Q's value along each
 * eigen-direction of the layer's Fisher against the exact 1/(λ + γ)), decade ticks for its log axes, and how
 * much of the best possible auxiliary-loss reduction Q achieves.
 */
import type { InsideSpectrum } from './types.ts';

/** One dot of the spectrum chart. */
export interface SpectrumPoint {
  /** The exact damped inverse along the direction, 1/(λ + γ). */
  target: number;
  /** Q's value along it, uᵀQu. */
  q: number;
  /** The gradient's share along it, in [0, 1]. */
  share: number;
  /** The aggregate of every direction not listed (mean values). */
  rest: boolean;
}

/** The chart's points; non-positive or non-finite values cannot sit on log axes and are dropped. */
export function spectrumPoints(s: InsideSpectrum, gamma: number): SpectrumPoint[] {
  const out: SpectrumPoint[] = [];
  for (let j = 0; j < s.lambda.length; j++) {
    out.push({ target: 1 / (s.lambda[j]! + gamma), q: s.q[j]!, share: s.share[j] ?? 0, rest: false });
  }
  if (s.rest.dims > 0) out.push({ target: s.rest.meanTarget, q: s.rest.meanQ, share: s.rest.share, rest: true });
  return out.filter((p) => p.target > 0 && p.q > 0 && Number.isFinite(p.target) && Number.isFinite(p.q));
}

/** [lo, hi] powers of ten covering every value (one decade around a single value). */
export function decadeExtent(values: readonly number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return [0.1, 10];
  let lo = Math.floor(Math.log10(Math.min(...pos)));
  let hi = Math.ceil(Math.log10(Math.max(...pos)));
  if (hi <= lo) {
    lo -= 1;
    hi += 1;
  }
  return [10 ** lo, 10 ** hi];
}

/** Powers of ten from lo to hi inclusive (at most `max`: every k-th decade when the range is wide). */
export function decadeTicks(lo: number, hi: number, max = 6): number[] {
  const a = Math.round(Math.log10(lo));
  const b = Math.round(Math.log10(hi));
  const stride = Math.max(1, Math.ceil((b - a) / (max - 1)));
  const out: number[] = [];
  for (let e = a; e <= b; e += stride) out.push(10 ** e);
  return out;
}

/**
 * A / A*: the share of the best possible reduction of the auxiliary loss that the current Q achieves along û
 * (1 at Q = (F + γI)⁻¹, 0 at Q = 0, negative when Q is worse than no step). NaN when A* is not negative.
 */
export function auxEfficiency(auxLoss: number, auxOptimum: number): number {
  return auxOptimum < 0 && Number.isFinite(auxLoss) ? auxLoss / auxOptimum : Number.NaN;
}
