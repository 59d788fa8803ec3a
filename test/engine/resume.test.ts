/**
 * Exact resume (what a GPU device loss needs): a run checkpointed at step 37 and restored into a fresh
 * trainer on a NEW CPU backend continues bit for bit as the uninterrupted run — parameters, the optimizer's
 * whole saved state, train loss and FishLeg's auxiliary loss — for every optimizer (K-FAC checkpointed
 * between two inverse refreshes, the exact natural gradient), every FishLeg approximation, a run that
 * switched approximation before the checkpoint and one that switches after it. Restoring the parameters
 * alone (loadParams) does not, which shows the comparison can see the optimizer state.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultKfac, defaultNatural } from '../../src/engine/kfac/spec.ts';
import {
  defaultFishLeg,
  defaultOptimizer,
  FISHLEG_APPROXES,
  type FishLegApprox,
  type OptimizerConfig,
} from '../../src/engine/optim/config.ts';
import { Trainer, TrainConfigError, type TrainerCheckpoint } from '../../src/engine/trainer.ts';

const data = toyDataset('spiral', { n: 200, noise: 0.05, seed: 7 });
/** Steps before the checkpoint, and after it. */
const BEFORE = 37;
const AFTER = 23;

/** One layer wide enough (32 × 33) that FishLeg's factored Q·G is the cheaper path at batch 16. */
const FISHLEG_ARCH = '2-6t-32t-2';

interface Case {
  readonly name: string;
  readonly optimizer: OptimizerConfig;
  readonly arch?: string;
  readonly precision?: 'f32' | 'f64';
  /** Keeps no state between steps (no momentum): restoring the parameters alone is then enough. */
  readonly stateless?: boolean;
  /** Steps before the checkpoint (BEFORE unless set). */
  readonly before?: number;
  /** Switch before the checkpoint (at step 20). */
  readonly switchBefore?: FishLegApprox;
  /** Switch after the checkpoint (after AFTER / 2 more steps), in both runs. */
  readonly switchAfter?: FishLegApprox;
}

const fishleg = (approx: FishLegApprox) => ({ ...defaultFishLeg(approx), lr: 0.02, auxEvery: 3, auxLr: 0.01 });

const CASES: Case[] = [
  { name: 'SGD with momentum', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 } },
  { name: 'SGD with momentum and weight decay', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 1e-3 } },
  { name: 'Adam', optimizer: { ...defaultOptimizer('adam'), lr: 0.02 } },
  { name: 'Adam in float64', optimizer: { ...defaultOptimizer('adam'), lr: 0.02 }, precision: 'f64' },
  { name: 'AdamW', optimizer: { ...defaultOptimizer('adamw'), lr: 0.02, weightDecay: 0.1 } },
  ...FISHLEG_APPROXES.map((a) => ({ name: `FishLeg ${a}`, optimizer: fishleg(a), arch: FISHLEG_ARCH })),
  {
    // Inverses refreshed at steps 0 and 7, checkpoint at 10, the next refresh (14) after the restore.
    name: 'K-FAC, checkpointed between inverse refreshes',
    optimizer: { ...defaultKfac(), lr: 0.05, invEvery: 7 },
    before: 10,
  },
  {
    name: 'K-FAC with weight decay and no KL clip, checkpointed between inverse refreshes',
    optimizer: { ...defaultKfac(), lr: 0.05, invEvery: 5, klClip: null, weightDecay: 1e-3 },
  },
  { name: 'exact natural gradient', optimizer: { ...defaultNatural(), lr: 0.1 }, stateless: true },
  {
    name: 'exact natural gradient with momentum',
    optimizer: { ...defaultNatural(), lr: 0.05, momentum: 0.9, weightDecay: 1e-3 },
  },
  {
    name: 'FishLeg sampled Fisher, own aux batch, no aux preconditioning',
    optimizer: { ...fishleg('kron-diag'), fisher: 'sampled', auxBatch: 12, preconditionAux: false },
    arch: FISHLEG_ARCH,
  },
  {
    name: 'FishLeg switched block-kron → sum-kron before the checkpoint',
    optimizer: fishleg('block-kron'),
    arch: FISHLEG_ARCH,
    switchBefore: 'sum-kron',
  },
  {
    name: 'FishLeg switched kron-diag → block-kron before and → sum-kron after the checkpoint',
    optimizer: fishleg('kron-diag'),
    arch: FISHLEG_ARCH,
    switchBefore: 'block-kron',
    switchAfter: 'sum-kron',
  },
];

function trainer(c: Case): Trainer {
  const backend = new CpuBackend({ precision: c.precision ?? 'f32' });
  return Trainer.create(backend, data, {
    arch: c.arch ?? '2-8t-2',
    likelihood: 'categorical',
    optimizer: c.optimizer,
    batch: 16,
    seed: 3,
  });
}

