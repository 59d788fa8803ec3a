/**
 * Small numeric helpers for the views: the relative Frobenius error of Q against F_γ⁻¹, differences and the
 * number format of labels. Decimating long histories lives in ../downsample.ts with the race chart's.
 */

/** ‖a − b‖_F / ‖b‖_F over the first min(len) entries; NaN when b is zero, lengths differ or data is not finite. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return Number.NaN;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += b[i]! * b[i]!;
  }
  return den > 0 && Number.isFinite(num) ? Math.sqrt(num / den) : Number.NaN;
}

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
