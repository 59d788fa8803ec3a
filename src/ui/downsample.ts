/**
 * Keeping long curves cheap, for the race chart and the views alike: `appendThinned` bounds what the client
 * stores (evenly spaced in steps, always with step 0 and the newest point), `thin` picks at most n evenly
 * spaced points of a series for drawing or saving, and `cleanSeries` tidies a logged history (finite points,
 * in step order) before thinning it.
 */
import type { MetricPoint } from '../worker/protocol.ts';

/** Most points stored per run; beyond this the stored curve is thinned. */
export const MAX_STORED = 4000;

/**
 * Appends evaluations, keeping only points whose step is a multiple of `stride` (plus the newest, which
 * may be a pause's off-grid point); while over `max` the stride doubles.
 */
export function appendThinned(
  points: readonly MetricPoint[],
  added: readonly MetricPoint[],
  stride: number,
  max = MAX_STORED,
): { points: MetricPoint[]; stride: number } {
  const all = [...points, ...added];
  if (all.length <= max) return { points: all, stride };
  const keep = (s: number) => all.filter((p, i) => p.step % s === 0 || i === all.length - 1);
  let out = keep(stride);
  while (out.length > max) {
    stride *= 2;
    out = keep(stride);
  }
  return { points: out, stride };
}

/** At most n points of a series, evenly spaced by index, always keeping the first and the last. */
export function thin<T>(points: readonly T[], n: number): T[] {
  if (points.length <= n) return [...points];
  const out: T[] = [];
  const step = (points.length - 1) / (n - 1);
  for (let i = 0; i < n; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

/**
 * Finite points of a history sorted by step, thinned to at most `maxPoints` (first and last kept, so the
 * newest value is always on the chart).
 */
export function cleanSeries<T extends { step: number }>(
  points: readonly T[],
  value: (p: T) => number,
  maxPoints = 400,
): T[] {
  const finite = points.filter((p) => Number.isFinite(p.step) && Number.isFinite(value(p)));
  finite.sort((a, b) => a.step - b.step);
  return thin(finite, maxPoints);
}
