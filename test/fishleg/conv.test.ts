/**
 * FishLeg on conv nets (the FishConv2d structure), on the CPU reference in float64:
 * - the Fisher-vector products through conv and pooling layers: `ggn` against (1/B) Σ J_iᵀ Λ_i J_i v with
 *   finite-difference Jacobians, `sampled` against (1/B) Σ g_i g_iᵀ v with g_i = J_iᵀ ∂nll_i/∂μ for the
 *   targets the device drew (the per-example gradient of a conv layer sums over its output pixels);
 * - Q·G in factored form over a conv layer's batch·positions Kronecker rows against the explicit Kronecker Q
 *   applied to the dense gradient;
 * - a whole FishLeg step after an auxiliary update: θ moves by −η·Q(λ)·g per layer (pooling skipped);
 * - FishLeg lowers the loss on the bars task for every approximation, and the same seed gives the same run;
 * - the natural gradient's step on a conv net is (F + γI)⁻¹g with the exact Fisher;
 * - the Inside view's one-layer Fisher block of a conv layer equals the whole-model Fisher's block, and a
 *   pooling layer has none (the view shows the next layer).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { withScratch } from '../../src/engine/curvature/arena.ts';
import { FisherProduct, layerKronRows, type FisherSource } from '../../src/engine/curvature/fisher.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { batchIndices } from '../../src/engine/data/sampler.ts';
import { APPROX } from '../../src/engine/fishleg/approx.ts';
import { defaultFishLeg, FISHLEG_APPROXES } from '../../src/engine/fishleg/spec.ts';
import {
  denseDampedInverse,
  denseLayerFisher,
  layerFisher,
  layerFisherColumns,
  layerFisherEigen,
  NoFisherBlockError,
} from '../../src/engine/fishleg/layer-fisher.ts';
import { addDiagonal, relativeError, spdInverse } from '../../src/engine/fishleg/linalg.ts';
import { dampedInverse, exactFisher, fisherBlock, outputFisher } from '../../src/engine/fishleg/views.ts';
import { insideFrame, inspectedLayer } from '../../src/worker/views-data.ts';
import { kronShape } from '../../src/engine/layers/registry.ts';
import { paramLayout } from '../../src/engine/model/mlp.ts';
import { backwardOps, forwardOps, gatherInputsOp, outputGradOps, Workspace } from '../../src/engine/model/passes.ts';
import type { Likelihood } from '../../src/engine/ops.ts';
import { defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import {
  explicitQ,
  layerOnDevice,
  matVec,
  maxRelDiff,
  randomLambda,
  randomVec,
  readF64,
  run,
  tensorOf,
} from './helpers.ts';

const NETS = ['6x6x2-c3k3p1r-mp2-f-3', '7x7x2-c3k3s2p1t-ap2-f-3'] as const;
const LIK: Likelihood = 'categorical';
const ROWS = 4;
const N = 9;

function setup(arch: string, estimator: 'ggn' | 'sampled') {
  const be = new CpuBackend({ precision: 'f64' });
  const layout = paramLayout(parseArch(arch));
  const rng = new Rng(21, 3);
  const inDim = layout.layers[0]!.n;
  const x = tensorOf(be, randomVec(N * inDim, rng), 'x');
  const params = tensorOf(be, randomVec(layout.total, rng, 0.5), 'params');
  const src: FisherSource = {
    backend: be,
    layout,
    params,
    likelihood: LIK,
    sigma: 1,
    seed: 5,
    trainSplit: { x, y: x, n: N },
  };
  const fp = new FisherProduct(src, ROWS, estimator);
  const v = tensorOf(be, randomVec(layout.total, rng), 'v');
  const out = be.alloc(layout.total, 'fv');
  const { result } = withScratch(be, 'scratch', (arena) => fp.ops(v, out, arena));
  const program = be.record('fv', result);
  return { be, layout, src, fp, v, out, program };
}

/** Per-example Jacobians of μ (jac[(i·k + c)·P + j]) by central differences of a separate forward pass. */
async function jacobians(s: ReturnType<typeof setup>, idx: readonly number[]) {
  const { be, layout, src } = s;
  const P = layout.total;
  const ws = new Workspace(be, layout, ROWS, 'fd');
  const k = ws.outDim;
  const fwd = be.record('fwd', [gatherInputsOp(ws, src.trainSplit.x, ROWS), ...forwardOps(ws, src.params, ROWS)]);
  be.write(ws.idx, idx);
  const theta = await readF64(be, src.params);
  const muAt = async (t: Float64Array): Promise<Float64Array> => {
    be.write(src.params, t);
    be.run(fwd);
    return (await readF64(be, ws.mu)).slice(0, ROWS * k);
  };
  const mu = await muAt(theta);
  const h = 1e-6;
  const jac = new Float64Array(ROWS * k * P);
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
  return { jac, mu, k, P };
}

