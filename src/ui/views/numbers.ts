/**
 * Small numeric helpers for the views: differences of Q and F_γ⁻¹ and the number format of labels.
 * Decimating long histories lives in ../downsample.ts with the race chart's.
 */

/** Elementwise a − b as a new Float64Array (NaN where either is not finite). */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.min(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/** Formats a number for labels: 3 significant digits, exponent form when very small or large. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}
