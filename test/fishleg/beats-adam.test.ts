/**
 * FishLeg against Adam for a fixed seed on the CPU reference: a small autoencoder (8×8 "bars" images,
 * Bernoulli likelihood; FishLeg's defaults against Adam 1e-3, the pairing of docs/benchmarks.md) and the
 * spiral classifier of the engine's convergence test (Adam at that test's learning rate 0.005 against
 * FishLeg with a larger step η = 0.3 and α = 0.01, which this 2-output problem needs: its Fisher is small, so Q
 * saturates near 1/γ). FishLeg must have the lower training loss at every checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';

/** n binary 8×8 images, each the union of horizontal and vertical bars switched on with probability 1/8. */
function bars(n: number, seed: number): Dataset {
  const rng = new Rng(seed, 21);
  const x = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 16; b++) {
      if (rng.uniform() >= 1 / 8) continue;
      for (let k = 0; k < 8; k++) x[i * 64 + (b < 8 ? b * 8 + k : k * 8 + (b - 8))] = 1;
    }
  }
  const split = { x, y: x, n };
  return { name: 'bars', inputDim: 64, outputDim: 64, kind: 'autoencoder', train: split, test: split };
}

/** Training loss over the whole train split at each checkpoint. */
async function curve(
  data: Dataset,
  config: Omit<TrainConfig, 'optimizer'>,
  optimizer: OptimizerConfig,
  checkpoints: number[],
) {
  const be = new CpuBackend({ precision: 'f32' });
  const t = Trainer.create(be, data, { ...config, optimizer });
  const losses: number[] = [];
  for (const c of checkpoints) {
    t.step(c - t.stepCount);
    losses.push((await t.evaluate()).trainLoss);
  }
  t.dispose();
  be.dispose();
  return losses;
}

describe('FishLeg beats Adam for a fixed seed', () => {
  it('autoencoder 64-32r-8-32r-64 on bars: FishLeg defaults vs Adam 1e-3', async () => {
    const data = bars(1000, 3);
    const config = { arch: '64-32r-8-32r-64', likelihood: 'bernoulli', batch: 32, seed: 3 } as const;
    const at = [200, 400, 600];
    const adam = await curve(data, config, { ...defaultOptimizer('adam'), lr: 1e-3 }, at);
    const fishleg = await curve(data, config, defaultFishLeg('block-kron'), at);
    fishleg.forEach((f, i) => expect(f, `step ${at[i]}: FishLeg ${f} vs Adam ${adam[i]}`).toBeLessThan(adam[i]!));
    expect(fishleg[2]!).toBeLessThan(0.6 * adam[2]!);
  });

  it('spiral 2-64r-64r-2: FishLeg (η 0.3, α 0.01) vs Adam 0.005', async () => {
    const data = toyDataset('spiral', { n: 2000, noise: 0.03, seed: 7 });
    const config = { arch: '2-64r-64r-2', likelihood: 'categorical', batch: 64, seed: 3 } as const;
    const at = [200, 400, 800];
    const adam = await curve(data, config, { ...defaultOptimizer('adam'), lr: 0.005 }, at);
    const fishleg = await curve(data, config, { ...defaultFishLeg('block-kron'), lr: 0.3, auxLr: 0.01 }, at);
    fishleg.forEach((f, i) => expect(f, `step ${at[i]}: FishLeg ${f} vs Adam ${adam[i]}`).toBeLessThan(adam[i]!));
  });
});
