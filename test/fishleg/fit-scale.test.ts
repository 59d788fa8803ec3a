/**
 * FishLeg's fitted scale (fitScale, docs/fishleg.md §7.2) on the CPU reference: at step 0 the scale of
 * Q₀ = s₀·I along the gradient is uᵀu / uᵀ(F + γI)u, with F the exact float64 Fisher of the auxiliary rows;
 * off, nothing changes; runs are deterministic and resume bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { auxBatchIndices } from '../../src/engine/data/sampler.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { FishLeg } from '../../src/engine/fishleg/fishleg.ts';
import { exactFisher } from '../../src/engine/fishleg/views.ts';
import { defaultFishLeg, type FishLegConfig } from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';
import { CountingBackend } from './counting-backend.ts';
import { matVec } from './helpers.ts';

const data = toyDataset('spiral', { n: 200, noise: 0.05, seed: 4 });
const ARCH = '2-5t-4t-2';
/** α tiny: Adam's first step on λ moves it by ≈ α, so Q stays s₀·I to within 1e-12 after step 0. */
const fit: FishLegConfig = { ...defaultFishLeg('block-kron'), lr: 0.1, weightDecay: 0, auxLr: 1e-12, fitScale: true };
const setup = (optimizer: FishLegConfig): TrainConfig => ({
  arch: ARCH,
  likelihood: 'categorical',
  optimizer,
  batch: 12,
  seed: 2,
});
const create = (optimizer: FishLegConfig, precision: 'f64' | 'f32' = 'f64'): Trainer =>
  Trainer.create(new CpuBackend({ precision }), data, setup(optimizer));

const fittedScale = async (t: Trainer): Promise<number> =>
  (await t.optimizerAs(FishLeg)!.saveState()).tensors.scalars![3]!;

describe('FishLeg fitScale', () => {
  it('step 0 fits s·s₀ = uᵀu / uᵀ(F + γI)u against the exact float64 Fisher of the auxiliary rows', async () => {
    for (const initScale of [null, 0.7]) {
      const cfg = { ...fit, initScale };
      const t = create(cfg);
      // The backend's own read keeps float64 (readParams rounds to float32).
      const theta0 = Float64Array.from(await t.backend.read(t.params));
      const idx = Array.from(auxBatchIndices(t.seed, 0, t.batch, t.trainSplit.n));
      const model = {
        backend: t.backend,
        layout: t.layout,
        params: t.params,
        likelihood: t.likelihood,
        sigma: t.sigma,
      };
      const fisher = await exactFisher(model, t.trainSplit, idx);
      expect(await fittedScale(t)).toBe(1);
      t.step(1);
      // θ₁ = θ₀ − η(1 − β)·s·s₀·u, so d = θ₀ − θ₁ is parallel to u and the ratio below is scale-free.
      const theta1 = await t.backend.read(t.params);
      const d = theta0.map((x, i) => x - theta1[i]!);
      const fd = matVec(fisher, d);
      let dd = 0;
      let dfd = 0;
      for (let i = 0; i < d.length; i++) {
        dd += d[i]! * d[i]!;
        dfd += d[i]! * (fd[i]! + cfg.damping * d[i]!);
      }
      const s0 = initScale ?? 1 / cfg.damping;
      const s = await fittedScale(t);
      expect(s * s0).toBeGreaterThan(0);
      expect(Math.abs((s * s0) / (dd / dfd) - 1), `init scale ${String(initScale)}`).toBeLessThan(1e-8);
      // The fit did move the scale away from its start (so the check above compares a fitted value).
      expect(Math.abs(s - 1)).toBeGreaterThan(0.1);
      t.dispose();
    }
  });

  it('adds an auxiliary update at step 0 and keeps the scale at 1 when off', async () => {
    for (const fitScale of [true, false]) {
      const be = new CountingBackend(new CpuBackend({ precision: 'f32' }));
      const t = Trainer.create(be, data, setup({ ...fit, auxLr: 1e-3, auxEvery: 5, fitScale }));
      t.step(11);
      expect(be.runCount('fishleg.aux'), `fitScale ${String(fitScale)}`).toBe(fitScale ? 3 : 2);
      if (fitScale) expect(await fittedScale(t)).not.toBe(1);
      else expect(await fittedScale(t)).toBe(1);
      t.dispose();
    }
  });

  it('is deterministic, resumes bit for bit, and switches on live', async () => {
    const cfg: FishLegConfig = { ...fit, auxLr: 1e-3, auxEvery: 3 };
    const runs = [0, 1].map(() => create(cfg, 'f32'));
    for (const t of runs) t.step(20);
    expect(await runs[0]!.readParams()).toEqual(await runs[1]!.readParams());
    const cp = await runs[0]!.checkpoint();
    runs[0]!.step(10);
    const resumed = create({ ...cfg, fitScale: false }, 'f32');
    resumed.restore(cp);
    resumed.step(10);
    expect(await resumed.readParams()).toEqual(await runs[0]!.readParams());
    expect(await fittedScale(resumed)).toBe(await fittedScale(runs[0]!));

    // Live: off → on re-records the step, and the next auxiliary update fits the scale.
    const live = create({ ...cfg, fitScale: false }, 'f32');
    live.step(4);
    expect(await fittedScale(live)).toBe(1);
    live.updateOptimizer(cfg);
    live.step(3);
    expect(await fittedScale(live)).not.toBe(1);
    for (const t of [...runs, resumed, live]) t.dispose();
  });
});
