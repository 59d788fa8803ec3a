/**
 * The whole network's gradient and its R-op against central finite differences, in float64 on the CPU
 * reference, for every activation and likelihood (ConvNetJS-style whole-network check).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { paramLayout, type MlpSpec } from '../../src/engine/model/mlp.ts';
import {
  backwardOps,
  forwardOps,
  gatherOps,
  lossOps,
  outputGradOps,
  ropOps,
  Workspace,
} from '../../src/engine/model/passes.ts';
import type { Likelihood } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import { slice, type Tensor } from '../../src/engine/tensor.ts';

const rows = 5;

function setup(spec: MlpSpec, lik: Likelihood, seed: number) {
  const be = new CpuBackend({ precision: 'f64' });
  const layout = paramLayout(spec);
  const ws = new Workspace(be, layout, rows, 'ws');
  const rng = new Rng(seed, 99);
  const inDim = spec.sizes[0]!;
  const outDim = spec.sizes[spec.sizes.length - 1]!;
  const x = Array.from({ length: rows * inDim }, () => rng.normal());
  const y = Array.from({ length: rows * outDim }, (_, i) => {
    if (lik === 'gaussian') return rng.normal();
    if (lik === 'bernoulli') return rng.uniform() < 0.5 ? 1 : 0;
    return i % outDim === (Math.floor(i / outDim) * 7) % outDim ? 1 : 0;
  });
  const params = be.alloc(layout.total, 'params');
  const grads = be.alloc(layout.total, 'grads');
  const loss = be.alloc(1, 'loss');
  const xs = be.alloc(x.length, 'x');
  const ys = be.alloc(y.length, 'y');
  be.write(xs, x);
  be.write(ys, y);
  be.write(
    ws.idx,
    Array.from({ length: rows }, (_, i) => i),
  );
  be.write(
    params,
    Array.from({ length: layout.total }, () => 0.7 * rng.normal()),
  );
  const split = { x: xs, y: ys, n: rows };
  const sigma = 0.8;
  const fwd = be.record('fwd', [
    ...gatherOps(ws, split, rows),
    ...forwardOps(ws, params, rows),
    ...lossOps(ws, lik, sigma, rows, loss, 1 / rows, false),
  ]);
  const bwd = be.record('bwd', [
    ...outputGradOps(ws, lik, sigma, rows),
    ...backwardOps(ws, params, grads, rows, 1 / rows),
  ]);
  const lossAt = async (): Promise<number> => {
    be.run(fwd);
    return (await be.read(loss))[0]!;
  };
  return { be, layout, ws, params, grads, lossAt, bwd, rng };
}

async function readAll(be: CpuBackend, t: Tensor): Promise<number[]> {
  return Array.from(await be.read(t));
}

const cases: { name: string; spec: MlpSpec; lik: Likelihood }[] = [
  {
    name: 'tanh/relu → categorical',
    spec: { sizes: [3, 5, 4, 3], acts: ['tanh', 'relu', 'identity'] },
    lik: 'categorical',
  },
  {
    name: 'sigmoid/identity → bernoulli',
    spec: { sizes: [4, 6, 2, 4], acts: ['sigmoid', 'identity', 'identity'] },
    lik: 'bernoulli',
  },
  { name: 'relu → gaussian with tanh output', spec: { sizes: [2, 7, 3], acts: ['relu', 'tanh'] }, lik: 'gaussian' },
];

describe.each(cases)('MLP $name', ({ spec, lik }) => {
  it('backward gradient matches central differences of the batch loss', async () => {
    const { be, params, grads, lossAt, bwd, layout } = setup(spec, lik, 3);
    await lossAt();
    be.run(bwd);
    const g = await readAll(be, grads);
    const theta = await readAll(be, params);
    const h = 1e-6;
    for (let i = 0; i < layout.total; i++) {
      const orig = theta[i]!;
      be.write(params, [orig + h], i);
      const lp = await lossAt();
      be.write(params, [orig - h], i);
      const lm = await lossAt();
      be.write(params, [orig], i);
      const fd = (lp - lm) / (2 * h);
      expect(g[i]!, `param ${i}`).toBeCloseTo(fd, 6);
    }
    be.dispose();
  });

  it('R-op J·v matches the directional derivative of the output', async () => {
    const { be, params, ws, lossAt, layout, rng } = setup(spec, lik, 5);
    const v = be.alloc(layout.total, 'tangent');
    const vHost = Array.from({ length: layout.total }, () => rng.normal());
    be.write(v, vHost);
    await lossAt();
    be.run(be.record('rop', ropOps(ws, params, v, rows)));
    const out = ws.outDim;
    const jv = await readAll(be, slice(ws.dmu, 0, rows * out));
    const theta = await readAll(be, params);
    const h = 1e-6;
    be.write(
      params,
      theta.map((t, i) => t + h * vHost[i]!),
    );
    await lossAt();
    const plus = await readAll(be, slice(ws.mu, 0, rows * out));
    be.write(
      params,
      theta.map((t, i) => t - h * vHost[i]!),
    );
    await lossAt();
    const minus = await readAll(be, slice(ws.mu, 0, rows * out));
    for (let i = 0; i < rows * out; i++) expect(jv[i]!).toBeCloseTo((plus[i]! - minus[i]!) / (2 * h), 6);
    be.dispose();
  });
});
