/**
 * What a run on several seeds shows: at each evaluated step the median of its seeds' values and their range
 * (min to max), over the seeds that have a finite value there (a seed that diverged drops out from then on).
 */
import type { DataSpec, MetricPoint } from '../worker/protocol.ts';
import { raceSeeds } from '../worker/seed-list.ts';
import type { RunHistory, SeedHistory } from './history.ts';

export interface BandPoint {
  readonly step: number;
  /** The median of the seeds' training clocks at this step. */
  readonly seconds: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Seeds with a finite value at this step. */
  readonly count: number;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('the median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Every seed's curve of a run: its `seeds`, or its one curve on `seed` when it ran on one. */
export function seedCurves(history: RunHistory, seed: number): readonly SeedHistory[] {
  return history.seeds ?? [{ seed, points: history.points, diverged: history.diverged }];
}

/** Median and range of `value` over the seeds, step by step (steps in increasing order). */
export function seedBand(
  seeds: readonly Pick<SeedHistory, 'points'>[],
  value: (p: MetricPoint) => number | null | undefined,
): BandPoint[] {
  const at = new Map<number, { values: number[]; seconds: number[] }>();
  for (const s of seeds) {
    for (const p of s.points) {
      const v = value(p);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let cell = at.get(p.step);
      if (!cell) at.set(p.step, (cell = { values: [], seconds: [] }));
      cell.values.push(v);
      cell.seconds.push(p.seconds);
    }
  }
  return [...at.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, { values, seconds }]) => ({
      step,
      seconds: median(seconds),
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      count: values.length,
    }));
}

/** The run's latest median and range of the training loss, or null before any evaluation. */
export function latestBand(seeds: readonly Pick<SeedHistory, 'points'>[]): BandPoint | null {
  return seedBand(seeds, (p) => p.trainLoss).at(-1) ?? null;
}

/** What the chart's lines and bands mean on several seeds, for its legend. */
export function seedLegend(data: Pick<DataSpec, 'seed' | 'seeds'>): string {
  return `lines = median of seeds ${seedRange(raceSeeds(data))}, band = their range (train)`;
}

/** Seeds in words: "1–3" for consecutive ones. */
export function seedRange(seeds: readonly number[]): string {
  return seeds.length > 1 ? `${seeds[0]}–${seeds.at(-1)}` : String(seeds[0] ?? '');
}
