/**
 * The image views' data (views-data.ts convFrame, through taskFrame): the first conv layer's filters, every
 * hidden layer's feature maps on the fixed test images and the class probabilities, on the CPU backend,
 * against the conv and pooling written out by hand and against the engine's own predictions.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { barsDataset } from '../engine/data/bars.ts';
import { toyDataset } from '../engine/data/toy.ts';
import { defaultOptimizer } from '../engine/optim/config.ts';
import { Trainer } from '../engine/trainer.ts';
import { convFrame, taskFrame, taskStatic } from './views-data.ts';

const data = barsDataset({ n: 40, seed: 2 });

function conv(arch: string) {
  const be = new CpuBackend({ precision: 'f32' });
  const t = Trainer.create(be, data, {
    arch,
    likelihood: 'categorical',
    optimizer: defaultOptimizer('sgd'),
    batch: 4,
    seed: 1,
  });
  const params = Float32Array.from({ length: t.layout.total }, (_, i) => 0.6 * Math.sin(0.9 * i + 0.2));
  t.loadParams(params);
  return { be, t, params };
}

describe('image view data', () => {
  it('filters, conv and max-pool maps match the layers by hand; probabilities match predict and sum to 1', async () => {
    const { be, t, params } = conv('8x8x1-c2k3p1r-mp2-f-2');
    const stat = taskStatic(data);
    if (stat.kind !== 'images') throw new Error('expected the bars task to have image views');
    const f = await taskFrame(t, stat);
    if (f?.kind !== 'probs' || !f.conv) throw new Error('expected a probs frame with conv data');
    const { filters, layers, input } = f.conv;
    expect(input).toEqual({ h: 8, w: 8, c: 1 });
    // W̄ is 2×(1·3·3+1): filter o is row o without its bias.
    expect(filters).not.toBeNull();
    expect([filters!.count, filters!.channels, filters!.h, filters!.w]).toEqual([2, 1, 3, 3]);
    for (let o = 0; o < 2; o++) for (let j = 0; j < 9; j++) expect(filters!.values[o * 9 + j]).toBe(params[o * 10 + j]);
    expect(layers.map((l) => l.kind)).toEqual(['conv2d', 'pool']);
    expect(layers[0]!.maps).toEqual({ h: 8, w: 8, c: 2 });
    expect(layers[1]!.maps).toEqual({ h: 4, w: 4, c: 2 });
    const img = stat.images[1]!;
    const px = (y: number, x: number) => (y < 0 || x < 0 || y >= 8 || x >= 8 ? 0 : img[y * 8 + x]!);
    const convAt = (y: number, x: number, o: number) => {
      let s = params[o * 10 + 9]!;
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++) s += params[o * 10 + ky * 3 + kx]! * px(y + ky - 1, x + kx - 1);
      return Math.max(0, s);
    };
    const c0 = layers[0]!.values[1]!;
    const p0 = layers[1]!.values[1]!;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++)
        for (let o = 0; o < 2; o++) expect(c0[(y * 8 + x) * 2 + o]).toBeCloseTo(convAt(y, x, o), 5);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++)
        for (let o = 0; o < 2; o++) {
          const win = [0, 1, 2, 3].map((k) => convAt(2 * y + (k >> 1), 2 * x + (k & 1), o));
          expect(p0[(y * 4 + x) * 2 + o]).toBeCloseTo(Math.max(...win), 5);
        }
    // The probabilities are the softmax of the engine's own predictions, image by image.
    for (let i = 0; i < stat.images.length; i++) {
      const mu = await t.predict(stat.images[i]!, 1);
      const z = Math.exp(mu[0]!) + Math.exp(mu[1]!);
      expect(f.probs[i]![0]).toBeCloseTo(Math.exp(mu[0]!) / z, 5);
      expect(f.probs[i]![0]! + f.probs[i]![1]!).toBeCloseTo(1, 6);
    }
    t.dispose();
    expect(be.liveStorages()).toBe(0);
  });

  it('one image alone gives the same maps as in the batch of test images', async () => {
    const { t } = conv('8x8x1-c3k3r-ap2-f-4r-2');
    const stat = taskStatic(data);
    if (stat.kind !== 'images') throw new Error('expected image views');
    const px = 64;
    const all = new Float32Array(stat.images.length * px);
    stat.images.forEach((im, i) => all.set(im, i * px));
    const batch = await convFrame(t, all, stat.images.length);
    const alone = await convFrame(t, stat.images[3]!, 1);
    expect(batch.conv.layers.map((l) => l.maps)).toEqual([{ h: 6, w: 6, c: 3 }, { h: 3, w: 3, c: 3 }, undefined]);
    batch.conv.layers.forEach((l, li) => {
      const one = alone.conv.layers[li]!.values[0]!;
      expect(one.length).toBe(l.values[3]!.length);
      one.forEach((v, j) => expect(l.values[3]![j]).toBeCloseTo(v, 6));
    });
    // The dense hidden layer has 4 outputs, drawn as bars.
    expect(batch.conv.layers[2]!.values[0]!.length).toBe(4);
    t.dispose();
  });

  it('a dense net gets no image data and convFrame refuses it', async () => {
    const xor = toyDataset('xor', { n: 20, seed: 1 });
    const be = new CpuBackend({ precision: 'f32' });
    const t = Trainer.create(be, xor, {
      arch: '2-3t-2',
      likelihood: 'categorical',
      optimizer: defaultOptimizer('sgd'),
      batch: 4,
      seed: 1,
    });
    await expect(convFrame(t, new Float32Array(2), 1)).rejects.toThrow(/needs a net over images/);
    t.dispose();
  });
});
