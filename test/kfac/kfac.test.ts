/**
 * K-FAC and the exact natural gradient against float64 host references (test/kfac/reference.ts, written
 * from docs/kfac.md): factors, damped inverses and whole steps on the CPU backend in f64 (tight) and f32,
 * Newton–Schulz against a Cholesky inverse, state round trips, leaks and settings.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { batchIndices } from '../../src/engine/data/sampler.ts';
import { withScratch } from '../../src/engine/curvature/arena.ts';
import { addDiagonal, eye, matmul, spdInverse } from '../../src/engine/fishleg/linalg.ts';
import { defaultKfac, defaultNatural, type KfacConfig, type NaturalConfig } from '../../src/engine/kfac/spec.ts';
import {
  denseLayerInverse,
  isDampingStep,
  isInverseStep,
  Kfac,
  LM_MAX,
  LM_MIN,
  LM_OMEGA,
} from '../../src/engine/kfac/kfac.ts';
import { NATURAL_MAX_PARAMS, naturalIterations } from '../../src/engine/kfac/natural.ts';
import { dampedInverseOps } from '../../src/engine/kfac/newton-schulz.ts';
import { OptimizerConfigError, validateOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { maxRelDiff } from '../fishleg/helpers.ts';
import {
  batchFactors,
  dampedInverses,
  forward,
  gradient,
  meanLoss,
  outputFisher,
  precondition,
  type HostNet,
} from './reference.ts';

function regression(n: number, inDim: number, outDim: number, seed: number): Dataset {
  const rng = new Rng(seed, 30);
  const x = Float32Array.from({ length: n * inDim }, () => rng.normal());
  const y = Float32Array.from({ length: n * outDim }, () => rng.normal());
  const split = { x, y, n };
  return { name: 'reg', inputDim: inDim, outputDim: outDim, kind: 'regression', train: split, test: split };
}

function classes(n: number, inDim: number, k: number, seed: number): Dataset {
  const rng = new Rng(seed, 31);
  const x = Float32Array.from({ length: n * inDim }, () => rng.normal());
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) y[i * k + rng.int(k)] = 1;
  const split = { x, y, n };
  return {
    name: 'cls',
    inputDim: inDim,
    outputDim: k,
    kind: 'classification',
    numClasses: k,
    train: split,
    test: split,
  };
}

const rows = (a: ArrayLike<number>, idx: ArrayLike<number>, w: number): Float64Array[] =>
  Array.from(idx, (i) => Float64Array.from({ length: w }, (_, j) => a[i * w + j]!));

interface ReferenceCase {
  readonly data: Dataset;
  readonly arch: string;
  readonly lik: HostNet['lik'];
  readonly sigma: number;
  readonly batch: number;
  readonly seed: number;
  readonly steps: number;
  readonly config: KfacConfig;
}

/**
 * The Levenberg–Marquardt rule from its definition (docs/kfac.md §4.1), independent of the device ops: the
 * step δ, the quadratic model M(δ) = gᵀδ + ½δᵀ(F + λI)δ with δᵀFδ = (1/B) Σᵢ (Jᵢδ)ᵀΛᵢ(Jᵢδ), Jᵢδ by central
 * differences of the network's outputs, the reduction ratio ρ and the new λ.
 */
function lmDamping(
  net: HostNet,
  theta: Float64Array,
  delta: Float64Array,
  g: Float64Array,
  xs: readonly Float64Array[],
  ys: readonly Float64Array[],
  lambda: number,
): { rho: number; lambda: number } {
  const h = 1e-5;
  const along = (t: number) => theta.map((v, i) => v + t * delta[i]!);
  const up = forward(net, along(h), xs).mu;
  const dn = forward(net, along(-h), xs).mu;
  const mu = forward(net, theta, xs).mu;
  let dFd = 0;
  mu.forEach((m, i) => {
    const jd = up[i]!.map((v, j) => (v - dn[i]![j]!) / (2 * h));
    const k = m.length;
    const lam = outputFisher(net, m);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) dFd += (jd[a]! * lam[a * k + b]! * jd[b]!) / xs.length;
  });
  const gd = delta.reduce((s, v, i) => s + v * g[i]!, 0);
  const dd = delta.reduce((s, v) => s + v * v, 0);
  const model = gd + 0.5 * (dFd + lambda * dd);
  const rho = (meanLoss(net, along(1), xs, ys) - meanLoss(net, theta, xs, ys)) / model;
  const next = rho > 0.75 ? lambda * LM_OMEGA : rho < 0.25 ? lambda / LM_OMEGA : lambda;
  return { rho, lambda: Math.min(LM_MAX, Math.max(LM_MIN, next)) };
}

