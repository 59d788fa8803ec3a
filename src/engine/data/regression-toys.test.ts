import { describe, expect, it } from 'vitest';
import { getTask } from './tasks.ts';
import { toyDataset, toyTarget, ToyError } from './toy.ts';

describe('the 2D regression toys', () => {
  it.each(['plane', 'bumps'] as const)('%s: points in [-1, 1]², one real target near the function', (task) => {
    const d = toyDataset(task, { n: 500, noise: 0.05, seed: 4 });
    expect(d.kind).toBe('regression');
    expect([d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual([2, 1, 400, 100]);
    expect(d.numClasses).toBeUndefined();
    let sq = 0;
    for (let i = 0; i < d.train.n; i++) {
      const [a, b] = [d.train.x[2 * i]!, d.train.x[2 * i + 1]!];
      expect(Math.abs(a) <= 1 && Math.abs(b) <= 1).toBe(true);
      sq += (d.train.y[i]! - toyTarget(task, a, b)) ** 2;
    }
    // The residual is the noise: its standard deviation is 0.05 (within sampling error).
    expect(Math.sqrt(sq / d.train.n)).toBeGreaterThan(0.04);
    expect(Math.sqrt(sq / d.train.n)).toBeLessThan(0.06);
    expect(toyDataset(task, { n: 500, noise: 0.05, seed: 4 }).train.y).toEqual(d.train.y);
  });

  it('registers them as Gaussian regression tasks with one output', () => {
    for (const name of ['plane', 'bumps']) {
      const spec = getTask(name);
      expect([spec.kind, spec.likelihood, spec.defaultArch]).toEqual(['regression', 'gaussian', '2-16t-16t-1']);
    }
  });

  it('takes no class count and varies the bumps over the plane', () => {
    expect(() => toyDataset('plane', { classes: 3 })).toThrow(ToyError);
    expect(toyTarget('bumps', -0.5, 0.5)).toBeGreaterThan(0.9);
    expect(toyTarget('bumps', 0.5, 0.5)).toBeLessThan(-0.9);
    expect(toyTarget('plane', 1, 1)).toBe(1);
  });
});
