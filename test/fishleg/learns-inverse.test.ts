/**
 * With θ frozen on tiny models, FishLeg's auxiliary updates drive Q_l toward F_γ,l⁻¹ (docs/fishleg.md §10):
 * the relative error ‖Q_l − F_γ,l⁻¹‖_F/‖F_γ,l⁻¹‖_F of each structure falls, and the auxiliary loss with it.
 * A linear-Gaussian model has an exactly Kronecker Fisher (I/σ² ⊗ E[āāᵀ]), so there the error must fall
 * by orders of magnitude; with a tanh hidden layer the best structured Q stays some way off, so the bar is lower.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { exactFisher, inverseFisherError } from '../../src/engine/fishleg/views.ts';
import { defaultFishLeg, FISHLEG_APPROXES, type FishLegApprox } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';

/** 64 points of a smooth 2-in, 2-out regression with noise 0.1. */
function regression(): Dataset {
  const n = 64;
  const rng = new Rng(4, 9);
  const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    y[2 * i] = Math.sin(x[2 * i]!) + 0.1 * rng.normal();
    y[2 * i + 1] = x[2 * i]! * x[2 * i + 1]! + 0.1 * rng.normal();
  }
  const split = { x, y, n };
  return { name: 'regression', inputDim: 2, outputDim: 2, kind: 'regression', train: split, test: split };
}

async function errorsOverTraining(approx: FishLegApprox, arch: string, steps: number) {
  const be = new CpuBackend({ precision: 'f64' });
  // θ frozen: a parameter step of 1e-12 leaves F unchanged to ~1e-12.
  const config = { ...defaultFishLeg(approx), lr: 1e-12, weightDecay: 0, auxEvery: 1, auxLr: 0.01 };
  const t = Trainer.create(be, regression(), {
    arch,
    likelihood: 'gaussian',
    sigma: 0.3,
    optimizer: config,
    batch: 32,
    seed: 3,
  });
  const F = await exactFisher(
    t,
    t.trainSplit,
    Array.from({ length: t.trainSplit.n }, (_, i) => i),
  );
  const errors = () =>
    Promise.all(t.layout.layers.map((_, l) => inverseFisherError(t.inverseFisher!, t.layout, F, l, config.damping)));
  const start = await errors();
  t.step(steps / 2);
  const auxEarly = (await t.readAuxLoss())!;
  t.step(steps / 2);
  const auxLate = (await t.readAuxLoss())!;
  const end = await errors();
  t.dispose();
  be.dispose();
  return { start, end, auxEarly, auxLate };
}

describe.each(FISHLEG_APPROXES)('%s learns the inverse Fisher with θ frozen', (approx) => {
  it('linear-Gaussian model: the error falls more than 20-fold', async () => {
    const { start, end, auxEarly, auxLate } = await errorsOverTraining(approx, '2-2', 1000);
    expect(end[0]!).toBeLessThan(start[0]! / 20);
    expect(auxLate).toBeLessThan(auxEarly);
  });

  it('tanh hidden layer: the error of every layer falls by at least 1.5×', async () => {
    const { start, end, auxLate, auxEarly } = await errorsOverTraining(approx, '2-3t-2', 300);
    end.forEach((e, l) => expect(e, `layer ${l}`).toBeLessThan(start[l]! / 1.5));
    expect(auxLate).toBeLessThan(auxEarly);
  });
});