/**
 * Runs `steps` K-FAC steps on the f64 CPU backend and, after each, compares A_l, G_l, both damped inverses
 * and θ with the float64 host reference (running averages; inverses refreshed at every step that
 * isInverseStep names and held in between; under the LM rule, the damping λ after every step). Returns the
 * steps where the KL clip was active and the reference's ρ and λ at each adaptation.
 */
async function expectReferenceSteps(
  c: ReferenceCase,
): Promise<{ clipped: number[]; adapted: { step: number; rho: number; lambda: number }[] }> {
  const { data, batch: B, seed, config } = c;
  const inDim = data.inputDim;
  const outDim = data.outputDim;
  const be = new CpuBackend({ precision: 'f64' });
  const t = Trainer.create(be, data, {
    arch: c.arch,
    likelihood: c.lik,
    sigma: c.sigma,
    batch: B,
    seed,
    optimizer: config,
  });
  const net: HostNet = { layout: t.layout, lik: c.lik, sigma: c.sigma };
  let theta = Float64Array.from(await t.readParams());
  const mom = new Float64Array(theta.length);
  const eps = config.factorDecay;
  const clipped: number[] = [];
  const adapted: { step: number; rho: number; lambda: number }[] = [];
  const lm = config.dampingRule === 'levenberg-marquardt';
  let lambda = config.damping;
  let lambdaInv = lambda;
  let factors: { A: Float64Array; G: Float64Array }[] = [];
  let inv: { aInv: Float64Array; gInv: Float64Array }[] = [];
  for (let step = 0; step < c.steps; step++) {
    const idx = batchIndices(seed, step, B, data.train.n);
    const xs = rows(data.train.x, idx, inDim);
    const ys = rows(data.train.y, idx, outDim);
    const g = gradient(net, theta, xs, ys);
    const fresh = batchFactors(net, theta, xs, seed, step * B * outDim);
    factors =
      step === 0
        ? fresh
        : factors.map((f, l) => ({
            A: f.A.map((v, i) => eps * v + (1 - eps) * fresh[l]!.A[i]!),
            G: f.G.map((v, i) => eps * v + (1 - eps) * fresh[l]!.G[i]!),
          }));
    if (isInverseStep(step, config.invEvery)) lambdaInv = lambda;
    if (isInverseStep(step, config.invEvery))
      inv = factors.map((f, l) => dampedInverses(f.A, f.G, t.layout.layers[l]!.n + 1, t.layout.layers[l]!.m, lambda));
    const P = new Float64Array(theta.length);
    t.layout.layers.forEach((layer, l) => {
      P.set(
        precondition(
          inv[l]!.gInv,
          g.subarray(layer.offset, layer.offset + layer.size),
          inv[l]!.aInv,
          layer.m,
          layer.n + 1,
        ),
        layer.offset,
      );
    });
    const vg = P.reduce((s, v, i) => s + v * g[i]!, 0) * config.lr ** 2;
    const nu = config.klClip === null ? 1 : Math.min(1, Math.sqrt(config.klClip / vg));
    if (nu < 1) clipped.push(step);
    for (let i = 0; i < theta.length; i++)
      mom[i] = config.momentum * mom[i]! + nu * P[i]! + config.weightDecay * theta[i]!;
    const delta = mom.map((m) => -config.lr * m);
    if (lm && isDampingStep(step)) {
      const next = lmDamping(net, theta, delta, g, xs, ys, lambda);
      lambda = next.lambda;
      adapted.push({ step, ...next });
    }
    theta = theta.map((v, i) => v + delta[i]!);

    t.step(1);
    const kfac = t.optimizerAs(Kfac)!;
    expect(Math.abs((await kfac.currentDamping()) - lambda) / lambda, `λ after step ${step}`).toBeLessThan(1e-9);
    const used = (await kfac.denseLayerInverse(0)).damping;
    expect(Math.abs(used - lambdaInv) / lambdaInv, `the inverses' λ after step ${step}`).toBeLessThan(1e-9);
    expect(kfac.exactInverses, 'the CPU backend inverts exactly').toBe(true);
    for (let l = 0; l < t.layout.layers.length; l++) {
      const dev = await kfac.layerFactors(l);
      expect(maxRelDiff(dev.a, factors[l]!.A), `step ${step} A_${l}`).toBeLessThan(1e-10);
      expect(maxRelDiff(dev.g, factors[l]!.G), `step ${step} G_${l}`).toBeLessThan(1e-10);
      const di = await kfac.layerInverse(l);
      expect(maxRelDiff(di.aInv, inv[l]!.aInv), `step ${step} A_${l}⁻¹`).toBeLessThan(1e-10);
      expect(maxRelDiff(di.gInv, inv[l]!.gInv), `step ${step} G_${l}⁻¹`).toBeLessThan(1e-10);
    }
    expect(maxRelDiff(await be.read(t.params), theta), `θ after step ${step}`).toBeLessThan(1e-8);
  }
  // The dense view: (G⁻¹ ⊗ A⁻¹)[i·p + j, k·p + l] = G⁻¹[i, k]·A⁻¹[j, l].
  const li = await t.optimizerAs(Kfac)!.layerInverse(1);
  const dense = denseLayerInverse(li);
  const d = li.m * li.p;
  expect(dense[(1 * li.p + 2) * d + 0 * li.p + 3]).toBeCloseTo(li.gInv[1 * li.m + 0]! * li.aInv[2 * li.p + 3]!, 12);
  t.dispose();
  be.dispose();
  return { clipped, adapted };
}

