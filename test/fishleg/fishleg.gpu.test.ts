/**
 * FishLeg on WebGPU against the CPU reference (float32 both): each structure's Q·U, factored Q·G and
 * ∇_λ⟨r, Qu⟩, the ggn and sampled Fisher-vector products, and whole FishLeg runs (auxiliary updates and a
 * switch of structure included), and the frozen-Q control (auxiliary learning rate 0: λ bit for bit at Q₀,
 * no auxiliary dispatch, momentum SGD along Q₀g). FishLeg is built from the closed op list only, so this
 * checks that the WGSL kernels compose into the same algorithm. Runs in Chromium (SwiftShader on CI): shapes stay small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { withScratch, type Arena } from '../../src/engine/curvature/arena.ts';
import { APPROX } from '../../src/engine/fishleg/approx.ts';
import { FisherProduct, type FisherSource } from '../../src/engine/curvature/fisher.ts';
import { FishLeg } from '../../src/engine/fishleg/fishleg.ts';
import type { LayerState } from '../../src/engine/fishleg/types.ts';
import { paramLayout } from '../../src/engine/model/mlp.ts';
import type { Likelihood, Op } from '../../src/engine/ops.ts';
import { defaultFishLeg, FISHLEG_APPROXES, type FishLegConfig, type SgdConfig } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';
import { expectClose, Pair, randoms, SIDES, type Side } from '../gpu/harness.ts';
import { CountingBackend } from './counting-backend.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

/** Records ops built over a fresh scratch on one backend, runs them once, frees what it made. */
function runOn(be: Backend, build: (arena: Arena) => Op[]): void {
  const { result, scratch } = withScratch(be, 'test.scratch', build);
  const p = be.record('test', result);
  be.run(p);
  be.release(p);
  be.free(scratch);
}

const tol = { atol: 2e-4, rtol: 2e-4 };

describe.each(FISHLEG_APPROXES)('%s on WebGPU', (name) => {
  it('Q·U, factored Q·G and ∇_λ⟨r, Qu⟩ match the CPU reference (m=5, p=4, bias column included)', async () => {
    const impl = APPROX[name];
    const s = { m: 5, p: 4 };
    const rng = new Rng(31, 1);
    const h = impl.init(s, 2, () => rng.normal());
    const lam = impl.pack(h, s).map((x) => x + 0.3 * rng.normal());
    const d = s.m * s.p;
    const B = 3;
    const a = randoms(B * s.p, 2);
    for (let i = 0; i < B; i++) a[i * s.p + s.p - 1] = 1;
    const st = {} as Record<Side, LayerState>;
    const t = {
      lam: pair.twin(lam, 'lam'),
      cache: pair.twin(impl.cacheSize(s), 'cache'),
      u: pair.twin(randoms(d, 3), 'u'),
      r: pair.twin(randoms(d, 4), 'r'),
      e: pair.twin(randoms(B * s.m, 5), 'e'),
      a: pair.twin(a, 'a'),
      qu: pair.twin(d, 'qu'),
      qg: pair.twin(d, 'qg'),
      grad: pair.twin(impl.lambdaSize(s), 'grad'),
    };
    for (const side of SIDES) {
      const be = pair[side];
      st[side] = { shape: s, lam: t.lam[side], cache: t.cache[side] };
      runOn(be, (arena) => [
        ...impl.refreshOps(st[side]),
        ...impl.qDenseOps(st[side], t.u[side], t.qu[side], arena),
        ...(impl.qFactoredOps
          ? impl.qFactoredOps(st[side], { e: t.e[side], a: t.a[side], rows: B, scale: 1 / B }, t.qg[side], arena)
          : []),
        ...impl.gradOps(st[side], t.r[side], t.u[side], t.grad[side], arena),
      ]);
    }
    await pair.gpu.sync();
    await pair.expectClose(t.qu, tol, 'Q·U');
    if (impl.qFactoredOps) await pair.expectClose(t.qg, tol, 'factored Q·G');
    await pair.expectClose(t.grad, { atol: 1e-3, rtol: 1e-3 }, '∇λS');
  });
});

describe.each([
  ['ggn', 'categorical'],
  ['ggn', 'bernoulli'],
  ['sampled', 'gaussian'],
] as const)('F·v (%s, %s) on WebGPU', (estimator, lik: Likelihood) => {
  it('matches the CPU reference on the same auxiliary batch and samples', async () => {
    const layout = paramLayout({ sizes: [3, 5, 4], acts: ['tanh', 'identity'] });
    const n = 12;
    const x = pair.twin(randoms(n * 3, 6), 'x');
    const params = pair.twin(randoms(layout.total, 7), 'params');
    const v = pair.twin(randoms(layout.total, 8), 'v');
    const out = pair.twin(layout.total, 'fv');
    for (const side of SIDES) {
      const be = pair[side];
      const src: FisherSource = {
        backend: be,
        layout,
        params: params[side],
        likelihood: lik,
        sigma: 0.5,
        seed: 9,
        trainSplit: { x: x[side], y: x[side], n },
      };
      const fp = new FisherProduct(src, 6, estimator);
      fp.prepare(3);
      runOn(be, (arena) => fp.ops(v[side], out[side], arena));
      await (be === pair.gpu ? pair.gpu.sync() : Promise.resolve());
      fp.dispose();
    }
    await pair.expectClose(out, { atol: 1e-4, rtol: 1e-3 }, `F·v ${estimator}`);
  });
});

