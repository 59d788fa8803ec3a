/**
 * nll, outputGrad, fisherOutput and draw on the GPU against the CPU reference for every likelihood.
 * Draws: bernoulli and categorical samples bit-identical (they compare 24-bit uniforms), gaussian within
 * 1e-5; the counter is read from the device, so re-running after the host bumps it draws anew, and a
 * base near 2³² checks the counter wraps like the CPU's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIKELIHOODS, type Likelihood, type Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { expectClose, expectEqual, Pair, randoms, type Side, type Twin } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const SIGMA = 0.7;

/** Targets: gaussian reals, bernoulli {0,1} with some fractions, categorical one-hot rows (one row doubled). */
function targets(lik: Likelihood, rows: number, cols: number, seed: number): Float32Array {
  const u = randoms(rows * cols, seed, 0, 1);
  if (lik === 'gaussian') return randoms(rows * cols, seed + 1, -2, 2);
  if (lik === 'bernoulli') return u.map((v, i) => (i % 5 === 0 ? v : v < 0.5 ? 0 : 1));
  const y = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) y[i * cols + Math.floor(u[i]! * cols)] = i === 0 ? 2 : 1;
  return y;
}

const SHAPES = [
  { rows: 1, cols: 1 },
  { rows: 7, cols: 10 },
  { rows: 65, cols: 7 },
  { rows: 3, cols: 257 },
];

describe.each(LIKELIHOODS)('%s', (lik) => {
  it.each(SHAPES)('nll, outputGrad, fisherOutput rows=$rows cols=$cols', async ({ rows, cols }) => {
    const n = rows * cols;
    const mu = pair.twin(randoms(n + 2, rows * 7 + cols, -8, 8), 'mu');
    const y = pair.twin(targets(lik, rows, cols, cols), 'y');
    const v = pair.twin(randoms(n, 3), 'v');
    const per = pair.twin(rows + 1, 'perExample');
    const grad = pair.twin(n, 'grad');
    const fv = pair.twin(n, 'Fv');
    await pair.run((s: Side): Op[] => {
      const m = slice(mu[s], 2, n);
      return [
        { op: 'nll', lik, rows, cols, mu: m, y: y[s], sigma: SIGMA, perExample: slice(per[s], 1, rows) },
        { op: 'outputGrad', lik, rows, cols, mu: m, y: y[s], sigma: SIGMA, scale: 0.25, grad: grad[s] },
        { op: 'fisherOutput', lik, rows, cols, mu: m, v: v[s], sigma: SIGMA, scale: 1.5, out: fv[s] },
      ];
    });
    // Row sums of up to 257 terms of size ≤ 10 in f32.
    await pair.expectClose(per, { atol: 1e-5 * cols, rtol: 2e-6 }, `${lik} nll`);
    await pair.expectClose(grad, { atol: 2e-7, rtol: 2e-6 }, `${lik} outputGrad`);
    await pair.expectClose(fv, { atol: 2e-7, rtol: 2e-6 }, `${lik} fisherOutput`);
  });
});

describe('draw', () => {
  async function drawTwice(lik: Likelihood, rows: number, cols: number, base: number): Promise<void> {
    const n = rows * cols;
    const mu = pair.twin(randoms(n, rows + cols, -3, 3), 'mu');
    const counter = pair.twin([base], 'counter', 'u32');
    const samples: Twin[] = [pair.twin(n + 1, 'sample 1'), pair.twin(n + 1, 'sample 2')];
    for (const [k, sample] of samples.entries()) {
      if (k === 1) pair.write(counter, [(base + n) % 2 ** 32]);
      await pair.run((s: Side): Op[] => [
        {
          op: 'draw',
          lik,
          rows,
          cols,
          mu: mu[s],
          sigma: SIGMA,
          seed: 1234,
          stream: 4,
          counter: counter[s],
          sample: slice(sample[s], 1, n),
        },
      ]);
    }
    const reads = await Promise.all(samples.map((t) => pair.read(t)));
    for (const [k, { cpu, gpu }] of reads.entries()) {
      if (lik === 'gaussian') expectClose(gpu, cpu, { atol: 1e-5, rtol: 1e-5 }, `gaussian draw ${k}`);
      else expectEqual(gpu, cpu, `${lik} draw ${k}`);
    }
    // A bumped counter gives a different sample (a one-column categorical is always [1]).
    if (cols > 1) expect(Array.from(reads[0]!.gpu)).not.toEqual(Array.from(reads[1]!.gpu));
  }

  it.each([
    { lik: 'gaussian', rows: 65, cols: 7, base: 0 },
    { lik: 'bernoulli', rows: 33, cols: 65, base: 12345 },
    { lik: 'categorical', rows: 257, cols: 10, base: 2 ** 32 - 1000 },
    { lik: 'categorical', rows: 5, cols: 1, base: 7 },
  ] as const)('$lik rows=$rows cols=$cols counter base $base: same samples as the CPU', async (c) => {
    await drawTwice(c.lik, c.rows, c.cols, c.base);
  });
});
