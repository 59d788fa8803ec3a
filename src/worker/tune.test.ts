/**
 * The learning-rate tuner: it picks the rate with the lowest mean final loss over the seeds, marks and never
 * picks a diverged rate, grows the grid past an end where the best rate sits, is deterministic, and refuses
 * grids that are too small.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { toyDataset } from '../engine/data/toy.ts';
import { defaultOptimizer, type OptimizerConfig, type SgdConfig } from '../engine/optim/config.ts';
import type { RaceSpec } from './protocol.ts';
import { tuneRace, tunedSpec, TuneError, type TuneReport } from './tune.ts';

const sgd = (lr: number, momentum: number): SgdConfig => ({ kind: 'sgd', lr, momentum, weightDecay: 0 });

const load = (seed: number) => Promise.resolve(toyDataset('spiral', { n: 200, noise: 0.05, seed }));

function spec(...optimizers: OptimizerConfig[]): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 1 },
    model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs: optimizers.map((optimizer, i) => ({ id: `r${i}`, name: `run ${i}`, colour: '#123456', optimizer })),
    inspect: { runId: null, layer: 0 },
  };
}

async function tune(s: RaceSpec, options: Partial<Parameters<typeof tuneRace>[3]> = {}): Promise<TuneReport> {
  const backend = new CpuBackend({ precision: 'f32' });
  try {
    return await tuneRace(backend, load, s, { steps: 30, seeds: [1, 2], ...options });
  } finally {
    backend.dispose();
  }
}

describe('tuneRace', () => {
  it('grows the grid past the high end when the best rate is there (a far too small start)', async () => {
    const report = await tune(spec(sgd(1e-4, 0)), { extensions: 2 });
    const r = report.results[0]!;
    expect(r.original).toBe(1e-4);
    // 7 points from 1e-5 to 1e-3, then two extensions of two points each: past ×10 of the start.
    expect(r.points.length).toBe(11);
    expect(Math.max(...r.points.map((p) => p.lr))).toBeGreaterThan(1e-3 * 4);
    expect(r.best).toBe(Math.max(...r.points.map((p) => p.lr)));
    expect(r.atEdge).toBe('high');
  });

  it('marks rates that diverge and picks the best finite one', async () => {
    const report = await tune(spec(sgd(300, 0.9)), { extensions: 0 });
    const r = report.results[0]!;
    const diverged = r.points.filter((p) => p.diverged);
    expect(diverged.length).toBeGreaterThan(0);
    for (const p of diverged) {
      expect(p.score).toBe(Infinity);
      expect(p.train.some((x) => x === null)).toBe(true);
    }
    expect(r.best).not.toBeNull();
    expect(r.points.find((p) => p.lr === r.best)!.diverged).toBe(false);
    // The largest rates diverge, not the small ones.
    expect(Math.min(...diverged.map((p) => p.lr))).toBeGreaterThan(
      Math.max(...r.points.filter((p) => !p.diverged).map((p) => p.lr)) - 1e-12,
    );
  });

  it('is deterministic, tunes each run on its own, and tunedSpec races each at its best', async () => {
    const s = spec({ ...defaultOptimizer('adam'), lr: 0.01 }, { ...defaultOptimizer('sgd'), lr: 0.1 });
    const a = await tune(s, { extensions: 0, factors: [0.1, 0.3, 1, 3, 10] });
    const b = await tune(s, { extensions: 0, factors: [0.1, 0.3, 1, 3, 10] });
    expect(a).toEqual(b);
    expect(a.results.map((r) => r.points.map((p) => p.lr))).toEqual([
      [0.001, 0.003, 0.01, 0.03, 0.1],
      [0.01, 0.03, 0.1, 0.3, 1],
    ]);
    const tuned = tunedSpec(s, a);
    expect(tuned.runs.map((r) => r.optimizer.lr)).toEqual(a.results.map((r) => r.best));
    expect(tuned.runs.map((r) => r.optimizer.kind)).toEqual(['adam', 'sgd']);
  });

  it('judges by the test loss when asked', async () => {
    const report = await tune(spec({ ...defaultOptimizer('adam'), lr: 0.01 }), { extensions: 0, objective: 'test' });
    const r = report.results[0]!;
    for (const p of r.points.filter((x) => !x.diverged)) expect(p.score).toBeCloseTo((p.test[0]! + p.test[1]!) / 2, 12);
  });

  it('refuses a grid under 5 points, unordered factors and no seeds', async () => {
    const s = spec(defaultOptimizer('adam'));
    await expect(tune(s, { factors: [0.5, 1, 2, 4] })).rejects.toThrow(TuneError);
    await expect(tune(s, { factors: [1, 0.5, 2, 4, 8] })).rejects.toThrow(/increasing/);
    await expect(tune(s, { seeds: [] })).rejects.toThrow(/at least one seed/);
  });
});