describe('K-FAC step against a float64 host reference', () => {
  it('factors, π-split damped inverses, G⁻¹∇A⁻¹, KL clip, momentum and weight decay over two steps (Gaussian, f64 CPU)', async () => {
    const { clipped } = await expectReferenceSteps({
      data: regression(40, 3, 2, 1),
      arch: '3-4t-2',
      lik: 'gaussian',
      sigma: 0.7,
      batch: 6,
      seed: 5,
      steps: 2,
      config: {
        ...defaultKfac(),
        lr: 0.3,
        momentum: 0.9,
        weightDecay: 0.01,
        damping: 0.01,
        klClip: 1e-3,
        invEvery: 100,
      },
    });
    expect(clipped, 'the test must exercise the clip').toContain(0);
  });

  it('categorical likelihood (Gumbel-max drawn targets) across two inverse refreshes: inverses held, then refreshed (f64 CPU)', async () => {
    const config: KfacConfig = {
      ...defaultKfac(),
      lr: 0.2,
      momentum: 0.5,
      weightDecay: 1e-3,
      damping: 0.02,
      factorDecay: 0.8,
      klClip: 0.05,
      invEvery: 3,
    };
    // Inverses at steps 0, 3 and 6; steps 1, 2, 4, 5 use the inverses of older factors.
    const { clipped } = await expectReferenceSteps({
      data: classes(60, 4, 3, 4),
      arch: '4-5t-3',
      lik: 'categorical',
      sigma: 1,
      batch: 8,
      seed: 11,
      steps: 7,
      config,
    });
    // Both branches of ν: clipped early (fresh factors), unclipped later.
    expect(clipped.length, 'the clip must be active on some steps').toBeGreaterThan(0);
    expect(clipped.length, 'and inactive on others').toBeLessThan(7);
  });

  it.each([
    ['small steps the quadratic model predicts: λ shrinks', 0.05, 'down'],
    ['steps too long for the model: λ grows', 3, 'up'],
  ] as const)(
    'Levenberg–Marquardt damping, %s; the inverses refreshed every 4 steps use the adapted λ (categorical, f64 CPU)',
    async (_, lr, way) => {
      const config: KfacConfig = {
        ...defaultKfac(),
        lr,
        momentum: 0.5,
        weightDecay: 1e-3,
        damping: 0.05,
        dampingRule: 'levenberg-marquardt',
        factorDecay: 0.8,
        klClip: null,
        invEvery: 4,
      };
      const { adapted } = await expectReferenceSteps({
        data: classes(60, 4, 3, 4),
        arch: '4-5t-3',
        lik: 'categorical',
        sigma: 1,
        batch: 8,
        seed: 11,
        // Long steps amplify rounding: past ~15 steps the f64 runs part at 1e-10.
        steps: 15,
        config,
      });
      expect(adapted.map((a) => a.step)).toEqual([4, 9, 14]);
      const moved = adapted.map((a, i) => Math.sign(a.lambda - (i === 0 ? config.damping : adapted[i - 1]!.lambda)));
      const want = way === 'down' ? -1 : 1;
      expect(moved.filter((m) => m === want).length, JSON.stringify(adapted)).toBeGreaterThanOrEqual(2);
    },
  );

  it('Levenberg–Marquardt damping in float32: λ moves by whole powers of ω₁ (nothing rounds it)', async () => {
    const be = new CpuBackend({ precision: 'f32' });
    const damping = 0.05;
    const t = Trainer.create(be, classes(60, 4, 3, 4), {
      arch: '4-5t-3',
      likelihood: 'categorical',
      batch: 8,
      seed: 11,
      optimizer: { ...defaultKfac(), lr: 0.05, damping, dampingRule: 'levenberg-marquardt', invEvery: 4, klClip: null },
    });
    const powers: number[] = [];
    for (let k = 0; k < 6; k++) {
      t.step(5);
      powers.push(Math.log((await t.optimizerAs(Kfac)!.currentDamping()) / damping) / Math.log(LM_OMEGA));
    }
    for (const p of powers) expect(Math.abs(p - Math.round(p)), `λ = γ·ω₁^${p}`).toBeLessThan(1e-4);
    expect(Math.round(powers.at(-1)!), 'λ moved').not.toBe(0);
    t.dispose();
    be.dispose();
  });

  it('the reference gradient matches central finite differences of the loss', () => {
    const data = regression(10, 3, 2, 2);
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, data, {
      arch: '3-4t-2',
      likelihood: 'gaussian',
      sigma: 0.7,
      batch: 4,
      seed: 1,
      optimizer: defaultKfac(),
    });
    const net: HostNet = { layout: t.layout, lik: 'gaussian', sigma: 0.7 };
    const theta = Float64Array.from({ length: t.layout.total }, (_, i) => Math.sin(i + 1));
    const xs = rows(data.train.x, [0, 3, 5, 7], 3);
    const ys = rows(data.train.y, [0, 3, 5, 7], 2);
    const g = gradient(net, theta, xs, ys);
    for (const i of [0, 7, 15, 20, t.layout.total - 1]) {
      const h = 1e-6;
      const up = theta.slice();
      const dn = theta.slice();
      up[i]! += h;
      dn[i]! -= h;
      expect(g[i]!).toBeCloseTo((meanLoss(net, up, xs, ys) - meanLoss(net, dn, xs, ys)) / (2 * h), 7);
    }
    t.dispose();
    be.dispose();
  });

  it('f32 CPU runs track the f64 run', async () => {
    const data = regression(40, 3, 2, 1);
    const run = async (precision: 'f32' | 'f64') => {
      const be = new CpuBackend({ precision });
      const t = Trainer.create(be, data, {
        arch: '3-4t-2',
        likelihood: 'gaussian',
        batch: 8,
        seed: 2,
        optimizer: { ...defaultKfac(), invEvery: 3 },
      });
      t.step(7);
      const p = Float64Array.from(await be.read(t.params));
      t.dispose();
      be.dispose();
      return p;
    };
    expect(maxRelDiff(await run('f32'), await run('f64'))).toBeLessThan(1e-4);
  });
});

