/**
 * K-FAC and the exact natural gradient train, for a fixed seed on the CPU reference: both fit the spiral
 * well below the start, and K-FAC beats Adam at equal steps on a small MNIST autoencoder (digits pooled to
 * 14×14, so that Newton–Schulz on the 197-wide input factor keeps the test to a few seconds).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { loadMnistNode } from '../../src/engine/data/mnist-node.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultKfac, defaultNatural } from '../../src/engine/kfac/spec.ts';
import { defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';

async function curve(data: Dataset, config: Omit<TrainConfig, 'optimizer'>, optimizer: OptimizerConfig, at: number[]) {
  const be = new CpuBackend({ precision: 'f32' });
  const t = Trainer.create(be, data, { ...config, optimizer });
  const losses: number[] = [];
  for (const c of at) {
    t.step(c - t.stepCount);
    losses.push((await t.evaluate()).trainLoss);
  }
  t.dispose();
  expect(be.liveStorages()).toBe(0);
  be.dispose();
  return losses;
}

/** The first n MNIST digits, 2×2-average-pooled to 14×14. */
function mnist14(n: number): Dataset {
  const full = loadMnistNode('mnist-ae');
  const x = new Float32Array(n * 196);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < 14; r++)
      for (let c = 0; c < 14; c++) {
        let s = 0;
        for (const [dr, dc] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const)
          s += full.train.x[i * 784 + (2 * r + dr) * 28 + 2 * c + dc]!;
        x[i * 196 + r * 14 + c] = s / 4;
      }
  const split = { x, y: x, n };
  return { name: 'mnist14', inputDim: 196, outputDim: 196, kind: 'autoencoder', train: split, test: split };
}

describe('K-FAC and the natural gradient converge', () => {
  const spiral = toyDataset('spiral', { n: 1000, noise: 0.03, seed: 7 });
  const config = { arch: '2-16t-16t-2', likelihood: 'categorical', batch: 32, seed: 3 } as const;

  it.each([
    // The inverses every 10 steps: this tiny net's factors are cheap to invert, and the first batch's are poor.
    ['K-FAC', { ...defaultKfac(), invEvery: 10 }],
    ['natural gradient', { ...defaultNatural(), momentum: 0.5 }],
  ] as const)('%s on the spiral (2-16t-16t-2): the loss falls well below log 2', async (_, optimizer) => {
    const [early, late] = await curve(spiral, config, optimizer, [20, 200]);
    expect(late!).toBeLessThan(early!);
    expect(late!).toBeLessThan(0.45);
  });

  it('K-FAC beats Adam at equal steps on a small MNIST autoencoder (196-32r-8-32r-196)', async () => {
    const data = mnist14(500);
    const ae = { arch: '196-32r-8-32r-196', likelihood: 'bernoulli', batch: 50, seed: 2 } as const;
    const at = [50, 100];
    const adam = await curve(data, ae, { ...defaultOptimizer('adam'), lr: 1e-3 }, at);
    const kfac = await curve(data, ae, defaultKfac(), at);
    kfac.forEach((k, i) => expect(k, `step ${at[i]}: K-FAC ${k} vs Adam ${adam[i]}`).toBeLessThan(adam[i]!));
  });
});
