/**
 * Switching FishLeg's structure mid-training (docs/fishleg.md §9): block-Kron → Kron+diag keeps Q exactly,
 * every switch keeps trace(Q_l) per layer and θ, and training goes on without a jump to NaN.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { hostApplyQ, hostTraceQ } from '../../src/engine/fishleg/host-q.ts';
import {
  defaultFishLeg,
  FISHLEG_APPROXES,
  OptimizerConfigError,
  type FishLegApprox,
} from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { maxRelDiff, randomVec } from './helpers.ts';

const data = toyDataset('spiral', { n: 300, noise: 0.05, seed: 7 });

/** A run whose λ has moved away from its initial value. */
function trained(approx: FishLegApprox, precision: 'f32' | 'f64' = 'f64') {
  const be = new CpuBackend({ precision });
  const t = Trainer.create(be, data, {
    arch: '2-6t-5t-2',
    likelihood: 'categorical',
    optimizer: { ...defaultFishLeg(approx), lr: 0.02, auxEvery: 2, auxLr: 0.01 },
    batch: 16,
    seed: 5,
  });
  t.step(40);
  return { be, t };
}

async function qOf(t: Trainer, v: Float64Array) {
  const { layers } = await t.inverseFisher!.hostLambda();
  return t.layout.layers.map((l, i) => {
    const shape = { m: l.m, p: l.n + 1 };
    return {
      qv: hostApplyQ(layers[i]!, shape, v.subarray(l.offset, l.offset + l.size)),
      trace: hostTraceQ(layers[i]!, shape),
    };
  });
}

describe('switching approximation', () => {
  it('block-Kron → Kron+diag leaves Q·v unchanged, and keeps θ and the step count', async () => {
    const { be, t } = trained('block-kron');
    const v = randomVec(t.layout.total, new Rng(3, 3));
    const before = await qOf(t, v);
    const theta = await be.read(t.params);
    await t.switchApprox('kron-diag');
    expect(t.inverseFisher!.approx).toBe('kron-diag');
    expect(t.optimizerConfig).toMatchObject({ kind: 'fishleg', approx: 'kron-diag' });
    const after = await qOf(t, v);
    before.forEach((b, l) => expect(maxRelDiff(after[l]!.qv, b.qv), `layer ${l}`).toBeLessThan(1e-12));
    expect(Array.from(await be.read(t.params))).toEqual(Array.from(theta));
    expect(t.stepCount).toBe(40);
    t.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });

  const pairs = FISHLEG_APPROXES.flatMap((from) =>
    FISHLEG_APPROXES.filter((to) => to !== from).map((to) => [from, to] as const),
  );
  it.each(pairs)('%s → %s preserves trace(Q_l) of every layer', async (from, to) => {
    const { be, t } = trained(from);
    const v = randomVec(t.layout.total, new Rng(4, 3));
    const before = await qOf(t, v);
    await t.switchApprox(to);
    const after = await qOf(t, v);
    before.forEach((b, l) => expect(after[l]!.trace / b.trace, `layer ${l}`).toBeCloseTo(1, 10));
    // The structure really changed, and Q·v stays close (the curvature is carried, not reset).
    expect(t.inverseFisher!.approx).toBe(to);
    t.step(4); // and it trains on
    expect(Array.from(await be.read(t.params)).every(Number.isFinite)).toBe(true);
    t.dispose();
    be.dispose();
  });

  it('training goes on through several switches without a jump to NaN', async () => {
    const { be, t } = trained('block-kron', 'f32');
    let last = (await t.evaluate()).trainLoss;
    for (const to of ['kron-diag', 'sum-kron', 'block-kron', 'sum-kron', 'kron-diag'] as FishLegApprox[]) {
      await t.switchApprox(to);
      t.step(20);
      const loss = (await t.evaluate()).trainLoss;
      expect(Number.isFinite(loss), `after switching to ${to}`).toBe(true);
      expect(loss, `after switching to ${to}`).toBeLessThan(1.5 * last);
      last = loss;
    }
    expect(await t.readAuxLoss()).toEqual(expect.any(Number));
    t.dispose();
    be.dispose();
  });

  it('refuses an unknown approximation, and update() does not switch silently', async () => {
    const { be, t } = trained('block-kron');
    await expect(t.switchApprox('kron')).rejects.toThrow(OptimizerConfigError);
    expect(() => t.updateOptimizer({ ...defaultFishLeg('sum-kron') })).toThrow(/switchApprox/);
    t.updateOptimizer({
      ...defaultFishLeg('block-kron'),
      lr: 0.001,
      fisher: 'sampled',
      auxBatch: 8,
      preconditionAux: false,
    });
    t.step(5);
    expect(Array.from(await be.read(t.params)).every(Number.isFinite)).toBe(true);
    t.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });
});
