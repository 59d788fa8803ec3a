/**
 * FishLeg with its auxiliary learning rate at 0, the frozen-Q control (docs/fishleg.md §7.1), on the CPU
 * reference: λ stays bit for bit at Q₀ however many steps run, no auxiliary program or Fisher product is
 * recorded, allocated or run, the run is momentum SGD along Q₀g = s·g, freezing and unfreezing work live,
 * and a frozen run's checkpoint resumes bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { FishLeg } from '../../src/engine/fishleg/fishleg.ts';
import {
  defaultFishLeg,
  FISHLEG_APPROXES,
  fishLegInitScale,
  type FishLegApprox,
  type FishLegConfig,
  type SgdConfig,
} from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';
import { CountingBackend } from './counting-backend.ts';

const data = toyDataset('spiral', { n: 300, noise: 0.05, seed: 7 });
/** The 32 × 33 layer takes the factored Q·G at batch 16, the others the dense one. */
const ARCH = '2-6t-32t-2';

const learning = (approx: FishLegApprox): FishLegConfig => ({
  ...defaultFishLeg(approx),
  lr: 0.02,
  auxLr: 0.01,
  auxEvery: 1,
});
const frozen = (approx: FishLegApprox): FishLegConfig => ({ ...learning(approx), auxLr: 0 });

function setup(optimizer: TrainConfig['optimizer'], seed = 3): TrainConfig {
  return { arch: ARCH, likelihood: 'categorical', optimizer, batch: 16, seed };
}

async function lambda(t: Trainer): Promise<unknown> {
  return (await t.optimizerAs(FishLeg)!.hostLambda()).layers;
}

/** Storages of the Fisher product: its workspace, sample counter and row of ones. */
const auxStorages = (be: CountingBackend) =>
  be.liveLabels().filter((l) => l.startsWith('fishleg.aux.') || l === 'fishleg.ones' || l === 'fishleg.drawCounter');

describe('FishLeg with Q frozen (auxiliary learning rate 0)', () => {
  it.each(FISHLEG_APPROXES)(
    '%s: λ stays bit for bit at Q₀ over 60 steps at K = 1, with no auxiliary program recorded, allocated or run',
    async (approx) => {
      const be = new CountingBackend(new CpuBackend({ precision: 'f32' }));
      const t = Trainer.create(be, data, setup(frozen(approx)));
      const q0 = await lambda(t);
      t.step(60);
      expect(await lambda(t)).toEqual(q0);
      expect(await t.readAuxLoss()).toBeNull();
      expect(be.recorded).not.toContain('fishleg.aux');
      expect(be.runCount('fishleg.aux')).toBe(0);
      expect(be.runCount('fishleg.step')).toBe(60);
      expect(auxStorages(be)).toEqual([]);
      t.dispose();

      // The same run learning: 59 auxiliary updates move λ (so the comparison above can fail).
      const lb = new CountingBackend(new CpuBackend({ precision: 'f32' }));
      const l = Trainer.create(lb, data, setup(learning(approx)));
      l.step(60);
      expect(lb.runCount('fishleg.aux')).toBe(59);
      expect(auxStorages(lb).length).toBeGreaterThan(0);
      expect(await lambda(l)).not.toEqual(q0);
      expect(await l.readAuxLoss()).not.toBeNull();
      l.dispose();
    },
  );

  it.each(['block-kron', 'kron-diag'] as const)(
    '%s: frozen FishLeg is momentum SGD at lr η(1 − β)s, step for step (Q₀ = s·I exactly)',
    async (approx) => {
      for (const [precision, rtol] of [
        ['f64', 1e-10],
        ['f32', 5e-5],
      ] as const) {
        for (const initScale of [null, 3]) {
          const fl: FishLegConfig = { ...frozen(approx), weightDecay: 0, beta: 0.8, damping: 0.3, initScale };
          const s = fishLegInitScale(fl);
          const sgd: SgdConfig = { kind: 'sgd', lr: fl.lr * (1 - fl.beta) * s, momentum: fl.beta, weightDecay: 0 };
          const runs = [fl, sgd].map((o) => Trainer.create(new CpuBackend({ precision }), data, setup(o)));
          for (const t of runs) t.step(80);
          const [a, b] = await Promise.all(runs.map((t) => t.readParams()));
          let worst = 0;
          for (let i = 0; i < a!.length; i++) {
            worst = Math.max(worst, Math.abs(a![i]! - b![i]!) / (Math.abs(b![i]!) + 1e-3));
          }
          expect(worst, `${precision}, init scale ${String(initScale)}`).toBeLessThan(rtol);
          // The two runs did move: 80 steps changed θ well beyond the tolerance.
          const start = await Trainer.create(new CpuBackend({ precision }), data, setup(sgd)).readParams();
          expect(a!.some((x, i) => Math.abs(x - start[i]!) > 1e3 * rtol * (Math.abs(start[i]!) + 1e-3))).toBe(true);
          const [ea, eb] = await Promise.all(runs.map((t) => t.evaluate()));
          expect(ea!.trainLoss).toBeCloseTo(eb!.trainLoss, precision === 'f64' ? 9 : 4);
          for (const t of runs) t.dispose();
        }
      }
    },
  );

  it('freezes and unfreezes live: α → 0 stops the updates and frees the Fisher product, α > 0 resumes them', async () => {
    const inner = new CpuBackend({ precision: 'f32' });
    const be = new CountingBackend(inner);
    const t = Trainer.create(be, data, setup({ ...learning('block-kron'), auxEvery: 2 }));
    t.step(10);
    const updatesBefore = be.runCount('fishleg.aux');
    expect(updatesBefore).toBe(4);
    const live = inner.liveStorages();
    t.updateOptimizer({ ...learning('block-kron'), auxEvery: 2, auxLr: 0 });
    expect(auxStorages(be)).toEqual([]);
    expect(inner.liveStorages()).toBeLessThan(live);
    expect(await t.readAuxLoss()).not.toBeNull(); // the four updates before the freeze
    const atFreeze = await lambda(t);
    t.step(20);
    expect(be.runCount('fishleg.aux')).toBe(updatesBefore);
    expect(await lambda(t)).toEqual(atFreeze);
    expect(await t.readAuxLoss()).toBeNull();
    t.updateOptimizer({ ...learning('block-kron'), auxEvery: 2 });
    t.step(10);
    expect(be.runCount('fishleg.aux')).toBe(updatesBefore + 5);
    expect(await lambda(t)).not.toEqual(atFreeze);
    expect(await t.readAuxLoss()).not.toBeNull();
    t.dispose();
    expect(inner.liveStorages()).toBe(0);
  });

  it('a frozen run resumes bit for bit from a checkpoint, and a checkpoint carries the freeze into a learning run', async () => {
    const straight = Trainer.create(new CpuBackend({ precision: 'f32' }), data, setup(frozen('kron-diag')));
    straight.step(37);
    const cp = await straight.checkpoint();
    straight.step(23);

    const be = new CountingBackend(new CpuBackend({ precision: 'f32' }));
    // Created learning: the checkpoint's settings (α = 0) replace its own.
    const resumed = Trainer.create(be, data, setup(learning('kron-diag')));
    expect(auxStorages(be).length).toBeGreaterThan(0);
    resumed.restore(cp);
    expect(auxStorages(be)).toEqual([]);
    resumed.step(23);
    expect(be.runCount('fishleg.aux')).toBe(0);
    expect(await resumed.readParams()).toEqual(await straight.readParams());
    expect(await lambda(resumed)).toEqual(await lambda(straight));
    straight.dispose();
    resumed.dispose();
  });
});
