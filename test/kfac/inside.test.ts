/**
 * The Inside view's side-by-side comparison (worker/views-data.ts inverseComparisons through Race.sendViews): in a
 * race of FishLeg, K-FAC and the natural gradient, the inspected FishLeg run's frame carries K-FAC's dense block
 * Ĝ⁻¹ ⊗ Â⁻¹ of the same layer — the very matrix a K-FAC run of the same seed holds — with its relative error to
 * the exact (F + γI)⁻¹ of K-FAC's own weights; the natural gradient offers no approximation and adds none.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { getTask } from '../../src/engine/data/tasks.ts';
import { denseLayerInverse, Kfac } from '../../src/engine/kfac/kfac.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import type { InsideFrame } from '../../src/worker/protocol.ts';
import { Race, type RaceListener } from '../../src/worker/race.ts';
import { PRESETS } from '../../src/ui/presets.ts';

describe('Inside view comparisons', () => {
  it('a FishLeg frame carries the K-FAC run’s dense block of the same layer and its error to the exact inverse', async () => {
    const preset = PRESETS.find((p) => p.id === 'curvature')!.config('cpu');
    const config = { ...preset, data: { ...preset.data, n: 300 } };
    const frames: InsideFrame[] = [];
    const listener: RaceListener = {
      diverged: () => {},
      switched: () => {},
      taskFrame: () => {},
      insideFrame: (f) => frames.push(f),
    };
    const backend = new CpuBackend({ precision: 'f32' });
    const data = await getTask('spiral').load({ n: 300, noise: config.data.noise, seed: config.data.seed });
    const race = Race.build(backend, data, config, listener, { viewEvery: 1e9, checkpointEvery: 1e9 });
    try {
      await race.step(30);
      await race.sendViews();
    } finally {
      race.dispose();
    }
    expect(frames).toHaveLength(1);
    const f = frames[0]!;
    expect([f.runId, f.layer.index]).toEqual(['r1', 2]);
    const d = f.layer.m * f.layer.p;
    expect(d).toBe(f.layer.size);
    expect(f.q).not.toBeNull();
    const comparisons = f.comparisons ?? [];
    // The preset races FishLeg (r1), its frozen-Q control (r2), K-FAC (r3) and the natural gradient (r4).
    const kfac = config.runs.find((r) => r.optimizer.kind === 'kfac')!.id;
    expect(kfac).toBe('r3');
    expect(comparisons.map((c) => [c.runId, c.label, c.damping])).toEqual([[kfac, 'K-FAC (Ĝ ⊗ Â)⁻¹', 1e-3]]);
    const c = comparisons[0]!;
    expect(c.matrix).toHaveLength(d * d);
    expect(c.exact).toHaveLength(d * d);
    expect(Number.isFinite(c.relError) && c.relError > 0).toBe(true);

    // The same K-FAC run on its own (same seed, data and batches) holds exactly this block after 30 steps.
    const kfacRun = config.runs.find((r) => r.id === kfac)!;
    const t = Trainer.create(backend, data, {
      arch: `2-${config.model.hidden}-2`,
      likelihood: 'categorical',
      optimizer: kfacRun.optimizer,
      batch: config.model.batch,
      seed: config.data.seed,
    });
    try {
      t.step(30);
      const own = denseLayerInverse(await t.optimizerAs(Kfac)!.layerInverse(2));
      expect(Array.from(c.matrix)).toEqual(Array.from(own));
    } finally {
      t.dispose();
    }
    expect(backend.liveStorages()).toBe(0);
    backend.dispose();
  });
});