describe('Newton–Schulz damped inverse', () => {
  it.each(['f64', 'f32'] as const)(
    'matches a float64 Cholesky inverse of M + cI (rank-deficient M, %s)',
    async (precision) => {
      const d = 12;
      const rng = new Rng(9, 1);
      const x = Float64Array.from({ length: d * 4 }, () => rng.normal());
      const m = matmul(x, x, d, 4, d, false, true);
      const c = 0.05;
      const be = new CpuBackend({ precision });
      const mt = be.alloc(d * d, 'm');
      const et = be.alloc(d * d, 'eye');
      const out = be.alloc(d * d, 'out');
      const norm = be.alloc(1, 'norm');
      be.write(mt, m);
      be.write(et, eye(d));
      const { result, scratch } = withScratch(be, 's', (arena) =>
        dampedInverseOps({ d, m: mt, c: { c }, eye: et, out, norm }, arena),
      );
      const p = be.record('ns', result);
      be.run(p);
      const want = spdInverse(addDiagonal(m, d, c), d);
      expect(maxRelDiff(await be.read(out), want)).toBeLessThan(precision === 'f64' ? 1e-10 : 1e-4);
      be.release(p);
      for (const t of [mt, et, out, norm, scratch]) be.free(t);
      expect(be.liveStorages()).toBe(0);
      be.dispose();
    },
  );
});

