/**
 * The worker session end to end in Node with the CPU backend and the real engine: a three-optimizer race
 * trains in lock-step from identical initial weights, a huge learning rate diverges without stopping the
 * others, a FishLeg approximation switch is recorded at the step it happened, views arrive, and commands in
 * the wrong order or for an old race come back as error events or are dropped.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig, type SgdConfig } from '../engine/optim/config.ts';
import type { MetricPoint, RaceSpec, RunSpec, WorkerEvent } from './protocol.ts';
import { WorkerSession } from './session.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });

function spec(runs: RunSpec[], hidden = '8t', inspect: string | null = null): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 3 },
    model: { hidden, likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: inspect, layer: 0 },
  };
}

const RACE = [
  run('sgd', { ...defaultOptimizer('sgd'), lr: 0.1 }),
  run('adam', { ...defaultOptimizer('adam'), lr: 0.02 }),
  run('fl', { ...defaultFishLeg('block-kron'), lr: 0.02, auxLr: 1e-3 }),
];

function recordingSession() {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e));
  const metrics = (raceId: number, runId: string): MetricPoint[] =>
    events.flatMap((e) =>
      e.type === 'metrics' && e.raceId === raceId ? e.points.filter((p) => p.runId === runId).map((p) => p.point) : [],
    );
  return { session, events, metrics };
}

describe('WorkerSession races (CPU backend)', () => {
  it('races SGD, Adam and FishLeg in lock-step from the same initial weights; every loss falls', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(RACE) });
    const ready = events.find((e) => e.type === 'raceReady');
    expect(ready).toMatchObject({ requestId: 2, raceId: 1, data: { arch: '2-8t-2', inputDim: 2, outputDim: 2 } });
    // Same seed ⇒ same weights ⇒ the same step-0 loss to the last bit.
    const l0 = RACE.map((r) => metrics(1, r.id)[0]!.trainLoss);
    expect(l0[0]).toBeCloseTo(Math.log(2), 0);
    expect(new Set(l0).size).toBe(1);

    await session.handle({ type: 'play', raceId: 1 });
    await expect
      .poll(() => Math.min(...RACE.map((r) => metrics(1, r.id).at(-1)?.step ?? 0)), { timeout: 20_000, interval: 20 })
      .toBeGreaterThanOrEqual(300);
    await session.handle({ type: 'pause', raceId: 1 });

    const steps = RACE.map((r) => metrics(1, r.id).map((p) => p.step));
    expect(steps[1]).toEqual(steps[0]);
    expect(steps[2]).toEqual(steps[0]);
    for (const r of RACE) {
      const pts = metrics(1, r.id);
      // Judged at step 300, which every run reached: where play stopped depends on the machine's speed.
      const at300 = pts.find((p) => p.step === 300)!;
      expect(at300.trainLoss, r.id).toBeLessThan(0.9 * pts[0]!.trainLoss);
      expect(at300.msPerStep).toBeGreaterThan(0);
    }
    // FishLeg reports its auxiliary loss; the others never do.
    expect(metrics(1, 'fl').some((p) => p.auxLoss !== null && Number.isFinite(p.auxLoss))).toBe(true);
    expect(metrics(1, 'adam').every((p) => p.auxLoss === null)).toBe(true);
    // Decision-boundary frames: a 40×40 grid of probabilities per run.
    const frame = events.find((e) => e.type === 'taskFrame' && e.runId === 'adam');
    expect(frame?.type === 'taskFrame' && frame.frame.kind === 'grid' && frame.frame.probs.length).toBe(40 * 40 * 2);
    if (frame?.type === 'taskFrame' && frame.frame.kind === 'grid') {
      expect(frame.frame.probs[0]! + frame.frame.probs[1]!).toBeCloseTo(1, 5);
    }
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('marks a run with a huge learning rate diverged at its step; the other run goes on', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    const runs = [run('boom', { ...defaultOptimizer('sgd'), lr: 1e30 }), run('ok', defaultOptimizer('adam'))];
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => metrics(1, 'ok').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(200);
    await session.handle({ type: 'pause', raceId: 1 });
    const div = events.find((e) => e.type === 'diverged');
    expect(div).toMatchObject({ raceId: 1, runId: 'boom' });
    const k = div?.type === 'diverged' ? div.step : -1;
    expect(k).toBeGreaterThan(0);
    // No evaluation of the diverged run after step k.
    expect(metrics(1, 'boom').at(-1)!.step).toBe(k);
    expect(metrics(1, 'ok').at(-1)!.step).toBeGreaterThan(k);
    await session.dispose();
  });

  it('switches a FishLeg approximation live: recorded at the current step, training continues from it', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    const fl = { ...defaultFishLeg('block-kron'), lr: 0.02 };
    await session.handle({ type: 'setup', requestId: 2, raceId: 7, spec: spec([run('fl', fl)], '4t', 'fl') });
    await session.handle({ type: 'step', raceId: 7, steps: 25 });
    expect(metrics(7, 'fl').at(-1)!.step).toBe(25);
    await session.handle({ type: 'update', raceId: 7, runId: 'fl', optimizer: { ...fl, approx: 'kron-diag' } });
    expect(events.find((e) => e.type === 'switched')).toMatchObject({ runId: 'fl', step: 25, approx: 'kron-diag' });
    await session.handle({ type: 'step', raceId: 7, steps: 5 });
    expect(metrics(7, 'fl').at(-1)!.step).toBe(30);
    // Inside FishLeg: Q and (F + γI)⁻¹ of layer 0 (4 × 3 weights → 12 × 12), with a finite relative error.
    const f = events.filter((e) => e.type === 'insideFrame').at(-1);
    expect(f?.type === 'insideFrame' && f.frame.q?.length).toBe(144);
    expect(f?.type === 'insideFrame' && f.frame.fInv?.length).toBe(144);
    expect(f?.type === 'insideFrame' && Number.isFinite(f.frame.relError)).toBe(true);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('a step command of 1 advances every run by exactly one step, in lock-step, and evaluates there', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 3, spec: spec(RACE) });
    const lastSteps = () => RACE.map((r) => metrics(3, r.id).at(-1)?.step);
    const progress = () => events.filter((e) => e.type === 'progress').at(-1);
    expect(lastSteps()).toEqual([0, 0, 0]);
    for (let k = 1; k <= 3; k++) {
      await session.handle({ type: 'step', raceId: 3, steps: 1 });
      expect(lastSteps()).toEqual([k, k, k]);
      expect(progress()).toMatchObject({ step: k, running: false });
    }
    // A run joining now catches up to step 3 before anything else; then one more step keeps all four together.
    await session.handle({ type: 'addRun', raceId: 3, run: run('late', defaultOptimizer('sgd')), from: null });
    expect(metrics(3, 'late').at(-1)?.step).toBe(3);
    await session.handle({ type: 'step', raceId: 3, steps: 1 });
    expect([...lastSteps(), metrics(3, 'late').at(-1)?.step]).toEqual([4, 4, 4, 4]);
    // ×10 from an off-grid step: evaluated where it crosses the grid (every 10) and where it ends.
    await session.handle({ type: 'step', raceId: 3, steps: 10 });
    expect(metrics(3, 'sgd').map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 10, 14]);
    expect(lastSteps()).toEqual([14, 14, 14]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('reports a live change with the step it took effect at, paused or playing', async () => {
    const { session, events } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    const sgd: SgdConfig = { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 };
    await session.handle({ type: 'setup', requestId: 2, raceId: 5, spec: spec([run('a', sgd), run('b', sgd)]) });
    await session.handle({ type: 'step', raceId: 5, steps: 7 });
    await session.handle({ type: 'update', raceId: 5, runId: 'b', optimizer: { ...sgd, lr: 0.03 } });
    const changed = () => events.filter((e) => e.type === 'changed');
    expect(changed()).toEqual([
      { type: 'changed', raceId: 5, runId: 'b', step: 7, from: sgd, to: { ...sgd, lr: 0.03 } },
    ]);
    await session.handle({ type: 'play', raceId: 5 });
    await session.handle({ type: 'update', raceId: 5, runId: 'a', optimizer: { ...sgd, momentum: 0.5 } });
    await expect.poll(() => changed().length, { timeout: 20_000 }).toBe(2);
    await session.handle({ type: 'pause', raceId: 5 });
    const last = changed()[1]!;
    // Applied at a slice boundary while playing: at or after the step the command found, never before step 7.
    expect(last).toMatchObject({ runId: 'a', to: { momentum: 0.5 } });
    expect(last.type === 'changed' && last.step).toBeGreaterThanOrEqual(7);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('drops commands for a replaced race and reports commands out of order as errors', async () => {
    const { session, events } = recordingSession();
    await session.handle({ type: 'setup', requestId: 1, raceId: 1, spec: spec(RACE) });
    expect(events[0]).toMatchObject({ type: 'error', requestId: 1, name: 'ProtocolError' });
    await session.handle({ type: 'init', requestId: 2, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 3, raceId: 1, spec: spec(RACE.slice(0, 1)) });
    await session.handle({ type: 'setup', requestId: 4, raceId: 2, spec: spec(RACE.slice(1, 2)) });
    const before = events.length;
    await session.handle({ type: 'step', raceId: 1, steps: 5 });
    expect(events.length).toBe(before);
    await session.handle({ type: 'update', raceId: 2, runId: 'adam', optimizer: defaultOptimizer('sgd') });
    expect(events.at(-1)).toMatchObject({ type: 'error', name: 'OptimizerConfigError', runId: 'adam' });
    await session.dispose();
  });

  it('refuses a race that cannot fit with an error event, leaving the previous race whole', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(RACE.slice(0, 2)) });
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => metrics(1, 'sgd').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    // The link `run=fishleg~F~009e73~ab:1e9`: an auxiliary batch of a billion rows.
    const huge = run('fl', { ...defaultFishLeg('block-kron'), auxBatch: 1e9 });
    await session.handle({ type: 'setup', requestId: 3, raceId: 2, spec: spec([huge]) });
    const err = events.at(-1);
    expect(err).toMatchObject({ type: 'error', requestId: 3, raceId: 2, name: 'MemoryBudgetError' });
    expect(err?.type === 'error' && err.message).toMatch(
      /^this setup needs ≈ \d+ GB \(FishLeg auxiliary workspace \d+ GB, .*\); the memory budget is 1 GB \(use a smaller batch, auxiliary batch, model or data set, or fewer runs\)$/,
    );
    expect(events.some((e) => e.type === 'raceReady' && e.raceId === 2)).toBe(false);
    // The old race was paused, not freed: it still steps and evaluates.
    const before = metrics(1, 'sgd').at(-1)!.step;
    await session.handle({ type: 'step', raceId: 1, steps: 10 });
    expect(metrics(1, 'sgd').at(-1)!.step).toBe(before + 10);
    // A toy data set too big for the budget is refused before it is generated.
    const big = { ...spec(RACE.slice(0, 1)), data: { task: 'spiral' as const, n: 1e8, noise: 0.05, seed: 3 } };
    await session.handle({ type: 'setup', requestId: 4, raceId: 3, spec: big });
    expect(events.at(-1)).toMatchObject({ type: 'error', requestId: 4, name: 'MemoryBudgetError' });
    // A live change that would not fit is refused too; the run trains on with its old settings.
    await session.handle({ type: 'setup', requestId: 5, raceId: 4, spec: spec([run('fl', defaultFishLeg())]) });
    await session.handle({
      type: 'update',
      raceId: 4,
      runId: 'fl',
      optimizer: { ...defaultFishLeg(), auxBatch: 1e9 },
    });
    expect(events.at(-1)).toMatchObject({ type: 'error', raceId: 4, runId: 'fl', name: 'MemoryBudgetError' });
    await session.handle({ type: 'step', raceId: 4, steps: 20 });
    expect(metrics(4, 'fl').at(-1)).toMatchObject({ step: 20 });
    expect(Number.isFinite(metrics(4, 'fl').at(-1)!.trainLoss)).toBe(true);
    await session.dispose();
  });

  it('holds a race to the budget it was given', async () => {
    const events: WorkerEvent[] = [];
    const session = new WorkerSession((e) => events.push(e), { memoryBudget: 50_000 });
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(RACE) });
    expect(events.at(-1)).toMatchObject({ type: 'error', name: 'MemoryBudgetError' });
    expect(events.at(-1)?.type === 'error' && events.at(-1)).toMatchObject({
      message: expect.stringMatching(/the memory budget is 50 kB/) as unknown,
    });
    await session.dispose();
  });

  it.each([
    ['SGD', { ...defaultOptimizer('sgd'), lr: 1e6 }],
    ['Adam', { ...defaultOptimizer('adam'), lr: 1e6 }],
  ])('marks %s at lr 1e6 diverged although its loss stays finite', async (_, optimizer) => {
    const { session, events } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec([run('big', optimizer)]) });
    for (let i = 0; i < 10; i++) await session.handle({ type: 'step', raceId: 1, steps: 20 });
    const div = events.find((e) => e.type === 'diverged');
    expect(div).toMatchObject({ raceId: 1, runId: 'big' });
    expect(div?.type === 'diverged' && div.step).toBeLessThanOrEqual(200);
    await session.dispose();
  });
});
