/**
 * Small numeric helpers for the views: the difference of Q and F_γ⁻¹ and the cleaning of
 * logged histories (drop non-finite points, order by step, decimate long runs so charts stay light).
 */

/** Elementwise a − b as a new Float64Array (NaN where either is not finite). */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.min(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/**
 * Finite points of a history sorted by step, with at most `maxPoints` kept: every k-th point plus the last,
 * so the newest value is always on the chart.
 */
export function cleanSeries<T extends { step: number }>(
  points: readonly T[],
  value: (p: T) => number,
  maxPoints = 400,
): T[] {
  const finite = points.filter((p) => Number.isFinite(p.step) && Number.isFinite(value(p)));
  finite.sort((a, b) => a.step - b.step);
  if (finite.length <= maxPoints) return finite;
  const stride = Math.ceil(finite.length / maxPoints);
  const out = finite.filter((_, i) => i % stride === 0);
  if (out.at(-1) !== finite.at(-1)) out.push(finite.at(-1)!);
  return out;
}

/** Formats a number for labels: 3 significant digits, exponent form when very small or large. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}
