/**
 * The badly scaled regression: seeded and reproducible, its input covariance as badly conditioned as κ says
 * while no single input axis shows it (the scales lie along rotated directions), the targets as noisy as asked,
 * bad options refused with the rule they break, and the task registry serving the same data.
 */
import { describe, expect, it } from 'vitest';
import { spdInverse } from '../fishleg/linalg.ts';
import { scaledRegressionDataset, scaledRegressionRows, ScaledRegressionError } from './scaled-regression.ts';
import { getTask } from './tasks.ts';

/** E[xxᵀ] of the rows of x (n × d). */
function covariance(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) c[i * d + j] = c[i * d + j]! + (x[r * d + i]! * x[r * d + j]!) / n;
  return c;
}

/** Largest eigenvalue of a symmetric positive definite matrix, by power iteration. */
function topEigen(m: ArrayLike<number>, d: number): number {
  let v = Array.from({ length: d }, (_, i) => 1 + i / d);
  let lambda = 0;
  for (let it = 0; it < 500; it++) {
    const w = v.map((_, i) => v.reduce((s, vj, j) => s + m[i * d + j]! * vj, 0));
    lambda = Math.hypot(...w);
    v = w.map((x) => x / lambda);
  }
  return lambda;
}

describe('scaled regression', () => {
  it('is the same for the same seed and differs across seeds', () => {
    const a = scaledRegressionDataset({ seed: 3 });
    expect(scaledRegressionDataset({ seed: 3 })).toEqual(a);
    expect(scaledRegressionDataset({ seed: 4 }).train.x).not.toEqual(a.train.x);
    expect([a.inputDim, a.outputDim, a.train.n, a.test.n, a.kind]).toEqual([16, 4, 2000, 500, 'regression']);
  });

  it('has an input covariance of condition number ≈ κ that no axis shows on its own', () => {
    const d = 16;
    const { x, trainRows } = scaledRegressionRows({ seed: 1, rows: 20_000 });
    const c = covariance(x, trainRows, d);
    const kappa = topEigen(c, d) * topEigen(spdInverse(c, d), d);
    // σ runs from 1 to 0.01, so κ = 1e4 up to the sampling error of 20,000 rows.
    expect(kappa).toBeGreaterThan(0.7e4);
    expect(kappa).toBeLessThan(1.4e4);
    // Each input mixes every direction, so the per-axis variances spread far less than the eigenvalues do:
    // a diagonal rescaling (Adam's) leaves almost all of κ in place.
    const diag = Array.from({ length: d }, (_, i) => c[i * d + i]!);
    expect(Math.max(...diag) / Math.min(...diag)).toBeLessThan(100);
  });

  it('honours κ and the noise: κ = 1 gives isotropic inputs, and the residual of the true map is the noise', () => {
    const { x } = scaledRegressionRows({ seed: 2, kappa: 1, rows: 20_000 });
    const c = covariance(x, 20_000, 16);
    for (let i = 0; i < 16; i++) expect(c[i * 16 + i]).toBeCloseTo(1, 1);
    // The same draw with and without noise: the inputs agree, and the targets differ by the noise alone.
    const clean = scaledRegressionRows({ seed: 2, noise: 0, rows: 1000 });
    const noisy = scaledRegressionRows({ seed: 2, noise: 0.05, rows: 1000 });
    expect(noisy.x).toEqual(clean.x);
    let sq = 0;
    for (let i = 0; i < clean.y.length; i++) sq += (noisy.y[i]! - clean.y[i]!) ** 2;
    expect(Math.sqrt(sq / clean.y.length)).toBeCloseTo(0.05, 2);
  });

  it('refuses options it cannot honour, naming the rule', () => {
    expect(() => scaledRegressionRows({ kappa: 0.5 })).toThrow(ScaledRegressionError);
    expect(() => scaledRegressionRows({ kappa: 0.5 })).toThrow(/kappa must be from 1/);
    expect(() => scaledRegressionRows({ rows: 0 })).toThrow(/rows must be a positive integer/);
    expect(() => scaledRegressionRows({ inputs: 1.5 })).toThrow(/inputs must be an integer/);
    expect(() => scaledRegressionRows({ noise: -1 })).toThrow(/noise must be from 0/);
  });

  it('is the registry task scaled-regression, seeded by the loader', async () => {
    const spec = getTask('scaled-regression');
    expect([spec.kind, spec.likelihood, spec.defaultArch]).toEqual(['regression', 'gaussian', '16-16-16-4']);
    expect(await spec.load({ seed: 5 })).toEqual(scaledRegressionDataset({ seed: 5 }));
  });
});
