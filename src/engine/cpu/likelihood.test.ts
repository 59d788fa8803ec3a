/**
 * Likelihood kernels in float64: nll against hand-computed numbers (and stably at huge logits),
 * outputGrad against central differences of nll, and fisherOutput against the Hessian of nll w.r.t. μ
 * by second differences (for these likelihoods Λ = E_y[∇²nll] = ∇²nll, which does not depend on y).
 */
import { describe, expect, it } from 'vitest';
import { LIKELIHOODS, type Likelihood } from '../ops.ts';
import { CpuBackend } from './backend.ts';
import { maxRelErr, randomArray, runOps, tensorOf, values } from './test-util.ts';

const sigma = 0.7;

/** perExample nll of each row through the backend (f64). */
function nllRows(lik: Likelihood, rows: number, cols: number, mu: number[], y: number[], s = sigma): number[] {
  const b = new CpuBackend({ precision: 'f64' });
  const out = b.alloc(rows, 'nll');
  runOps(b, [
    { op: 'nll', lik, rows, cols, mu: tensorOf(b, mu, 'mu'), y: tensorOf(b, y, 'y'), sigma: s, perExample: out },
  ]);
  return values(b, out);
}

/** Targets: gaussian any real, bernoulli in [0, 1], categorical rows of probabilities summing to one. */
function targets(lik: Likelihood, rows: number, cols: number, seed: number): number[] {
  if (lik === 'gaussian') return randomArray(rows * cols, seed, -2, 2);
  const u = randomArray(rows * cols, seed, 0, 1);
  if (lik === 'bernoulli') return u;
  for (let i = 0; i < rows; i++) {
    const row = u.slice(i * cols, (i + 1) * cols);
    const sum = row.reduce((a, x) => a + x, 0);
    for (let j = 0; j < cols; j++) u[i * cols + j] = row[j]! / sum;
  }
  return u;
}

describe('nll hand values', () => {
  it('gaussian: ½[log σ² + ((y−μ)/σ)²], no log 2π', () => {
    // σ = 2, μ = 1, y = 3: ½[log 4 + 1] = 1.1931471805599454; second element μ = y: ½ log 4.
    expect(nllRows('gaussian', 1, 2, [1, 5], [3, 5], 2)[0]).toBeCloseTo(1.1931471805599454 + 0.6931471805599453, 14);
  });
  it('bernoulli: μ(1−y) + softplus(−μ)', () => {
    // μ = 0, y = 1: log 2 = 0.6931471805599453.  μ = 2, y = 0: 2 + log(1 + e⁻²) = 2.1269280110429727.
    // μ = −1.5, y = 0.25: −1.125 + log(1 + e^1.5) = −1.125 + 1.7014132779827524 = 0.5764132779827524.
    const r = nllRows('bernoulli', 3, 1, [0, 2, -1.5], [1, 0, 0.25]);
    expect(r[0]).toBeCloseTo(0.6931471805599453, 15);
    expect(r[1]).toBeCloseTo(2.1269280110429727, 14);
    expect(r[2]).toBeCloseTo(0.5764132779827524, 14);
  });
  it('bernoulli is stable at huge logits', () => {
    // Correct predictions cost ~0; confidently wrong ones cost |μ|, never Infinity or NaN.
    expect(nllRows('bernoulli', 4, 1, [1000, -1000, 1000, -1000], [1, 0, 0, 1])).toEqual([0, 0, 1000, 1000]);
  });
  it('categorical: −Σ y·log_softmax(μ), stable', () => {
    // μ = [1, 2, 3], y = e₃: log(e¹ + e² + e³) − 3 = log(1 + e⁻¹ + e⁻²) = 0.4076059644443804.
    expect(nllRows('categorical', 1, 3, [1, 2, 3], [0, 0, 1])[0]).toBeCloseTo(0.4076059644443804, 14);
    // Shifting every logit by 1000 changes nothing.
    expect(nllRows('categorical', 1, 3, [1001, 1002, 1003], [0, 0, 1])[0]).toBeCloseTo(0.4076059644443804, 11);
  });
});

describe.each(LIKELIHOODS)('%s derivatives', (lik) => {
  const rows = 3;
  const cols = 4;
  const mu = randomArray(rows * cols, 21, -2, 2);
  const y = targets(lik, rows, cols, 22);
  /** Σ over rows of nll at μ. */
  const total = (m: number[]) => nllRows(lik, rows, cols, m, y).reduce((a, x) => a + x, 0);

  it('outputGrad = scale·∂nll/∂μ (central differences)', () => {
    const scale = 0.3;
    const b = new CpuBackend({ precision: 'f64' });
    const grad = b.alloc(rows * cols, 'grad');
    runOps(b, [
      { op: 'outputGrad', lik, rows, cols, mu: tensorOf(b, mu, 'mu'), y: tensorOf(b, y, 'y'), sigma, scale, grad },
    ]);
    const h = 1e-5;
    const fd = mu.map((_, e) => {
      const p = mu.slice();
      const m = mu.slice();
      p[e]! += h;
      m[e]! -= h;
      return (scale * (total(p) - total(m))) / (2 * h);
    });
    const { err, at } = maxRelErr(values(b, grad), fd);
    expect(err, `worst at ${at}`).toBeLessThan(1e-8);
  });

  it('fisherOutput = scale·(∇²_μ nll)·v (second differences of nll)', () => {
    const scale = -1.5;
    const v = randomArray(rows * cols, 23);
    const b = new CpuBackend({ precision: 'f64' });
    const out = b.alloc(rows * cols, 'out');
    runOps(b, [
      { op: 'fisherOutput', lik, rows, cols, mu: tensorOf(b, mu, 'mu'), v: tensorOf(b, v, 'v'), sigma, scale, out },
    ]);
    // Hessian is block-diagonal over rows: H[r][j][k] from four-point second differences within row r.
    const h = 1e-4;
    const want = Array<number>(rows * cols).fill(0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        for (let k = 0; k < cols; k++) {
          const at = (dj: number, dk: number) => {
            const m = mu.slice();
            m[r * cols + j]! += dj;
            m[r * cols + k]! += dk;
            return nllRows(lik, rows, cols, m, y)[r]!;
          };
          const hjk = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
          want[r * cols + j]! += scale * hjk * v[r * cols + k]!;
        }
      }
    }
    const { err, at } = maxRelErr(values(b, out), want);
    expect(err, `worst at ${at}`).toBeLessThan(1e-6);
  });
});

describe('categorical outputGrad with unnormalised targets', () => {
  it('is the exact derivative (Σy)·softmax(μ) − y, not softmax(μ) − y', () => {
    // μ = 0 over 2 classes: softmax = [½, ½]; y = [2, 1]: (Σy = 3)·½ − y = [−0.5, 0.5].
    const b = new CpuBackend({ precision: 'f64' });
    const grad = b.alloc(2, 'grad');
    const [mu, y] = [tensorOf(b, [0, 0], 'mu'), tensorOf(b, [2, 1], 'y')];
    runOps(b, [{ op: 'outputGrad', lik: 'categorical', rows: 1, cols: 2, mu, y, sigma: 1, scale: 1, grad }]);
    expect(values(b, grad)).toEqual([-0.5, 0.5]);
  });
});
