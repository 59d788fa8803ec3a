/**
 * The engine trains for real: SGD and Adam bring a small spiral classifier to ≥ 97 % test accuracy on the
 * CPU backend (the browser project repeats this on WebGPU), and the same seed reproduces the same curve.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';

// 2,000 points (400 test) so that 97 % is a measurement, not the luck of a few points.
const spiral = toyDataset('spiral', { n: 2000, noise: 0.03, seed: 7 });

async function train(optimizer: OptimizerConfig, steps: number): Promise<{ acc: number; loss: number }> {
  const be = new CpuBackend({ precision: 'f32' });
  const t = Trainer.create(be, spiral, {
    arch: '2-64r-64r-2',
    likelihood: 'categorical',
    optimizer,
    batch: 64,
    seed: 3,
  });
  t.step(steps);
  const r = await t.evaluate();
  t.dispose();
  expect(be.liveStorages()).toBe(0);
  be.dispose();
  return { acc: r.testAccuracy!, loss: r.testLoss };
}

describe('convergence on the spiral (CPU)', () => {
  it('Adam reaches ≥ 97 % test accuracy', async () => {
    const { acc } = await train({ ...defaultOptimizer('adam'), lr: 0.005 }, 3000);
    expect(acc).toBeGreaterThanOrEqual(0.97);
  });
  it('SGD with momentum reaches ≥ 97 % test accuracy', async () => {
    const { acc } = await train({ kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0 }, 3000);
    expect(acc).toBeGreaterThanOrEqual(0.97);
  });
  it('the same seed gives the same result twice', async () => {
    const a = await train(defaultOptimizer('adam'), 50);
    const b = await train(defaultOptimizer('adam'), 50);
    expect(a.loss).toBe(b.loss);
  });
});
