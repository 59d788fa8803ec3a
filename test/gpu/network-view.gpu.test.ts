/**
 * The network view's data on WebGPU against the CPU reference: the same weights give the same hidden activations
 * over the grid, the same drawn weights and the same probabilities (views-data.ts taskFrame with network on), and
 * the extra readbacks leave no buffer behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { requestWebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultOptimizer } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { taskFrame, taskStatic } from '../../src/worker/views-data.ts';

let gpu: Backend;
beforeAll(async () => {
  gpu = await requestWebGpuBackend(navigator.gpu);
});
afterAll(() => gpu.dispose());

const data = toyDataset('circles', { n: 200, seed: 2 });

describe('network view on WebGPU vs CPU', () => {
  it('gives the CPU backend’s activations, weights and probabilities', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    // A 10-wide layer: the drawn 8 units are a strided read of the activations and a partial read of W̄.
    const cfg = {
      arch: '2-5t-10r-2',
      likelihood: 'categorical' as const,
      optimizer: defaultOptimizer('sgd'),
      batch: 16,
      seed: 4,
      evalChunk: 300,
    };
    const a = Trainer.create(cpu, data, cfg);
    const before = gpu.liveStorages();
    const b = Trainer.create(gpu, data, cfg);
    a.step(5);
    b.step(5);
    const stat = taskStatic(data);
    const [fa, fb] = [await taskFrame(a, stat, true), await taskFrame(b, stat, true)];
    if (fa?.kind !== 'grid' || fb?.kind !== 'grid' || !fa.network || !fb.network) throw new Error('grid frames');
    expect(fb.network.shown).toEqual(fa.network.shown);
    const worst = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      expect(x.length).toBe(y.length);
      let w = 0;
      for (let i = 0; i < x.length; i++) w = Math.max(w, Math.abs(x[i]! - y[i]!));
      return w;
    };
    fa.network.hidden.forEach((h, i) => expect(worst(h, fb.network!.hidden[i]!)).toBeLessThan(1e-4));
    fa.network.weights.forEach((w, i) => expect(worst(w, fb.network!.weights[i]!)).toBeLessThan(1e-4));
    expect(worst(fa.probs, fb.probs)).toBeLessThan(1e-4);
    b.dispose();
    expect(gpu.liveStorages()).toBe(before);
    a.dispose();
    cpu.dispose();
  });
});