describe('FishLeg training on WebGPU', () => {
  const spiral = toyDataset('spiral', { n: 400, noise: 0.05, seed: 7 });
  it.each(FISHLEG_APPROXES)('%s: 24 steps with auxiliary updates and a switch track the CPU run', async (approx) => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const cfg = {
      arch: '2-6t-5t-2',
      likelihood: 'categorical',
      optimizer: { ...defaultFishLeg(approx), lr: 0.05, auxEvery: 4, auxLr: 0.003 },
      batch: 16,
      seed: 3,
    } as const;
    const runs = [Trainer.create(cpu, spiral, cfg), Trainer.create(pair.gpu, spiral, cfg)] as const;
    const next = approx === 'block-kron' ? 'kron-diag' : 'block-kron';
    for (const t of runs) {
      t.step(12);
      await t.switchApprox(next);
      t.step(12);
    }
    const [pc, pg] = [await runs[0].readParams(), await runs[1].readParams()];
    expectClose(pg, pc, { atol: 2e-4, rtol: 2e-3 }, 'θ after 24 steps');
    const [ac, ag] = [await runs[0].readAuxLoss(), await runs[1].readAuxLoss()];
    expect(ag!).toBeCloseTo(ac!, 3);
    const live = pair.gpu.liveStorages();
    runs[1].dispose();
    expect(pair.gpu.liveStorages()).toBeLessThan(live);
    runs[0].dispose();
    cpu.dispose();
  });
});

describe('FishLeg fitScale on WebGPU', () => {
  it('block-kron: 20 steps fitting the scale at steps 0, 4, 8, … track the CPU run and fit the same scale', async () => {
    const spiral = toyDataset('spiral', { n: 300, noise: 0.05, seed: 7 });
    const cfg = {
      arch: '2-6t-5t-2',
      likelihood: 'categorical',
      optimizer: { ...defaultFishLeg('block-kron'), lr: 0.3, auxEvery: 4, auxLr: 0.003, fitScale: true },
      batch: 16,
      seed: 3,
    } as const;
    const cpu = new CpuBackend({ precision: 'f32' });
    const runs = [Trainer.create(cpu, spiral, cfg), Trainer.create(pair.gpu, spiral, cfg)] as const;
    for (const t of runs) t.step(20);
    const scales = await Promise.all(
      runs.map(async (t) => (await t.optimizerAs(FishLeg)!.saveState()).tensors.scalars![3]!),
    );
    expect(scales[0]).not.toBe(1);
    expect(scales[1]!).toBeCloseTo(scales[0]!, 4);
    expectClose(await runs[1].readParams(), await runs[0].readParams(), { atol: 2e-4, rtol: 2e-3 }, 'θ after 20 steps');
    for (const t of runs) t.dispose();
    cpu.dispose();
  });
});

const frozenData = toyDataset('spiral', { n: 300, noise: 0.05, seed: 7 });
const frozenSetup = (optimizer: TrainConfig['optimizer']): TrainConfig => ({
  arch: '2-6t-5t-2',
  likelihood: 'categorical',
  optimizer,
  batch: 16,
  seed: 5,
});

describe('FishLeg with Q frozen on WebGPU', () => {
  it.each(FISHLEG_APPROXES)(
    '%s: 30 steps at K = 1 leave λ bit for bit at Q₀, dispatch no auxiliary update, and track the CPU run',
    async (approx) => {
      const config: FishLegConfig = { ...defaultFishLeg(approx), lr: 0.05, auxLr: 0, auxEvery: 1 };
      const be = new CountingBackend(pair.gpu);
      const gpu = Trainer.create(be, frozenData, frozenSetup(config));
      const cpu = Trainer.create(new CpuBackend({ precision: 'f32' }), frozenData, frozenSetup(config));
      const fl = gpu.optimizerAs(FishLeg)!;
      const q0 = (await fl.hostLambda()).layers;
      gpu.step(30);
      cpu.step(30);
      expect((await fl.hostLambda()).layers).toEqual(q0);
      expect(be.recorded).not.toContain('fishleg.aux');
      expect(be.runCount('fishleg.aux')).toBe(0);
      expect(be.runCount('fishleg.step')).toBe(30);
      expect(await gpu.readAuxLoss()).toBeNull();
      expectClose(await gpu.readParams(), await cpu.readParams(), { atol: 2e-5, rtol: 2e-4 }, 'θ after 30 steps');
      gpu.dispose();
      cpu.dispose();
    },
  );

  it('block-kron: frozen FishLeg equals momentum SGD at lr η(1 − β)s on the GPU', async () => {
    const fl: FishLegConfig = { ...defaultFishLeg('block-kron'), lr: 0.05, auxLr: 0, weightDecay: 0, beta: 0.8 };
    const sgd: SgdConfig = {
      kind: 'sgd',
      lr: fl.lr * (1 - fl.beta) * (1 / fl.damping),
      momentum: fl.beta,
      weightDecay: 0,
    };
    const runs = [fl, sgd].map((o) => Trainer.create(pair.gpu, frozenData, frozenSetup(o)));
    const start = await runs[1]!.readParams();
    for (const t of runs) t.step(40);
    const [a, b] = [await runs[0]!.readParams(), await runs[1]!.readParams()];
    expectClose(a, b, { atol: 1e-6, rtol: 5e-5 }, 'θ frozen FishLeg vs SGD');
    expect(a.some((x, i) => Math.abs(x - start[i]!) > 1e-2)).toBe(true);
    for (const t of runs) t.dispose();
  });
});
