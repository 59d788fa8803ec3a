/**
 * Every preset's claim holds where it is made: each preset with a claim is raced headless on the CPU backend
 * (the worker's own race: same initial weights and batches for every run) on the claim's seeds and budget, and
 * the claim's check runs on every run's final training loss. The tuned values these races use come from
 * `npm run train -- --preset ID --tune --frozen-q --seeds 1,2,3` (BENCHMARKS.md, "Presets against tuned
 * baselines"). The same race at the full budget on five seeds is `npm run bench:claims` (bench/preset-claims.ts).
 */
import { describe, expect, it } from 'vitest';
import { judgeClaim, lossesAt, racePresetOnSeeds } from '../cli/claim-race.ts';
import { PRESETS } from './presets.ts';

const claimed = PRESETS.filter((p) => p.claim !== undefined);

describe('preset claims', () => {
  it('the presets that race optimizers against each other make a checked claim', () => {
    expect(claimed.map((p) => p.id)).toEqual(
      expect.arrayContaining(['scaled-regression', 'mnist-ae', 'mnist-cnn', 'spiral', 'switch']),
    );
    for (const p of claimed) expect(p.claim!.seeds.length).toBeGreaterThanOrEqual(3);
  });

  it.each(claimed.map((p) => [p.id, p] as const))('%s', { timeout: 1_200_000 }, async (_, preset) => {
    const claim = preset.claim!;
    expect(claim.steps).toBeLessThanOrEqual(preset.config('cpu').stopAt ?? Infinity);
    const races = await racePresetOnSeeds(preset, { seeds: claim.seeds, steps: claim.steps, evalEvery: claim.steps });
    const finals = lossesAt(races, claim.steps);
    expect(judgeClaim(claim.check, finals, claim.seeds), JSON.stringify(Object.fromEntries(finals))).toBeNull();
  });
});