describe.each(NETS)('F·v through conv and pooling, %s', (arch) => {
  it('ggn equals (1/B) Σ J_iᵀ Λ_i J_i v with finite-difference Jacobians', async () => {
    const s = setup(arch, 'ggn');
    s.fp.prepare(3);
    const idx = Array.from(await s.be.read(s.fp.ws.idx));
    s.be.run(s.program);
    const got = await readF64(s.be, s.out);
    const { jac, mu, k, P } = await jacobians(s, idx);
    const vv = await readF64(s.be, s.v);
    const want = new Float64Array(P);
    for (let i = 0; i < ROWS; i++) {
      const jv = Array.from({ length: k }, (_, c) =>
        jac.subarray((i * k + c) * P, (i * k + c + 1) * P).reduce((acc, x, j) => acc + x * vv[j]!, 0),
      );
      const lam = outputFisher(LIK, mu.subarray(i * k, (i + 1) * k), 1);
      for (let c = 0; c < k; c++) {
        let w = 0;
        for (let c2 = 0; c2 < k; c2++) w += lam[c * k + c2]! * jv[c2]!;
        for (let j = 0; j < P; j++) want[j] = want[j]! + (jac[(i * k + c) * P + j]! * w) / ROWS;
      }
    }
    expect(want.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    expect(maxRelDiff(got, want)).toBeLessThan(1e-7);
    s.be.dispose();
  });

  it('sampled equals (1/B) Σ g_i g_iᵀ v for the drawn targets, g_i from finite-difference Jacobians', async () => {
    const s = setup(arch, 'sampled');
    s.fp.prepare(2);
    const idx = Array.from(await s.be.read(s.fp.ws.idx));
    s.be.run(s.program);
    const got = await readF64(s.be, s.out);
    const y = (await readF64(s.be, s.fp.ws.y)).slice(0, ROWS * s.fp.ws.outDim);
    const { jac, mu, k, P } = await jacobians(s, idx);
    const vv = await readF64(s.be, s.v);
    const want = new Float64Array(P);
    for (let i = 0; i < ROWS; i++) {
      // ∂nll/∂μ = softmax(μ) − y for the categorical likelihood on logits.
      const row = mu.subarray(i * k, (i + 1) * k);
      const max = Math.max(...row);
      const ex = Array.from(row, (m) => Math.exp(m - max));
      const z = ex.reduce((a, b) => a + b, 0);
      const dmu = ex.map((e, c) => e / z - y[i * k + c]!);
      const g = new Float64Array(P);
      for (let c = 0; c < k; c++) for (let j = 0; j < P; j++) g[j] = g[j]! + jac[(i * k + c) * P + j]! * dmu[c]!;
      const gv = g.reduce((acc, x, j) => acc + x * vv[j]!, 0);
      for (let j = 0; j < P; j++) want[j] = want[j]! + (g[j]! * gv) / ROWS;
    }
    expect(want.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    expect(maxRelDiff(got, want)).toBeLessThan(1e-7);
    s.be.dispose();
  });
});

describe('Q·G in factored form over a conv layer’s Kronecker rows', () => {
  it.each(FISHLEG_APPROXES.filter((a) => APPROX[a].qFactoredOps))(
    '%s equals the explicit Q applied to the dense gradient',
    async (approx) => {
      const impl = APPROX[approx];
      const s = setup(NETS[1], 'ggn');
      const { be, layout, src } = s;
      const ws = new Workspace(be, layout, ROWS, 'train');
      const grads = be.alloc(layout.total, 'grads');
      be.write(ws.idx, [0, 3, 5, 8]);
      be.write(ws.y, randomVec(ROWS * ws.outDim, new Rng(4, 1)));
      run(be, () => [
        gatherInputsOp(ws, src.trainSplit.x, ROWS),
        ...forwardOps(ws, src.params, ROWS),
        ...outputGradOps(ws, LIK, 1, ROWS),
        ...backwardOps(ws, src.params, grads, ROWS, 1 / ROWS),
      ]);
      const l = 0;
      const layer = layout.layers[l]!;
      const shape = kronShape(layer);
      const rows = layerKronRows(ws, l, ROWS)!;
      expect(rows.rows).toBe(ROWS * rows.positions);
      expect(rows.positions).toBeGreaterThan(1);
      const h = randomLambda(impl, shape, new Rng(9, 2));
      const st = layerOnDevice(be, impl, shape, h);
      const out = be.alloc(layer.size, 'qg');
      run(be, (arena) =>
        impl.qFactoredOps!(st, { e: rows.e, a: rows.a, rows: rows.rows, scale: 1 / ROWS }, out, arena),
      );
      const g = (await readF64(be, grads)).subarray(layer.offset, layer.offset + layer.size);
      expect(g.some((x) => Math.abs(x) > 1e-3)).toBe(true);
      expect(maxRelDiff(await readF64(be, out), matVec(explicitQ(h, shape), g))).toBeLessThan(1e-9);
      be.dispose();
    },
  );
});

const fishleg = (approx: (typeof FISHLEG_APPROXES)[number], over: Partial<Record<string, unknown>> = {}) =>
  ({ ...defaultFishLeg(approx), ...over }) as OptimizerConfig;

describe.each(FISHLEG_APPROXES)('FishLeg %s on a conv net', (approx) => {
  it('steps θ by −η·Q(λ)·g per layer after an auxiliary update, skipping the pooling layer', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const data = barsDataset({ n: 60, seed: 2 });
    const lr = 0.05;
    const config = fishleg(approx, { lr, beta: 0, weightDecay: 0, auxEvery: 1, auxLr: 0.01 });
    const t = Trainer.create(be, data, {
      arch: '8x8x1-c2k3p1r-mp2-f-2',
      likelihood: LIK,
      optimizer: config,
      batch: 6,
      seed: 3,
    });
    t.step();
    await t.settle();
    const before = await readF64(be, t.params);
    t.step(); // an auxiliary update of λ, then the step with the new Q
    await t.settle();
    const after = await readF64(be, t.params);
    const g = await readF64(be, t.grads);
    const { layers } = await t.inverseFisher!.hostLambda();
    let checked = 0;
    t.layout.layers.forEach((layer, l) => {
      if (layer.size === 0) return;
      const shape = kronShape(layer);
      const q = explicitQ(layers[l]!, shape);
      const want = matVec(q, g.subarray(layer.offset, layer.offset + layer.size)).map((x) => -lr * x);
      const moved = after
        .subarray(layer.offset, layer.offset + layer.size)
        .map((x, i) => x - before[layer.offset + i]!);
      expect(want.some((x) => Math.abs(x) > 1e-6)).toBe(true);
      expect(maxRelDiff(moved, want), `layer ${l}`).toBeLessThan(1e-9);
      checked++;
    });
    expect(checked).toBe(2);
    t.dispose();
    be.dispose();
  });

  it('lowers the bars loss over 100 steps, and the same seed gives the same parameters', async () => {
    const runOnce = async () => {
      const be = new CpuBackend();
      const t = Trainer.create(be, barsDataset({ n: 200, seed: 1 }), {
        arch: '8x8x1-c4k3p1r-mp2-f-2',
        likelihood: LIK,
        optimizer: fishleg(approx, { lr: 0.02 }),
        batch: 16,
        seed: 1,
      });
      const start = (await t.evaluate()).trainLoss;
      t.step(100);
      await t.settle();
      const end = (await t.evaluate()).trainLoss;
      const params = await t.readParams();
      t.dispose();
      be.dispose();
      return { start, end, params };
    };
    const a = await runOnce();
    expect(a.end).toBeLessThan(0.8 * a.start);
    const b = await runOnce();
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
  });
});

describe('the natural gradient on a conv net', () => {
  it('steps θ by −η·(F + γI)⁻¹g with the exact Fisher of the batch', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const data = barsDataset({ n: 60, seed: 2 });
    const lr = 0.1;
    const damping = 0.01;
    const config = { ...defaultOptimizer('natural'), lr, momentum: 0, weightDecay: 0, damping } as OptimizerConfig;
    const batch = 3;
    const seed = 4;
    const t = Trainer.create(be, data, {
      arch: '8x8x1-c2k3s2r-ap2-f-2',
      likelihood: LIK,
      optimizer: config,
      batch,
      seed,
    });
    const before = await readF64(be, t.params);
    const P = t.layout.total;
    const F = await exactFisher(
      { backend: be, layout: t.layout, params: t.params, likelihood: LIK, sigma: 1 },
      t.trainSplit,
      Array.from(batchIndices(seed, 0, batch, t.trainSplit.n)),
    );
    t.step();
    await t.settle();
    const g = await readF64(be, slice(t.grads, 0, P));
    const after = await readF64(be, t.params);
    const want = matVec(spdInverse(addDiagonal(F, P, damping), P), g).map((x) => -lr * x);
    const moved = after.map((x, i) => x - before[i]!);
    expect(want.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    expect(maxRelDiff(moved, want)).toBeLessThan(1e-6);
    t.dispose();
    be.dispose();
  });
});

describe.each<[string, Likelihood]>([
  ['6x6x2-c3k3p1r-mp2-f-3', 'categorical'],
  ['7x7x2-c3k3s2p1t-ap2-f-3', 'bernoulli'],
  ['4x4x1-c2k3-f-9t', 'gaussian'],
])('the Inside view’s Fisher block of a conv layer, %s (%s)', (arch, lik) => {
  it('equals the whole-model Fisher’s block through both eigen paths, and pooling has none', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const layout = paramLayout(parseArch(arch));
    const rng = new Rng(13, 4);
    const inDim = layout.layers[0]!.n;
    const x = tensorOf(be, randomVec(N * inDim, rng), 'x');
    const params = tensorOf(be, randomVec(layout.total, rng, 0.5), 'params');
    const model = { backend: be, layout, params, likelihood: lik, sigma: 0.7 };
    const split = { x, y: x, n: N };
    for (const idx of [
      [2, 7],
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    ]) {
      const F = await exactFisher(model, split, idx);
      const l = 0;
      const d = layout.layers[l]!.size;
      const block = fisherBlock(F, layout, l);
      const f = await layerFisher(model, split, idx, l);
      expect(f.positions).toBeGreaterThan(1);
      expect(f.r).toBeLessThanOrEqual(idx.length * layerFisherColumns(layout.layers[l]!, 9, lik));
      expect(relativeError(denseLayerFisher(f), block)).toBeLessThan(1e-9);
      const eig = layerFisherEigen(f);
      expect(relativeError(denseDampedInverse(eig, 0.1), dampedInverse(block, d, 0.1))).toBeLessThan(1e-8);
    }
    const pool = layout.layers.findIndex((l) => l.size === 0);
    if (pool >= 0) {
      await expect(layerFisher(model, split, [0], pool)).rejects.toThrow(NoFisherBlockError);
      expect(inspectedLayer(layout.layers, pool)).toBe(pool + 1);
    }
    be.dispose();
  });
});

describe('Inside FishLeg on a conv net', () => {
  it('shows the next layer with parameters when asked for a pooling layer', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, barsDataset({ n: 60, seed: 2 }), {
      arch: '8x8x1-c2k3p1r-mp2-f-2',
      likelihood: LIK,
      optimizer: fishleg('kron-diag', { auxEvery: 2 }),
      batch: 8,
      seed: 3,
    });
    t.step(5);
    await t.settle();
    const frame = (await insideFrame(t, 'r1', 1))!;
    expect(frame.layer.index).toBe(2);
    expect(frame.layer.kind).toBe('dense');
    const conv = (await insideFrame(t, 'r1', 0))!;
    expect(conv.layer.kind).toBe('conv2d');
    expect(conv.q).not.toBeNull();
    expect(Number.isFinite(conv.relError!)).toBe(true);
    expect(conv.measures!.cosFishLeg).toBeGreaterThan(-1);
    t.dispose();
    be.dispose();
  });
});
