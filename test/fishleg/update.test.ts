/**
 * FishLeg's step on the CPU reference (float64), against host arithmetic: the parameter step
 * θ ← (1 − η·wd)θ − η(1 − β)·Q g (factored Q·G from the train workspace), the schedule (auxiliary updates at
 * steps K, 2K, …, never at 0), and one auxiliary update against λ's Adam step on the surrogate gradient
 * built on the host from the exact Fisher of the auxiliary batch (docs/fishleg.md §5).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { auxBatchIndices } from '../../src/engine/data/sampler.ts';
import { FishLeg, isAuxStep } from '../../src/engine/fishleg/fishleg.ts';
import { hostApplyQ } from '../../src/engine/fishleg/host-q.ts';
import { APPROX } from '../../src/engine/fishleg/approx.ts';
import { exactFisher } from '../../src/engine/fishleg/views.ts';
import {
  defaultFishLeg,
  defaultOptimizer,
  type FishLegApprox,
  type FishLegConfig,
} from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import type { HostLambda } from '../../src/engine/fishleg/types.ts';
import { matVec, maxRelDiff } from './helpers.ts';

/** n points of a 3-class problem in `dim` dimensions (labels from the sign pattern of two coordinates). */
function classes(n: number, dim: number): Dataset {
  const rng = new Rng(8, 9);
  const x = Float32Array.from({ length: n * dim }, () => rng.normal());
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (x[i * dim]! > 0 ? (x[i * dim + 1]! > 0 ? 0 : 1) : 2)] = 1;
  const split = { x, y, n };
  return {
    name: 'classes',
    inputDim: dim,
    outputDim: 3,
    kind: 'classification',
    numClasses: 3,
    train: split,
    test: split,
  };
}

async function f64(p: Promise<ArrayLike<number>>): Promise<Float64Array> {
  return Float64Array.from(await p);
}

