/**
 * Presets: every preset is a valid, URL-reproducible config, and the spiral preset's tuned race does what its
 * blurb says on the CPU backend (Adam and FishLeg both train the spiral and leave SGD behind). The full
 * measurements behind the tuned values come from bench/preset-sweep.ts, not from this test.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { getTask } from '../engine/data/tasks.ts';
import { validateOptimizer } from '../engine/optim/config.ts';
import { Race, type RaceListener } from '../worker/race.ts';
import { normaliseIds, parseSearch, toSearch } from './config.ts';
import { PRESETS } from './presets.ts';

const silent: RaceListener = { diverged: () => {}, switched: () => {}, taskFrame: () => {}, fishlegFrame: () => {} };

describe('presets', () => {
  it.each(PRESETS.map((p) => [p.id, p] as const))('%s: valid optimizers and an exact URL round trip', (_, p) => {
    const config = p.config('cpu');
    expect(config.runs.length).toBeGreaterThan(0);
    for (const r of config.runs) expect(() => validateOptimizer(r.optimizer)).not.toThrow();
    const { config: back, warnings } = parseSearch(toSearch(config));
    expect(warnings).toEqual([]);
    expect(back).toEqual(normaliseIds(config));
  });

  it('mnist-ae races Adam against FishLeg at the measured settings', () => {
    const runs = PRESETS.find((p) => p.id === 'mnist-ae')!
      .config('cpu')
      .runs.map((r) => r.optimizer);
    expect(runs.map((o) => [o.kind, o.lr])).toEqual([
      ['adam', 1e-3],
      ['fishleg', 0.005],
    ]);
  });

  it('spiral: Adam and the tuned FishLeg both train the spiral and end below SGD', async () => {
    const config = PRESETS.find((p) => p.id === 'spiral')!.config('cpu');
    const backend = new CpuBackend({ precision: 'f32' });
    const { data: d } = config;
    const data = await getTask(d.task).load({ n: d.n, noise: d.noise, seed: d.seed });
    const race = Race.build(backend, data, { ...config, inspect: { runId: null, layer: 0 } }, silent, {
      viewEvery: 1e9,
      checkpointEvery: 1e9,
    });
    try {
      await race.evaluate();
      await race.step(3000);
      const last = await race.evaluate();
      const loss = (runId: string) => last.find((p) => p.runId === runId)!.point.trainLoss;
      const [sgd, adam, fishleg] = [loss('r1'), loss('r2'), loss('r3')];
      expect(race.live).toEqual(['r1', 'r2', 'r3']);
      expect(adam).toBeLessThan(0.2);
      expect(fishleg).toBeLessThan(0.2);
      expect(Math.max(adam, fishleg)).toBeLessThan(sgd);
    } finally {
      race.dispose();
      backend.dispose();
    }
  });

  it('inverse-fisher: Q’s relative error to the exact (F + γI)⁻¹ falls at least 5× within 1,000 steps', async () => {
    const config = PRESETS.find((p) => p.id === 'inverse-fisher')!.config('cpu');
    const backend = new CpuBackend({ precision: 'f32' });
    const { data: d } = config;
    const data = await getTask(d.task).load({ n: d.n, noise: d.noise, seed: d.seed });
    const errors: number[] = [];
    const listener: RaceListener = {
      ...silent,
      fishlegFrame: (f) => {
        if (f.relError !== null) errors.push(f.relError);
      },
    };
    const race = Race.build(backend, data, config, listener, { viewEvery: 1, checkpointEvery: 1e9 });
    try {
      await race.evaluate();
      await race.step(1000);
      await race.evaluate();
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]!).toBeGreaterThan(0.5); // Q₀ = I is far from (F + γI)⁻¹ ≈ 10·I in flat directions
      expect(errors[errors.length - 1]!).toBeLessThan(errors[0]! / 5);
    } finally {
      race.dispose();
      backend.dispose();
    }
  });
});
