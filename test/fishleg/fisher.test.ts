/**
 * Fisher-vector products on the CPU reference (float64): `ggn` equals the exact F·v built from
 * per-example Jacobians (themselves checked against central differences of the network output), and
 * `sampled` agrees with it in expectation over many model samples, element by element within 5 standard errors.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { withScratch } from '../../src/engine/curvature/arena.ts';
import { FisherProduct, type FisherSource } from '../../src/engine/curvature/fisher.ts';
import { exactFisher, outputFisher } from '../../src/engine/fishleg/views.ts';
import { paramLayout, type MlpSpec } from '../../src/engine/model/mlp.ts';
import { forwardOps, Workspace } from '../../src/engine/model/passes.ts';
import type { Likelihood } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import { matVec, maxRelDiff, randomVec, readF64, tensorOf } from './helpers.ts';

const cases: { name: string; spec: MlpSpec; lik: Likelihood }[] = [
  { name: 'tanh → categorical', spec: { sizes: [3, 4, 3], acts: ['tanh', 'identity'] }, lik: 'categorical' },
  {
    name: 'relu/sigmoid → bernoulli',
    spec: { sizes: [2, 3, 3, 2], acts: ['relu', 'sigmoid', 'identity'] },
    lik: 'bernoulli',
  },
  {
    name: 'sigmoid → gaussian with tanh output',
    spec: { sizes: [2, 3, 2], acts: ['sigmoid', 'tanh'] },
    lik: 'gaussian',
  },
];

const ROWS = 5;
const N = 9;

function setup(spec: MlpSpec, lik: Likelihood, estimator: 'ggn' | 'sampled') {
  const be = new CpuBackend({ precision: 'f64' });
  const layout = paramLayout(spec);
  const rng = new Rng(21, 3);
  const inDim = spec.sizes[0]!;
  const x = tensorOf(be, randomVec(N * inDim, rng), 'x');
  const params = tensorOf(be, randomVec(layout.total, rng, 0.8), 'params');
  const src: FisherSource = {
    backend: be,
    layout,
    params,
    likelihood: lik,
    sigma: 0.7,
    seed: 5,
    trainSplit: { x, y: x, n: N },
  };
  const fp = new FisherProduct(src, ROWS, estimator);
  const v = tensorOf(be, randomVec(layout.total, rng), 'v');
  const out = be.alloc(layout.total, 'fv');
  const { result, scratch } = withScratch(be, 'scratch', (arena) => fp.ops(v, out, arena));
  const program = be.record('fv', result);
  return { be, layout, src, fp, v, out, program, scratch };
}

describe.each(cases)('F·v, $name', ({ spec, lik }) => {
  it('ggn equals (1/B) Σ J_iᵀ Λ_i J_i v with finite-difference Jacobians', async () => {
    const { be, layout, src, fp, v, out, program } = setup(spec, lik, 'ggn');
    fp.prepare(3);
    const idx = Array.from(await be.read(fp.ws.idx));
    be.run(program);
    const got = await readF64(be, out);

    // Per-example Jacobians of μ by central differences of a separate forward pass.
    const P = layout.total;
    const k = spec.sizes[spec.sizes.length - 1]!;
    const ws = new Workspace(be, layout, ROWS, 'fd');
    const n = spec.sizes[0]!;
    const fwd = be.record('fwd', [
      {
        op: 'gather',
        rows: ROWS,
        cols: n,
        src: src.trainSplit.x,
        idx: ws.idx,
        dst: ws.a[0]!,
        ldDst: n + 1,
        ones: true,
      },
      ...forwardOps(ws, src.params, ROWS),
    ]);
    be.write(ws.idx, idx);
    const theta = await readF64(be, src.params);
    const muAt = async (t: Float64Array): Promise<Float64Array> => {
      be.write(src.params, t);
      be.run(fwd);
      return (await readF64(be, ws.mu)).slice(0, ROWS * k);
    };
    const mu = await muAt(theta);
    const h = 1e-6;
    const jac = new Float64Array(ROWS * k * P); // [i, c, j]
    for (let j = 0; j < P; j++) {
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[j] = tp[j]! + h;
      tm[j] = tm[j]! - h;
      const mp = await muAt(tp);
      const mm = await muAt(tm);
      for (let e = 0; e < ROWS * k; e++) jac[e * P + j] = (mp[e]! - mm[e]!) / (2 * h);
    }
    be.write(src.params, theta);
    const vv = await readF64(be, v);
    const want = new Float64Array(P);
    for (let i = 0; i < ROWS; i++) {
      const jv = Array.from({ length: k }, (_, c) =>
        jac.subarray((i * k + c) * P, (i * k + c + 1) * P).reduce((s, x, j) => s + x * vv[j]!, 0),
      );
      const lam = outputFisher(lik, mu.subarray(i * k, (i + 1) * k), 0.7);
      for (let c = 0; c < k; c++) {
        let w = 0;
        for (let c2 = 0; c2 < k; c2++) w += lam[c * k + c2]! * jv[c2]!;
        for (let j = 0; j < P; j++) want[j] = want[j]! + (jac[(i * k + c) * P + j]! * w) / ROWS;
      }
    }
    expect(maxRelDiff(got, want)).toBeLessThan(1e-7);

    // The views' exact Fisher (R-op Jacobians) agrees and reproduces F·v.
    const F = await exactFisher(src, src.trainSplit, idx);
    expect(maxRelDiff(matVec(F, vv), want)).toBeLessThan(1e-7);
    be.dispose();
  });

  it('sampled agrees with ggn in expectation (many model samples on one batch)', async () => {
    const g = setup(spec, lik, 'ggn');
    const s = setup(spec, lik, 'sampled');
    g.fp.prepare(1);
    const idx = Array.from(await g.be.read(g.fp.ws.idx));
    g.be.run(g.program);
    const exact = await readF64(g.be, g.out);
    const P = exact.length;
    const draws = 3000;
    const sum = new Float64Array(P);
    const sumSq = new Float64Array(P);
    for (let t = 1; t <= draws; t++) {
      s.fp.prepare(t); // a fresh sample counter
      s.be.write(s.fp.ws.idx, idx); // on the same batch
      s.be.run(s.program);
      const f = await s.be.read(s.out);
      for (let j = 0; j < P; j++) {
        sum[j] = sum[j]! + f[j]!;
        sumSq[j] = sumSq[j]! + f[j]! ** 2;
      }
    }
    let worst = 0;
    for (let j = 0; j < P; j++) {
      const mean = sum[j]! / draws;
      const se = Math.sqrt(Math.max(sumSq[j]! / draws - mean * mean, 0) / draws);
      worst = Math.max(worst, Math.abs(mean - exact[j]!) / (se + 1e-12));
    }
    expect(worst).toBeLessThan(5);
    // And the samples really vary (a deterministic estimator would make the check above vacuous).
    expect(sumSq.some((q, j) => q / draws - (sum[j]! / draws) ** 2 > 1e-8)).toBe(true);
    g.be.dispose();
    s.be.dispose();
  });
});