/** Q(λ)·x over all layers, on the host. */
function applyQ(t: Trainer, lam: readonly HostLambda[], x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  t.layout.layers.forEach((l, i) => {
    out.set(hostApplyQ(lam[i]!, { m: l.m, p: l.n + 1 }, x.subarray(l.offset, l.offset + l.size)), l.offset);
  });
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('FishLeg step', () => {
  it('isAuxStep: every K steps, never at step 0', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((s) => isAuxStep(s, 3))).toEqual([false, false, false, true, false, false, true]);
    expect([0, 1, 2].map((s) => isAuxStep(s, 1))).toEqual([false, true, true]);
  });

  it.each(['block-kron', 'sum-kron', 'kron-diag'] as FishLegApprox[])(
    '%s: θ ← (1 − η·wd)θ − η(1 − β)·Q g on the first step (factored Q·G where cheaper)',
    async (approx) => {
      const be = new CpuBackend({ precision: 'f64' });
      // Layers 20→12 and 12→3 with batch 4: the Kronecker structures apply Q·G in factored form on the first.
      const config: FishLegConfig = { ...defaultFishLeg(approx), lr: 0.01, weightDecay: 0.1, auxEvery: 1000 };
      const t = Trainer.create(be, classes(40, 20), {
        arch: '20-12t-3',
        likelihood: 'categorical',
        optimizer: config,
        batch: 4,
        seed: 2,
      });
      const theta0 = await f64(be.read(t.params));
      t.step(1);
      // FishLeg skips forming G where it applies Q·G in factored form: take the gradient from a twin run
      // (same seed ⇒ same weights and batch) whose optimizer reads every layer's dense gradient.
      const twin = Trainer.create(be, classes(40, 20), {
        arch: '20-12t-3',
        likelihood: 'categorical',
        optimizer: defaultOptimizer('adam'),
        batch: 4,
        seed: 2,
      });
      twin.step(1);
      const g = await f64(be.read(twin.grads));
      twin.dispose();
      const dense = (t.inverseFisher as FishLeg).gradientLayers(1);
      if (approx === 'kron-diag') expect(dense).toEqual(new Set([0, 1]));
      else expect(dense).toEqual(new Set([1])); // 12→3 at batch 4: the dense product is cheaper there
      const theta1 = await f64(be.read(t.params));
      const { layers } = await t.inverseFisher!.hostLambda();
      const qg = applyQ(t, layers, g);
      const want = theta0.map(
        (th, i) => (1 - config.lr * config.weightDecay) * th - config.lr * (1 - config.beta) * qg[i]!,
      );
      expect(maxRelDiff(theta1, want)).toBeLessThan(1e-12);
      expect(maxRelDiff(theta1, theta0)).toBeGreaterThan(1e-6); // it moved
      t.dispose();
      expect(be.liveStorages()).toBe(0);
      be.dispose();
    },
  );

  it('the first auxiliary update happens at step K and nothing touches λ before it', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, classes(40, 4), {
      arch: '4-5t-3',
      likelihood: 'categorical',
      optimizer: { ...defaultFishLeg('block-kron'), auxEvery: 3 },
      batch: 8,
      seed: 2,
    });
    const lam0 = (await t.inverseFisher!.hostLambda()).layers;
    t.step(3); // steps 0, 1, 2
    expect(await t.readAuxLoss()).toBeNull();
    expect(maxRelDiff((await t.inverseFisher!.hostLambda()).layers[0]!.terms[0]!.R, lam0[0]!.terms[0]!.R)).toBe(0);
    t.step(1); // step 3
    expect(await t.readAuxLoss()).toEqual(expect.any(Number));
    expect(
      maxRelDiff((await t.inverseFisher!.hostLambda()).layers[0]!.terms[0]!.R, lam0[0]!.terms[0]!.R),
    ).toBeGreaterThan(1e-6);
    t.dispose();
    be.dispose();
  });

  it.each([
    ['block-kron', true],
    ['kron-diag', true],
    ['sum-kron', false],
  ] as [FishLegApprox, boolean][])(
    '%s (preconditionAux %s): one auxiliary update is Adam on ∇_λ⟨r, Qu⟩ built from the exact Fisher',
    async (approx, precondition) => {
      const be = new CpuBackend({ precision: 'f64' });
      const config: FishLegConfig = {
        ...defaultFishLeg(approx),
        auxEvery: 1,
        auxBatch: 6,
        preconditionAux: precondition,
        damping: 0.3,
      };
      const data = classes(30, 3);
      const t = Trainer.create(be, data, {
        arch: '3-4t-3',
        likelihood: 'categorical',
        optimizer: config,
        batch: 5,
        seed: 4,
      });
      t.step(1); // step 0: parameter step only
      const theta1 = await f64(be.read(t.params));
      const lam0 = await f64(be.read(lamTensor(t)));
      const h0 = (await t.inverseFisher!.hostLambda()).layers;
      t.step(1); // step 1: auxiliary update at θ1, then the parameter step
      const u = await f64(be.read(t.grads));
      const lam1 = await f64(be.read(lamTensor(t)));
      const auxLoss = (await t.readAuxLoss())!;
      // Host reference at θ1 on the same auxiliary rows.
      const theta2 = await f64(be.read(t.params));
      be.write(t.params, theta1);
      const F = await exactFisher(t, t.trainSplit, Array.from(auxBatchIndices(4, 1, 6, data.train.n)));
      be.write(t.params, theta2);
      const gamma = config.damping;
      const v = applyQ(t, h0, u);
      const fv = matVec(F, v);
      const vnorm = Math.sqrt(dot(v, v) * dot(u, u));
      let r = v.map((vi, i) => (fv[i]! + gamma * vi - u[i]!) / vnorm);
      if (precondition) r = applyQ(t, h0, r).map((x) => x / vnorm);
      expect(auxLoss).toBeCloseTo((0.5 * dot(v, fv) + 0.5 * gamma * dot(v, v) - dot(u, v)) / dot(u, u), 10);
      // ∇_λ S by central differences of S(λ) = ⟨r, Q(λ)u⟩ on the host.
      const impl = APPROX[approx];
      const surrogate = (lam: Float64Array): number => {
        let s = 0;
        let off = 0;
        t.layout.layers.forEach((l) => {
          const shape = { m: l.m, p: l.n + 1 };
          const size = impl.lambdaSize(shape);
          const q = hostApplyQ(
            impl.unpack(lam.subarray(off, off + size), shape),
            shape,
            u.subarray(l.offset, l.offset + l.size),
          );
          s += dot(q, r.subarray(l.offset, l.offset + l.size));
          off += size;
        });
        return s;
      };
      const eps = 1e-6;
      const grad = lam0.map((_, k) => {
        const p = Float64Array.from(lam0);
        const m = Float64Array.from(lam0);
        p[k] = p[k]! + eps;
        m[k] = m[k]! - eps;
        return (surrogate(p) - surrogate(m)) / (2 * eps);
      });
      // Adam's first step: Δλ = −α·g/(|g| + ε) (bias-corrected moments are g and g²).
      const scaleG = Math.max(...grad.map(Math.abs));
      let checked = 0;
      grad.forEach((g, k) => {
        if (Math.abs(g) < 1e-4 * scaleG) return; // too close to 0 for the finite difference to fix Adam's sign
        const want = -config.auxLr * (g / (Math.abs(g) + 1e-8));
        expect(lam1[k]! - lam0[k]!, `λ[${k}]`).toBeCloseTo(want, 9);
        checked++;
      });
      expect(checked).toBeGreaterThan(lam0.length / 2);
      t.dispose();
      be.dispose();
    },
  );
});

/** The λ tensor of a trainer's FishLeg (test access to a private field). */
function lamTensor(t: Trainer) {
  return (t.inverseFisher as unknown as { lambda: { lam: import('../../src/engine/tensor.ts').Tensor } }).lambda.lam;
}
