/**
 * The likelihood `draw` op: bit-exact agreement with rng.ts at the documented counters, determinism
 * (same counter ⇒ same sample, bumped counter ⇒ new sample, counter read at run time), and statistics:
 * Gaussian mean/variance, Bernoulli frequencies vs sigmoid(μ), categorical frequencies vs softmax(μ).
 */
import { describe, expect, it } from 'vitest';
import type { DrawOp, Likelihood } from '../ops.ts';
import { normalAt, Stream, threefry2x32, uniformAt } from '../rng.ts';
import { CpuBackend } from './backend.ts';
import { runOps, tensorOf, values } from './test-util.ts';

const seed = 1234;

/** A backend with μ (rows×cols) and a counter holding `base`, and the draw op over them. */
function setup(lik: Likelihood, rows: number, cols: number, mu: number[], base: number, sigma = 1) {
  const b = new CpuBackend({ precision: 'f64' });
  const counter = tensorOf(b, [base], 'counter', 'u32');
  const sample = b.alloc(rows * cols, 'sample');
  const op: DrawOp = {
    op: 'draw',
    lik,
    rows,
    cols,
    mu: tensorOf(b, mu, 'mu'),
    sigma,
    seed,
    stream: Stream.draw,
    counter,
    sample,
  };
  return { b, op, counter, sample };
}

describe('draw: counters and determinism', () => {
  it('gaussian element (i, j) is μ + σ·normalAt(seed, stream, base + i·cols + j)', () => {
    const mu = [0.5, -1, 2, 3, 0, 1];
    const { b, op, sample } = setup('gaussian', 2, 3, mu, 1000, 0.3);
    runOps(b, [op]);
    expect(values(b, sample)).toEqual(mu.map((m, e) => m + 0.3 * normalAt(seed, Stream.draw, 1000 + e)));
  });

  it('bernoulli element (i, j) is 1[uniformAt(seed, stream, base + i·cols + j) < sigmoid(μ)]', () => {
    const mu = Array.from({ length: 64 }, (_, e) => (e % 9) - 4);
    const { b, op, sample } = setup('bernoulli', 8, 8, mu, 77);
    runOps(b, [op]);
    const want = mu.map((m, e) => (uniformAt(seed, Stream.draw, 77 + e) < 1 / (1 + Math.exp(-m)) ? 1 : 0));
    expect(values(b, sample)).toEqual(want);
  });

  it('categorical row i is one-hot at argmax_j μ_j − log(−log(((w0>>>8)+1)·2⁻²⁴)), w0 at counter base + i·cols + j', () => {
    const rows = 50;
    const cols = 6;
    const mu = Array.from({ length: rows * cols }, (_, e) => Math.sin(e));
    const { b, op, sample } = setup('categorical', rows, cols, mu, 321);
    runOps(b, [op]);
    const want: number[] = [];
    for (let i = 0; i < rows; i++) {
      const z = mu.slice(i * cols, (i + 1) * cols).map((m, j) => {
        const w0 = threefry2x32(seed, Stream.draw, 321 + i * cols + j, 0)[0];
        return m - Math.log(-Math.log(((w0 >>> 8) + 1) * 2 ** -24));
      });
      const arg = z.indexOf(Math.max(...z));
      want.push(...z.map((_, j) => (j === arg ? 1 : 0)));
    }
    expect(values(b, sample)).toEqual(want);
  });

  it.each(['gaussian', 'bernoulli', 'categorical'] as const)(
    '%s: same counter, same sample; bumped, different',
    (lik) => {
      const rows = 16;
      const cols = 5;
      const { b, op, counter, sample } = setup(lik, rows, cols, Array<number>(rows * cols).fill(0.1), 5);
      const p = b.record('draw', [op]);
      b.run(p);
      const first = values(b, sample);
      b.run(p);
      expect(values(b, sample)).toEqual(first);
      // The recorded program reads the counter when it runs, so bumping it gives fresh numbers.
      b.write(counter, [5 + rows * cols]);
      b.run(p);
      expect(values(b, sample)).not.toEqual(first);
      if (lik === 'categorical') {
        for (let i = 0; i < rows; i++) expect(first.slice(i * cols, (i + 1) * cols).reduce((a, x) => a + x)).toBe(1);
      }
    },
  );

  it('counters wrap modulo 2³² like u32 arithmetic in WGSL', () => {
    const { b, op, sample } = setup('gaussian', 1, 3, [0, 0, 0], 0xffffffff);
    runOps(b, [op]);
    const got = values(b, sample);
    expect(got[0]).toBe(normalAt(seed, Stream.draw, 0xffffffff));
    expect(got[1]).toBe(normalAt(seed, Stream.draw, 0));
    expect(got[2]).toBe(normalAt(seed, Stream.draw, 1));
  });
});

describe('draw: statistics', () => {
  it('gaussian samples have mean μ and variance σ²', () => {
    const n = 20000;
    const { b, op, sample } = setup('gaussian', 100, n / 100, Array<number>(n).fill(0.5), 0, 2);
    runOps(b, [op]);
    const x = values(b, sample);
    const mean = x.reduce((a, v) => a + v, 0) / n;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
    // Standard errors: σ/√n = 0.0141 for the mean, σ²·√(2/n) = 0.040 for the variance; allow 5 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * 0.0141);
    expect(Math.abs(variance - 4)).toBeLessThan(5 * 0.04);
  });

  it('bernoulli frequencies match sigmoid(μ) per column', () => {
    const logits = [-3, -1, 0, 0.5, 2];
    const rows = 8000;
    const mu = Array.from({ length: rows * logits.length }, (_, e) => logits[e % logits.length]!);
    const { b, op, sample } = setup('bernoulli', rows, logits.length, mu, 3);
    runOps(b, [op]);
    const x = values(b, sample);
    logits.forEach((m, j) => {
      const p = 1 / (1 + Math.exp(-m));
      let ones = 0;
      for (let i = 0; i < rows; i++) ones += x[i * logits.length + j]!;
      expect(Math.abs(ones / rows - p), `logit ${m}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / rows));
    });
  });

  it('categorical frequencies match softmax(μ) (Gumbel-max)', () => {
    const logits = [0, 1, 2, -1];
    const rows = 10000;
    const cols = logits.length;
    const mu = Array.from({ length: rows * cols }, (_, e) => logits[e % cols]!);
    const { b, op, sample } = setup('categorical', rows, cols, mu, 9);
    runOps(b, [op]);
    const x = values(b, sample);
    const z = logits.reduce((a, m) => a + Math.exp(m), 0);
    logits.forEach((m, j) => {
      const p = Math.exp(m) / z;
      let hits = 0;
      for (let i = 0; i < rows; i++) hits += x[i * cols + j]!;
      expect(Math.abs(hits / rows - p), `class ${j}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / rows));
    });
  });
});
