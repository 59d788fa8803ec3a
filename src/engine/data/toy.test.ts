/**
 * Toy tasks: seeded determinism, class balance in both splits, and each task's geometry checked on
 * noise-free points (radii of spiral arms and rings, xor quadrants, blob means).
 */
import { describe, expect, it } from 'vitest';
import { labelsOf } from './dataset.ts';
import { blobCentre, isRegressionToy, TOY_TASKS, ToyError, toyDataset } from './toy.ts';

function counts(labels: Uint32Array, k: number): number[] {
  const out = new Array<number>(k).fill(0);
  for (const c of labels) out[c]!++;
  return out;
}

// The classification toys; the regression ones have regression-toys.test.ts.
describe.each(TOY_TASKS.filter((t) => !isRegressionToy(t)))('%s', (task) => {
  it('gives bit-identical data for the same seed and different data for another', () => {
    const a = toyDataset(task, { seed: 7, n: 300 });
    const b = toyDataset(task, { seed: 7, n: 300 });
    const c = toyDataset(task, { seed: 8, n: 300 });
    expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x));
    expect(Array.from(b.test.x)).toEqual(Array.from(a.test.x));
    expect(Array.from(b.train.y)).toEqual(Array.from(a.train.y));
    let diff = 0;
    for (let i = 0; i < a.train.x.length; i++) if (a.train.x[i] !== c.train.x[i]) diff++;
    expect(diff).toBeGreaterThan(a.train.x.length * 0.9);
  });

  it('balances classes in both splits and has one-hot targets', () => {
    const d = toyDataset(task, { n: 1001, testFraction: 0.2 });
    const k = d.numClasses!;
    expect([d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual([2, k, 801, 200]);
    for (const s of [d.train, d.test]) {
      const cs = counts(labelsOf(s.y, k), k);
      expect(Math.max(...cs) - Math.min(...cs)).toBeLessThanOrEqual(1);
      expect(cs.reduce((a, b) => a + b, 0)).toBe(s.n);
      let sum = 0;
      for (const v of s.y) sum += v;
      expect(sum).toBe(s.n);
    }
  });
});

describe('toy geometry (noise 0)', () => {
  it('spiral: arm c at radius r sits at angle 2π(1.75 r + c/k)', () => {
    const d = toyDataset('spiral', { n: 400, noise: 0, classes: 3, testFraction: 0 });
    const labels = labelsOf(d.train.y, 3);
    for (let i = 0; i < d.train.n; i++) {
      const [x, y] = [d.train.x[2 * i]!, d.train.x[2 * i + 1]!];
      const r = Math.hypot(x, y);
      expect(r).toBeLessThan(1);
      const a = 2 * Math.PI * (1.75 * r + labels[i]! / 3);
      expect(x).toBeCloseTo(r * Math.sin(a), 5);
      expect(y).toBeCloseTo(r * Math.cos(a), 5);
    }
  });

  it('circles: the inner disc and the outer ring are separated by a gap', () => {
    const d = toyDataset('circles', { n: 400, noise: 0, testFraction: 0 });
    const labels = labelsOf(d.train.y, 2);
    for (let i = 0; i < d.train.n; i++) {
      const r = Math.hypot(d.train.x[2 * i]!, d.train.x[2 * i + 1]!);
      // Class 0: [0, 0.425]; class 1: [0.575, 0.925] (RING_GAP 0.15 of each half-unit band).
      if (labels[i] === 0) expect(r).toBeLessThanOrEqual(0.425 + 1e-6);
      else expect(r >= 0.575 - 1e-6 && r <= 0.925 + 1e-6).toBe(true);
    }
  });

  it('xor: class 0 in the (+,+) and (−,−) quadrants, away from the axes', () => {
    const d = toyDataset('xor', { n: 400, noise: 0, testFraction: 0 });
    const labels = labelsOf(d.train.y, 2);
    for (let i = 0; i < d.train.n; i++) {
      const [x, y] = [d.train.x[2 * i]!, d.train.x[2 * i + 1]!];
      expect(Math.min(Math.abs(x), Math.abs(y))).toBeGreaterThanOrEqual(0.1 - 1e-6);
      expect(x * y > 0 ? 0 : 1).toBe(labels[i]);
    }
  });

  it('gaussians: each blob is centred on its centre with spread = noise', () => {
    const k = 4;
    const d = toyDataset('gaussians', { n: 4000, noise: 0.1, classes: k, testFraction: 0 });
    const labels = labelsOf(d.train.y, k);
    for (let c = 0; c < k; c++) {
      let [sx, sy, sxx, m] = [0, 0, 0, 0];
      for (let i = 0; i < d.train.n; i++) {
        if (labels[i] !== c) continue;
        sx += d.train.x[2 * i]!;
        sy += d.train.x[2 * i + 1]!;
        sxx += d.train.x[2 * i]! ** 2;
        m++;
      }
      const [cx, cy] = blobCentre(c, k);
      // 1000 points, σ = 0.1: the mean's standard error is 0.003.
      expect(Math.abs(sx / m - cx)).toBeLessThan(0.015);
      expect(Math.abs(sy / m - cy)).toBeLessThan(0.015);
      expect(Math.sqrt(sxx / m - (sx / m) ** 2)).toBeCloseTo(0.1, 1);
    }
  });
});

describe('toy option errors', () => {
  it('rejects impossible options with a clear message', () => {
    expect(() => toyDataset('xor', { classes: 3 })).toThrow('xor has exactly 2 classes, got classes = 3');
    expect(() => toyDataset('spiral', { classes: 1 })).toThrow(
      'spiral: classes must be an integer from 2 to 16, got 1',
    );
    expect(() => toyDataset('circles', { n: 3 })).toThrow('circles: n must be an integer ≥ 2 × classes = 4, got 3');
    expect(() => toyDataset('gaussians', { noise: -1 })).toThrow(ToyError);
    expect(() => toyDataset('spiral', { testFraction: 1 })).toThrow('testFraction must be in [0, 1), got 1');
  });
});
