/**
 * The network view's data (views-data.ts taskFrame with network on): each hidden unit's activation over the
 * decision-boundary grid and the weights between the units drawn, on the CPU backend, against the forward pass
 * written out by hand for a tiny net; layers wider than MAX_NETWORK_UNITS show their first units; a regression toy's
 * field frame carries the same data, its prediction the output unit's value.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { withFeatures } from '../engine/data/features.ts';
import { toyDataset } from '../engine/data/toy.ts';
import { defaultOptimizer } from '../engine/optim/config.ts';
import { Trainer } from '../engine/trainer.ts';
import { GRID_SIZE, MAX_NETWORK_UNITS, taskFrame, taskStatic } from './views-data.ts';

const data = toyDataset('xor', { n: 40, seed: 3 });

function tiny(arch: string) {
  const be = new CpuBackend({ precision: 'f32' });
  // A small evaluation chunk: the grid's 1,600 rows go through the forward pass in many chunks.
  const t = Trainer.create(be, data, {
    arch,
    likelihood: 'categorical',
    optimizer: defaultOptimizer('sgd'),
    batch: 4,
    seed: 1,
    evalChunk: 37,
  });
  const params = Float32Array.from({ length: t.layout.total }, (_, i) => 0.8 * Math.sin(0.7 * i + 0.3));
  t.loadParams(params);
  return { be, t, params };
}

describe('network view data', () => {
  it('one tanh unit: tanh(w1·x + w2·y + b) on every cell, by hand', async () => {
    const { be, t, params } = tiny('2-1t-2');
    const stat = taskStatic(data);
    const f = await taskFrame(t, stat, true);
    if (f?.kind !== 'grid' || !f.network) throw new Error('expected a grid frame with network data');
    const [w1, w2, b] = [params[0]!, params[1]!, params[2]!];
    const [x0, x1, y0, y1] = f.extent;
    const s = GRID_SIZE;
    for (const [r, c] of [
      [0, 0],
      [5, 17],
      [s - 1, s - 1],
      [20, 3],
    ] as const) {
      const x = x0 + (c * (x1 - x0)) / (s - 1);
      const y = y0 + (r * (y1 - y0)) / (s - 1);
      expect(f.network.hidden[0]![r * s + c]).toBeCloseTo(Math.tanh(w1 * x + w2 * y + b), 5);
    }
    // Into the output layer: W̄₁ is 2×(1+1); the drawn weights leave the bias out.
    expect(Array.from(f.network.weights[1]!)).toEqual([params[3], params[5]]);
    expect(Array.from(f.network.weights[0]!)).toEqual([w1, w2]);
    t.dispose();
    expect(be.liveStorages()).toBe(0);
  });

  it('two hidden layers, the second wider than drawn: activations, weights and the same probabilities', async () => {
    const { be, t, params } = tiny('2-3t-10r-2');
    const stat = taskStatic(data);
    const f = await taskFrame(t, stat, true);
    const plain = await taskFrame(t, stat, false);
    if (f?.kind !== 'grid' || !f.network || plain?.kind !== 'grid') throw new Error('expected grid frames');
    expect(plain.network).toBeUndefined();
    expect(Array.from(f.probs)).toEqual(Array.from(plain.probs));
    const n = f.network;
    expect(n.widths).toEqual([2, 3, 10, 2]);
    expect(n.shown).toEqual([2, 3, MAX_NETWORK_UNITS, 2]);
    expect(n.acts).toEqual(['tanh', 'relu']);
    const cells = GRID_SIZE * GRID_SIZE;
    expect(n.hidden.map((h) => h.length)).toEqual([3 * cells, MAX_NETWORK_UNITS * cells]);
    // W̄₀ is 3×3 at 0, W̄₁ 10×4 at 9, W̄₂ 2×11 at 49 (row-major [W | b]).
    const W = (off: number, cols: number) => (i: number, j: number) => params[off + i * (cols + 1) + j]!;
    const [A, B, C] = [W(0, 2), W(9, 3), W(49, 10)];
    expect(n.weights[1]!.length).toBe(MAX_NETWORK_UNITS * 3);
    expect(n.weights[1]![5 * 3 + 2]).toBe(B(5, 2));
    expect(n.weights[2]!.length).toBe(2 * MAX_NETWORK_UNITS);
    expect(n.weights[2]![1 * MAX_NETWORK_UNITS + 7]).toBe(C(1, 7));
    const [x0, x1, y0, y1] = f.extent;
    for (const cell of [0, 123, 801, cells - 1]) {
      const r = Math.floor(cell / GRID_SIZE);
      const c = cell % GRID_SIZE;
      const x = [x0 + (c * (x1 - x0)) / (GRID_SIZE - 1), y0 + (r * (y1 - y0)) / (GRID_SIZE - 1)];
      const h1 = [0, 1, 2].map((i) => Math.tanh(A(i, 0) * x[0]! + A(i, 1) * x[1]! + A(i, 2)));
      const h2 = Array.from({ length: 10 }, (_, i) =>
        Math.max(0, B(i, 0) * h1[0]! + B(i, 1) * h1[1]! + B(i, 2) * h1[2]! + B(i, 3)),
      );
      h1.forEach((v, u) => expect(n.hidden[0]![u * cells + cell]).toBeCloseTo(v, 5));
      for (let u = 0; u < MAX_NETWORK_UNITS; u++) expect(n.hidden[1]![u * cells + cell]).toBeCloseTo(h2[u]!, 5);
      const logit = [0, 1].map((k) => h2.reduce((sum, v, j) => sum + C(k, j) * v, C(k, 10)));
      const p1 = 1 / (1 + Math.exp(logit[0]! - logit[1]!));
      expect(f.probs[2 * cell + 1]).toBeCloseTo(p1, 5);
    }
    t.dispose();
    expect(be.liveStorages()).toBe(0);
  });

  it('a regression toy with features: the field frame carries the network, its values the output μ', async () => {
    const bumps = withFeatures(toyDataset('bumps', { n: 40, seed: 3 }), ['x1', 'x2', 'sin1']);
    const be = new CpuBackend({ precision: 'f32' });
    const t = Trainer.create(be, bumps, {
      arch: '3-1t-1',
      likelihood: 'gaussian',
      optimizer: defaultOptimizer('sgd'),
      batch: 4,
      seed: 1,
      evalChunk: 37,
    });
    const params = Float32Array.from({ length: t.layout.total }, (_, i) => 0.8 * Math.sin(0.7 * i + 0.3));
    t.loadParams(params);
    const stat = taskStatic(bumps);
    if (stat.kind !== 'field') throw new Error('expected a field task');
    const f = await taskFrame(t, stat, true);
    const plain = await taskFrame(t, stat, false);
    if (f?.kind !== 'field' || !f.network || plain?.kind !== 'field') throw new Error('expected field frames');
    expect(plain.network).toBeUndefined();
    expect(Array.from(f.values)).toEqual(Array.from(plain.values));
    expect(f.network.widths).toEqual([3, 1, 1]);
    expect(f.network.features).toEqual(['x1', 'x2', 'sin1']);
    const [x0, x1, y0, y1] = stat.extent;
    const s = GRID_SIZE;
    for (const cell of [0, 417, s * s - 1]) {
      const x = x0 + ((cell % s) * (x1 - x0)) / (s - 1);
      const y = y0 + (Math.floor(cell / s) * (y1 - y0)) / (s - 1);
      const h = Math.tanh(params[0]! * x + params[1]! * y + params[2]! * Math.sin(x) + params[3]!);
      expect(f.network.hidden[0]![cell]).toBeCloseTo(h, 5);
      expect(f.values[cell]).toBeCloseTo(params[4]! * h + params[5]!, 5);
    }
    t.dispose();
    expect(be.liveStorages()).toBe(0);
  });
});
