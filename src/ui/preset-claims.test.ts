/**
 * Every preset's claim holds where it is made: each preset with a claim is raced headless on the CPU backend
 * (the worker's own race: same initial weights and batches for every run) on the claim's seeds and budget, and
 * the claim's check runs on every run's final training loss. The tuned values these races use come from
 * `npm run train -- --preset ID --tune --frozen-q --seeds 1,2,3` (BENCHMARKS.md, "Presets against tuned
 * baselines").
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { readMnistAssetBytes } from '../engine/data/mnist-node.ts';
import { runHeadless } from '../worker/headless-race.ts';
import { loadDataSpec } from '../worker/load-data.ts';
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
    const config = preset.config('cpu');
    expect(claim.steps).toBeLessThanOrEqual(config.stopAt ?? Infinity);
    const finals = new Map<string, number[]>(config.runs.map((r) => [r.name, []]));
    const backend = new CpuBackend({ precision: 'f32' });
    try {
      for (const seed of claim.seeds) {
        const data = await loadDataSpec({ ...config.data, seed }, () => Promise.resolve(readMnistAssetBytes()));
        const spec = { ...config, data: { ...config.data, seed }, inspect: { ...config.inspect, runId: null } };
        const curves = await runHeadless(backend, data, spec, { steps: claim.steps, evalEvery: claim.steps });
        curves.forEach((c, i) => {
          const last = c.curve.at(-1);
          finals.get(config.runs[i]!.name)!.push(c.diverged === null && last ? last.trainLoss : Number.NaN);
        });
      }
    } finally {
      backend.dispose();
    }
    const lookup = (name: string) => {
      const xs = finals.get(name);
      if (!xs) throw new Error(`the claim names a run '${name}' the preset does not have`);
      return xs;
    };
    expect(claim.check(lookup, claim.seeds), JSON.stringify(Object.fromEntries(finals))).toBeNull();
  });
});
