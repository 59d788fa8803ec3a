/**
 * A conv net through the Trainer on WebGPU against the CPU reference: the same seed gives the same initial
 * weights, and a few Adam steps give the same loss curve to float32 tolerance (SwiftShader on CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { requestWebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultOptimizer } from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';

let gpu: Backend;
beforeAll(async () => {
  gpu = await requestWebGpuBackend(navigator.gpu);
});
afterAll(() => gpu.dispose());

const data = barsDataset({ n: 300, seed: 4 });

describe.each(['8x8x1-c4k3p1r-mp2-f-2', '8x8x1-c3k3s2t-ap2s1-f-5r-2', '8x8x1-c2k3r-c3k2p1-mp3s2-f-2'])(
  'conv net %s on WebGPU vs CPU',
  (arch) => {
    it('starts from the same weights and follows the CPU loss curve over Adam steps', async () => {
      const cfg: TrainConfig = {
        arch,
        likelihood: 'categorical',
        optimizer: { ...defaultOptimizer('adam'), lr: 0.01 },
        batch: 16,
        seed: 5,
      };
      const cpu = new CpuBackend({ precision: 'f32' });
      const a = Trainer.create(cpu, data, cfg);
      const b = Trainer.create(gpu, data, cfg);
      expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
      const curve: [number, number][] = [];
      for (let k = 0; k < 4; k++) {
        const [ea, eb] = [await a.evaluate(), await b.evaluate()];
        curve.push([ea.trainLoss, eb.trainLoss]);
        expect(eb.trainLoss, `step ${ea.step}`).toBeCloseTo(ea.trainLoss, 4);
        expect(eb.testLoss, `step ${ea.step}`).toBeCloseTo(ea.testLoss, 4);
        a.step(5);
        b.step(5);
      }
      // The curve moves: the comparison is of training, not of two idle nets.
      expect(curve[3]![0]).toBeLessThan(curve[0]![0] - 0.01);
      const [pa, pb] = [await a.readParams(), await b.readParams()];
      let worst = 0;
      for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i]! - pb[i]!));
      expect(worst).toBeLessThan(1e-4);
      a.dispose();
      b.dispose();
      cpu.dispose();
    });
  },
);

describe('a conv net on WebGPU', () => {
  it('frees every buffer it made, patches and argmax included', () => {
    const before = gpu.liveStorages();
    const t = Trainer.create(gpu, data, {
      arch: '8x8x1-c4k3p1r-mp2-f-2',
      likelihood: 'categorical',
      optimizer: defaultOptimizer('sgd'),
      batch: 8,
      seed: 1,
    });
    t.step(2);
    t.dispose();
    expect(gpu.liveStorages()).toBe(before);
  });
});