describe('exact natural gradient against a float64 dense solve', () => {
  it('two steps of θ ← θ − η·m, m ← μm + (F + γI)⁻¹g + wd·θ with the categorical batch Fisher (f64 CPU)', async () => {
    const data = classes(30, 2, 3, 4);
    const B = 5;
    const seed = 6;
    const config: NaturalConfig = { kind: 'natural', lr: 0.4, momentum: 0.5, weightDecay: 0.02, damping: 0.03 };
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, data, {
      arch: '2-4t-3',
      likelihood: 'categorical',
      batch: B,
      seed,
      optimizer: config,
    });
    const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
    const P = t.layout.total;
    // The Fisher has rank ≤ B·out = 15 < P = 27: CG stops at 16 iterations and is still exact.
    expect(naturalIterations(P, B, 3)).toBe(16);
    let theta = Float64Array.from(await t.readParams());
    const mom = new Float64Array(P);
    for (let step = 0; step < 2; step++) {
      const idx = batchIndices(seed, step, B, data.train.n);
      const xs = rows(data.train.x, idx, 2);
      const ys = rows(data.train.y, idx, 3);
      const g = gradient(net, theta, xs, ys);
      // J_i by central differences of μ_i; F = (1/B) Σ J_iᵀ Λ_i J_i + γI.
      const h = 1e-6;
      const J = xs.map(() => new Float64Array(3 * P));
      for (let j = 0; j < P; j++) {
        const up = theta.slice();
        const dn = theta.slice();
        up[j]! += h;
        dn[j]! -= h;
        const fu = forward(net, up, xs).mu;
        const fd = forward(net, dn, xs).mu;
        xs.forEach((_, i) => {
          for (let k = 0; k < 3; k++) J[i]![k * P + j] = (fu[i]![k]! - fd[i]![k]!) / (2 * h);
        });
      }
      const mu = forward(net, theta, xs).mu;
      const F = new Float64Array(P * P);
      xs.forEach((_, i) => {
        const lj = matmul(outputFisher(net, mu[i]!), J[i]!, 3, 3, P);
        const jf = matmul(J[i]!, lj, P, 3, P, true, false);
        for (let q = 0; q < P * P; q++) F[q]! += jf[q]! / B;
      });
      const dir = matmul(spdInverse(addDiagonal(F, P, config.damping), P), g, P, P, 1);
      for (let i = 0; i < P; i++) mom[i] = config.momentum * mom[i]! + dir[i]! + config.weightDecay * theta[i]!;
      theta = theta.map((v, i) => v - config.lr * mom[i]!);
      t.step(1);
      expect(maxRelDiff(await be.read(t.params), theta), `θ after step ${step}`).toBeLessThan(1e-7);
    }
    t.dispose();
    be.dispose();
  });

  it('refuses a model above NATURAL_MAX_PARAMS, naming the cap', () => {
    const be = new CpuBackend({ precision: 'f32' });
    const data = regression(10, 40, 2, 1);
    expect(() =>
      Trainer.create(be, data, {
        arch: '40-32t-2',
        likelihood: 'gaussian',
        batch: 4,
        seed: 1,
        optimizer: defaultNatural(),
      }),
    ).toThrow(`this model has 1378 parameters, more than NATURAL_MAX_PARAMS = ${NATURAL_MAX_PARAMS}`);
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });
});

describe.each([
  ['kfac', { ...defaultKfac(), invEvery: 3 }],
  ['kfac (Levenberg–Marquardt damping)', { ...defaultKfac(), invEvery: 3, dampingRule: 'levenberg-marquardt' }],
  ['natural', { ...defaultNatural(), momentum: 0.9 }],
] as const)('%s state and lifecycle', (_, optimizer: OptimizerConfig) => {
  const data = regression(50, 3, 2, 3);
  const cfg = { arch: '3-5t-2', likelihood: 'gaussian' as const, batch: 8, seed: 4, optimizer };

  it('a checkpoint restored into a fresh run continues bit for bit (across an inverse refresh)', async () => {
    const be = new CpuBackend({ precision: 'f32' });
    const a = Trainer.create(be, data, cfg);
    a.step(4);
    const cp = await a.checkpoint();
    a.step(5);
    const want = await a.readParams();
    const b = Trainer.create(be, data, cfg);
    b.restore(cp);
    b.step(5);
    expect(await b.readParams()).toEqual(want);
    a.dispose();
    b.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });

  it('update() changes settings live, refuses another kind, and leaks nothing', async () => {
    const be = new CpuBackend({ precision: 'f32' });
    const a = Trainer.create(be, data, cfg);
    const b = Trainer.create(be, data, cfg);
    a.step(2);
    b.step(2);
    const changed =
      optimizer.kind === 'kfac'
        ? { ...optimizer, lr: optimizer.lr / 2, factorDecay: 0.9, klClip: null }
        : { ...optimizer, lr: optimizer.lr / 2, damping: 0.5 };
    b.updateOptimizer(changed);
    expect(b.optimizerConfig).toEqual(changed);
    a.step(3);
    b.step(3);
    expect(await b.readParams()).not.toEqual(await a.readParams());
    expect(() => b.updateOptimizer(defaultOptimizerOf('sgd'))).toThrow('into sgd');
    a.dispose();
    b.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });
});

