/**
 * A preset's race on several seeds, headless on the CPU backend, and its claim judged on the losses at a step:
 * the loop `src/ui/preset-claims.test.ts` runs in CI (the claim's seeds, at the claim's step) and
 * `npm run bench:claims` runs at the preset's full budget on five seeds (bench/preset-claims.ts). Each seed is
 * its own race (same initial weights and batches for every run within it), as the page races one seed.
 */
import { CpuBackend } from '../engine/index.ts';
import { readMnistAssetBytes } from '../engine/node.ts';
import type { Preset } from '../ui/presets.ts';
import type { Check } from '../ui/preset-claim.ts';
import { runHeadless } from '../worker/headless-race.ts';
import { loadDataSpec } from '../worker/load-data.ts';
import type { MetricPoint } from '../worker/protocol.ts';

/** One run on one seed: every evaluation up to the budget, or up to the one where it diverged. */
export interface SeedCurve {
  readonly seed: number;
  readonly curve: readonly MetricPoint[];
  readonly diverged: number | null;
}

/** Every run of a preset's race (by name, in the preset's order) on every seed, in the order of the seeds. */
export interface PresetRaces {
  readonly seeds: readonly number[];
  readonly runs: readonly { readonly name: string; readonly seeds: readonly SeedCurve[] }[];
}

export interface RaceOptions {
  readonly seeds: readonly number[];
  readonly steps: number;
  readonly evalEvery: number;
  /** Called after each seed's race (progress). */
  readonly onSeed?: (seed: number) => void;
}

/** Races every run of the preset's CPU config on each seed, one seed after another, on one f32 CPU backend. */
export async function racePresetOnSeeds(preset: Preset, options: RaceOptions): Promise<PresetRaces> {
  const config = preset.config('cpu');
  const runs = config.runs.map((r) => ({ name: r.name, seeds: [] as SeedCurve[] }));
  const backend = new CpuBackend({ precision: 'f32' });
  try {
    for (const seed of options.seeds) {
      const data = await loadDataSpec({ ...config.data, seed }, () => Promise.resolve(readMnistAssetBytes()));
      const spec = { ...config, data: { ...config.data, seed }, inspect: { ...config.inspect, runId: null } };
      const curves = await runHeadless(backend, data, spec, { steps: options.steps, evalEvery: options.evalEvery });
      curves.forEach((c, i) => runs[i]!.seeds.push({ seed, curve: c.curve, diverged: c.diverged }));
      options.onSeed?.(seed);
    }
  } finally {
    backend.dispose();
  }
  return { seeds: options.seeds, runs };
}

export type LossKind = 'trainLoss' | 'testLoss';

/**
 * One run's loss on one seed at `step`: NaN where the divergence rule stopped it at or before that step
 * (as the page's verdict counts it, claim-verdict.ts) or where its curve has no evaluation there.
 */
export function lossAt(c: SeedCurve, step: number, kind: LossKind = 'trainLoss'): number {
  if (c.diverged !== null && c.diverged <= step) return Number.NaN;
  return c.curve.find((p) => p.step === step)?.[kind] ?? Number.NaN;
}

/** Each run's loss at `step` on every seed, by run name. */
export function lossesAt(races: PresetRaces, step: number, kind: LossKind = 'trainLoss'): Map<string, number[]> {
  return new Map(races.runs.map((r) => [r.name, r.seeds.map((c) => lossAt(c, step, kind))]));
}

/** The claim's check on these losses: why it fails, or null when it holds. A run the claim names must exist. */
export function judgeClaim(check: Check, losses: ReadonlyMap<string, readonly number[]>, seeds: readonly number[]) {
  const lookup = (name: string) => {
    const xs = losses.get(name);
    if (!xs) throw new Error(`the claim names a run '${name}' the preset does not have`);
    return xs;
  };
  return check(lookup, seeds);
}

/** The largest whole number dividing both (the evaluation interval that puts both steps on the curve). */
export function gcd(a: number, b: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b < 0)
    throw new RangeError(`gcd of whole numbers, not ${a} and ${b}`);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
