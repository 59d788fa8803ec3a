/**
 * The whole engine on WebGPU against the CPU reference: the same seed gives the same initial weights and
 * batches, a few training steps agree to float32 tolerance, and SGD and Adam learn the 2D toys.
 * Runs in Chromium (SwiftShader on CI), so the models are small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { requestWebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';

let gpu: Backend;
beforeAll(async () => {
  gpu = await requestWebGpuBackend(navigator.gpu);
});
afterAll(() => gpu.dispose());

const spiral = toyDataset('spiral', { n: 2000, noise: 0.03, seed: 7 });

function config(optimizer: OptimizerConfig, arch = '2-64r-64r-2'): TrainConfig {
  return { arch, likelihood: 'categorical', optimizer, batch: 64, seed: 3 };
}

describe('trainer on WebGPU vs CPU', () => {
  it('starts from identical weights and tracks the CPU run for 20 steps', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const cfg = config({ ...defaultOptimizer('adam'), lr: 0.005 }, '2-16t-7r-2');
    const a = Trainer.create(cpu, spiral, cfg);
    const b = Trainer.create(gpu, spiral, cfg);
    expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
    a.step(20);
    b.step(20);
    const pa = await a.readParams();
    const pb = await b.readParams();
    let worst = 0;
    for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i]! - pb[i]!));
    expect(worst).toBeLessThan(1e-4);
    const [ea, eb] = [await a.evaluate(), await b.evaluate()];
    expect(eb.trainLoss).toBeCloseTo(ea.trainLoss, 4);
    expect(eb.testAccuracy).toBe(ea.testAccuracy);
    const live = gpu.liveStorages();
    b.dispose();
    expect(gpu.liveStorages()).toBeLessThan(live);
    a.dispose();
    cpu.dispose();
  });

  it('frees every buffer it made', () => {
    const before = gpu.liveStorages();
    const t = Trainer.create(gpu, spiral, config(defaultOptimizer('sgd')));
    t.step(2);
    t.dispose();
    expect(gpu.liveStorages()).toBe(before);
  });

  // Sized for SwiftShader on a loaded 2-core machine: a few hundred steps, where the CPU reference reaches
  // 0.96–0.99 (Adam, spiral) and 1.00 (SGD, circles); the bars leave room for float32 differences.
  it.each([
    ['Adam', 'spiral', { ...defaultOptimizer('adam'), lr: 0.01 }, 300, 0.93],
    ['SGD', 'circles', { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 }, 100, 0.97],
  ] as const)(
    '%s learns the %s: the loss falls 5× and test accuracy passes the bar',
    async (_n, task, optimizer, steps, bar) => {
      const data = toyDataset(task, { n: 1000, noise: 0.03, seed: 7 });
      const t = Trainer.create(gpu, data, config(optimizer, '2-64r-64r-2'));
      const before = await t.evaluate();
      for (let i = 0; i < steps; i += 50) {
        t.step(50);
        await t.settle(); // keep the queue short on SwiftShader
      }
      const after = await t.evaluate();
      t.dispose();
      expect(after.trainLoss).toBeLessThan(before.trainLoss / 5);
      expect(after.testAccuracy).toBeGreaterThanOrEqual(bar);
    },
  );
});
