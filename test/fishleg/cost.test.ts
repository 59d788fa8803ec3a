/**
 * The arithmetic FishLeg's recorded programs perform, against the floor for the same shapes
 * (src/engine/fishleg/cost.ts, docs/fishleg.md §5.7): every layer's auxiliary update, parameter step and
 * cache refresh does its matrix products in the cheapest association, so a reintroduced p³ or m³ product,
 * or a product computed twice, fails here.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { chainCost, countOps, layerFloor } from '../../src/engine/fishleg/cost.ts';
import type { OpSegment } from '../../src/engine/fishleg/fishleg.ts';
import { defaultFishLeg, FISHLEG_APPROXES } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { FishLeg } from '../../src/engine/fishleg/fishleg.ts';

describe('chainCost', () => {
  it('finds the cheapest association of a matrix chain', () => {
    // (10×30)(30×5)(5×60): (AB)C = 1500 + 3000 beats A(BC) = 9000 + 18000.
    expect(chainCost([10, 30, 5, 60])).toBe(4500);
    expect(chainCost([4, 7])).toBe(0);
    // A wide m×p gradient between its Grams: G·P_L first or P_R·G first cost the same.
    expect(chainCost([3, 3, 20, 20])).toBe(3 * 3 * 20 + 3 * 20 * 20);
  });
});

const matmulMacs = (segs: readonly OpSegment[], layer: number, pred: (part: string) => boolean): number =>
  segs.filter((s) => s.layer === layer && pred(s.part)).reduce((acc, s) => acc + countOps(s.ops).matmulMacs, 0);

describe.each(FISHLEG_APPROXES)('%s: recorded products against the floor', (approx) => {
  // Wide and narrow layers (m ≫ p and p ≫ m) and batch 8 below one layer's min(m, p): every gradient form,
  // factored and dense Q·G.
  it.each([
    ['2-40r-3t-2', 8],
    ['2-12t-30r-2', 8],
  ] as const)('%s, batch %i', (arch, batch) => {
    const backend = new CpuBackend({ precision: 'f32' });
    const data = toyDataset('spiral', { n: 64, seed: 1 });
    const t = Trainer.create(backend, data, {
      arch,
      likelihood: 'categorical',
      optimizer: defaultFishLeg(approx),
      batch,
      seed: 1,
    });
    const fl = t.inverseFisher;
    if (!(fl instanceof FishLeg)) throw new Error('a FishLeg run has a FishLeg optimizer');
    const segs = fl.programSegments;
    t.layout.layers.forEach((layer, l) => {
      const f = layerFloor({ m: layer.m, p: layer.n + 1 }, { approx, batch, auxBatch: batch, preconditionAux: true });
      const aux = matmulMacs(segs.aux, l, (part) => part !== 'refresh');
      const refresh = matmulMacs(segs.aux, l, (part) => part === 'refresh');
      // On an auxiliary step G is formed by the train pass (u), so Q·G costs what the step program counts.
      const step = matmulMacs(segs.step, l, () => true);
      expect(aux, `layer ${l} aux`).toBeLessThanOrEqual(f.aux.matmul);
      expect(aux, `layer ${l} aux`).toBeGreaterThanOrEqual(0.9 * f.aux.matmul);
      expect(refresh, `layer ${l} refresh`).toBe(f.refresh.matmul);
      expect(step, `layer ${l} step`).toBeLessThanOrEqual(f.step.matmul);
    });
    t.dispose();
    expect(backend.liveStorages()).toBe(0);
    backend.dispose();
  });
});