function defaultOptimizerOf(kind: 'sgd'): OptimizerConfig {
  return { kind, lr: 0.1, momentum: 0, weightDecay: 0 };
}

describe('settings', () => {
  it.each([
    [{ ...defaultKfac(), factorDecay: 1 }, 'K-FAC factor decay must be in [0, 1)'],
    [{ ...defaultKfac(), invEvery: 0 }, 'K-FAC inverse interval (invEvery) must be an integer ≥ 1'],
    [{ ...defaultKfac(), invEvery: 2.5 }, 'invEvery'],
    [{ ...defaultKfac(), klClip: -1 }, 'K-FAC KL clip'],
    [{ ...defaultKfac(), damping: 0 }, 'K-FAC damping must be a positive number'],
    [{ ...defaultKfac(), lr: Number.NaN }, 'learning rate must be a positive number'],
    [{ ...defaultKfac(), momentum: 1 }, 'K-FAC momentum'],
    [{ ...defaultKfac(), weightDecay: -1 }, 'weight decay must be ≥ 0'],
    [{ ...defaultKfac(), fisher: 'ggn' }, "K-FAC fisher 'ggn' is not implemented"],
    [{ ...defaultKfac(), fisher: 'exact' }, "unknown K-FAC fisher 'exact'"],
    [{ ...defaultNatural(), damping: -1 }, 'natural-gradient damping must be a positive number'],
    [{ ...defaultNatural(), lr: 0 }, 'learning rate must be a positive number'],
  ])('rejects %o naming the setting', (config, message) => {
    expect(() => validateOptimizer(config as OptimizerConfig)).toThrow(OptimizerConfigError);
    expect(() => validateOptimizer(config as OptimizerConfig)).toThrow(message);
  });

  it('accepts the defaults and a KL clip turned off', () => {
    expect(() => validateOptimizer(defaultKfac())).not.toThrow();
    expect(() => validateOptimizer({ ...defaultKfac(), klClip: null })).not.toThrow();
    expect(() => validateOptimizer(defaultNatural())).not.toThrow();
  });
});

describe('K-FAC records saved before the damping rule existed', () => {
  it('restore with fixed damping and continue bit for bit', async () => {
    const data = regression(50, 3, 2, 3);
    const optimizer = { ...defaultKfac(), invEvery: 3 };
    const cfg = { arch: '3-5t-2', likelihood: 'gaussian' as const, batch: 8, seed: 4, optimizer };
    const be = new CpuBackend({ precision: 'f32' });
    const a = Trainer.create(be, data, cfg);
    a.step(4);
    const cp = await a.checkpoint();
    a.step(5);
    const want = await a.readParams();
    // The record as it was saved then: no dampingRule in the config, no λ slots after the clip's scalars.
    const { dampingRule, ...config } = cp.optimizer.config as KfacConfig;
    expect(dampingRule).toBe('fixed');
    const scalars = cp.optimizer.tensors.scalars!;
    const legacy = {
      ...cp,
      optimizer: {
        ...cp.optimizer,
        config: config as unknown as KfacConfig,
        // Two traces per layer (two layers), then ν's four, the Newton–Schulz norm and the constant 1.
        tensors: { ...cp.optimizer.tensors, scalars: scalars.slice(0, 2 * 2 + 6) },
      },
    };
    const b = Trainer.create(be, data, cfg);
    b.restore(legacy);
    b.step(5);
    expect(await b.readParams()).toEqual(want);
    // A record of another length is still refused, naming the tensor.
    const c = Trainer.create(be, data, cfg);
    const short = { ...legacy.optimizer.tensors, scalars: scalars.slice(0, 2 * 2 + 5) };
    expect(() => c.restore({ ...legacy, optimizer: { ...legacy.optimizer, tensors: short } })).toThrow("'scalars'");
    for (const t of [a, b, c]) t.dispose();
    be.dispose();
  });
});