/** AFTER more steps (with the case's later switch); what the run reports and its parameters. */
async function continueRun(t: Trainer, c: Case) {
  t.step(AFTER >> 1);
  if (c.switchAfter) await t.switchApprox(c.switchAfter);
  t.step(AFTER - (AFTER >> 1));
  return {
    params: Array.from(await t.backend.read(t.params)),
    trainLoss: (await t.evaluate()).trainLoss,
    auxLoss: await t.readAuxLoss(),
    step: t.stepCount,
    config: t.optimizerConfig,
    state: (await t.checkpoint()).optimizer,
  };
}

async function checkpointed(c: Case): Promise<{ a: Trainer; cp: TrainerCheckpoint }> {
  const a = trainer(c);
  if (c.switchBefore) {
    a.step(20);
    await a.switchApprox(c.switchBefore);
    a.step(BEFORE - 20);
  } else {
    a.step(c.before ?? BEFORE);
  }
  // Structured-cloned, as it would be if it crossed a worker boundary.
  return { a, cp: structuredClone(await a.checkpoint()) };
}

function disposeAll(...ts: Trainer[]): void {
  for (const t of ts) {
    t.dispose();
    expect(t.backend.liveStorages()).toBe(0);
    t.backend.dispose();
  }
}

describe('checkpoint and restore continue a run exactly (CPU)', () => {
  it.each(CASES)('$name', async (c) => {
    const { a, cp } = await checkpointed(c);
    const before = c.before ?? BEFORE;
    expect(cp.step).toBe(before);
    const b = trainer(c);
    b.restore(cp);
    expect(b.stepCount).toBe(before);
    expect(b.optimizerConfig).toEqual(a.optimizerConfig);
    const want = await continueRun(a, c);
    const got = await continueRun(b, c);
    expect(got.step).toBe(before + AFTER);
    expect(got.params).toEqual(want.params);
    expect(Object.keys(got.state.tensors).length).toBeGreaterThan(0);
    expect(got.state).toEqual(want.state);
    expect(got.trainLoss).toBe(want.trainLoss);
    expect(got.auxLoss).toBe(want.auxLoss);
    expect(got.config).toEqual(want.config);
    if (c.optimizer.kind === 'fishleg') expect(want.auxLoss).not.toBeNull();

    // The parameters alone are not enough: the optimizer's state matters to the next steps (unless it keeps
    // none, when they must be enough: the step count alone picks the batches).
    const paramsOnly = trainer(c);
    paramsOnly.loadParams(Float32Array.from(cp.params), cp.step);
    if (c.switchBefore) await paramsOnly.switchApprox(c.switchBefore);
    const lost = await continueRun(paramsOnly, c);
    if (c.stateless) {
      expect(lost.params).toEqual(want.params);
    } else {
      expect(lost.params).not.toEqual(want.params);
      expect(lost.state.tensors).not.toEqual(want.state.tensors);
    }
    disposeAll(a, b, paramsOnly);
  });

  it('restores a FishLeg state whose approximation differs into a run configured with another', async () => {
    // B is built as kron-diag; the checkpoint is of block-kron: λ is re-allocated for its structure.
    const c: Case = { name: '', optimizer: fishleg('block-kron'), arch: FISHLEG_ARCH };
    const { a, cp } = await checkpointed(c);
    const b = trainer({ ...c, optimizer: fishleg('kron-diag') });
    b.restore(cp);
    expect(b.inverseFisher!.approx).toBe('block-kron');
    expect(await b.inverseFisher!.hostLambda()).toEqual(await a.inverseFisher!.hostLambda());
    expect((await continueRun(b, c)).params).toEqual((await continueRun(a, c)).params);
    disposeAll(a, b);
  });

  it('refuses a checkpoint of another model or optimizer with a TrainConfigError, changing nothing', async () => {
    const c: Case = { name: '', optimizer: { ...defaultOptimizer('adam'), lr: 0.02 } };
    const { a, cp } = await checkpointed(c);
    const wider = trainer({ ...c, arch: '2-9t-2' });
    expect(() => wider.restore(cp)).toThrow(TrainConfigError);
    expect(() => wider.restore(cp)).toThrow(/checkpoint holds 42 parameters; this 2-9t-2 model has 47/);
    const adamw = trainer({ ...c, optimizer: defaultOptimizer('adamw') });
    const before = Array.from(await adamw.backend.read(adamw.params));
    expect(() => adamw.restore(cp)).toThrow(/cannot load a adam state into a adamw optimizer/);
    const short = { ...cp, optimizer: { ...cp.optimizer, tensors: { m: cp.optimizer.tensors.m!.subarray(1) } } };
    const same = trainer(c);
    expect(() => same.restore(short)).toThrow(/'m' holds 41 values; this run needs 42/);
    expect(() => same.restore({ ...cp, step: -1 })).toThrow(TrainConfigError);
    expect(same.stepCount).toBe(0);
    expect(adamw.stepCount).toBe(0);
    expect(Array.from(await adamw.backend.read(adamw.params))).toEqual(before);
    expect(adamw.optimizerConfig).toEqual(defaultOptimizer('adamw'));
    disposeAll(a, wider, adamw, same);
  });
});
