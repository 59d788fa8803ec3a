/**
 * GPU device-loss recovery, in Node on the CPU backend: the session's backend factory hands out CPU backends
 * with a `lost` promise and a `device.destroy()` the test controls, so the real `loseDevice` command path
 * runs. Checked: the race resumes from its last checkpoint with its whole state — SGD with and without
 * momentum, Adam, AdamW, FishLeg (block-Kron, sum-of-Kron, Kron+diag), K-FAC and the exact natural gradient
 * reproduce an uninterrupted reference bit for bit, in losses and in parameters and optimizer state — live changes made
 * after the checkpoint or still queued at the loss are re-applied where they were made, a checkpoint cut
 * short by the loss leaves the previous one in place, a playing race keeps playing with its training clock
 * carrying on, and the UI store shows the notice and cuts the curves at the restored step.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../engine/backend.ts';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { defaultKfac, defaultNatural } from '../engine/kfac/spec.ts';
import { toyDataset } from '../engine/data/toy.ts';
import { defaultFishLeg, defaultOptimizer, type FishLegConfig, type OptimizerConfig } from '../engine/optim/config.ts';
import type { Tensor } from '../engine/tensor.ts';
import { DEFAULT_CONFIG } from '../ui/config.ts';
import { TrainingClient, type WorkerPort } from '../ui/training-client.ts';
import type { MetricPoint, RaceSpec, RunSpec, SavedRaceState, WorkerEvent } from './protocol.ts';
import { Race, type RaceListener, type RacePoint } from './race.ts';
import { WorkerSession, type SessionOptions } from './session.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });

/** Plain SGD keeps no optimizer state, so a resumed run must retrace the uninterrupted one exactly. */
const PLAIN_SGD = { ...defaultOptimizer('sgd'), lr: 0.2, momentum: 0 };
/** Optimizers whose state (momentum, moments, λ and its Adam state, counters) a resume must carry over. */
const SGD_MOMENTUM: OptimizerConfig = { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 };
const ADAM = { ...defaultOptimizer('adam'), lr: 0.02 };
const ADAMW = { ...defaultOptimizer('adamw'), lr: 0.02, weightDecay: 0.1 };
/** Auxiliary updates every 3 steps, so several fall between a checkpoint and the loss. */
const FISHLEG: FishLegConfig = { ...defaultFishLeg('block-kron'), lr: 0.02, auxEvery: 3, auxLr: 0.01 };
const STATEFUL = [
  run('sgdm', SGD_MOMENTUM),
  run('adam', ADAM),
  run('adamw', ADAMW),
  run('fl', FISHLEG),
  run('fl-sum', { ...FISHLEG, approx: 'sum-kron' }),
  run('fl-kd', { ...FISHLEG, approx: 'kron-diag' }),
];
/** Every optimizer kind; K-FAC refreshes its inverses at 49 and 56, so the checkpoint at 50 falls between two. */
const EVERY_OPTIMIZER = [
  ...STATEFUL,
  run('kfac', { ...defaultKfac(), lr: 0.05, invEvery: 7 }),
  run('natural', { ...defaultNatural(), lr: 0.05, momentum: 0.9 }),
];

function spec(runs: RunSpec[], inspect: string | null = null): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 5 },
    model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: inspect, layer: 0 },
  };
}

/** What must match bit for bit between a resumed race and its reference (timings excluded). */
function outcome(p: MetricPoint) {
  return { step: p.step, trainLoss: p.trainLoss, testLoss: p.testLoss, auxLoss: p.auxLoss };
}

/** A factory of CPU backends that can be "lost" like a GPUDevice; counts how many it made. */
function losableBackends(): { createBackend: NonNullable<SessionOptions['createBackend']>; made: () => number } {
  let made = 0;
  const createBackend = (): Promise<Backend> => {
    made++;
    let lose: (info: GPUDeviceLostInfo) => void = () => undefined;
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
    const info = { reason: 'destroyed', message: 'Device was destroyed.' } as GPUDeviceLostInfo;
    const backend = Object.assign(new CpuBackend({ precision: 'f32' }), {
      lost,
      device: { destroy: () => lose(info) },
    });
    return Promise.resolve(backend);
  };
  return { createBackend, made: () => made };
}

function recordingSession(options: SessionOptions = {}) {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e), options);
  const metrics = (runId: string): MetricPoint[] =>
    events.flatMap((e) => (e.type === 'metrics' ? e.points.filter((p) => p.runId === runId).map((p) => p.point) : []));
  const restored = (): number | undefined =>
    events.flatMap((e) => (e.type === 'deviceLost' && e.restoredStep !== undefined ? [e.restoredStep] : []))[0];
  return { session, events, metrics, restored };
}

async function stepTo(session: WorkerSession, steps: number, every = 10): Promise<void> {
  for (let s = 0; s < steps; s += every) await session.handle({ type: 'step', raceId: 1, steps: every });
}

describe('GPU device loss (simulated on the CPU backend)', () => {
  it('resumes a paused race from its last checkpoint with the same parameters and batches', async () => {
    const runs = [run('sgd', PLAIN_SGD)];
    const ref = recordingSession();
    await ref.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await ref.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await stepTo(ref.session, 80);

    const backends = losableBackends();
    const { session, events, metrics, restored } = recordingSession({ createBackend: backends.createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    // Evaluations 0..6 at steps 0..60; checkpoints every 5th evaluation: steps 0 and 50.
    await stepTo(session, 60);
    expect(metrics('sgd').at(-1)!.step).toBe(60);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored).toBe(50);
    expect(backends.made()).toBe(2);
    const lost = events.filter((e) => e.type === 'deviceLost');
    expect(lost[0]).toMatchObject({ raceId: 1, message: 'Device was destroyed.' });
    expect(lost[0]).not.toHaveProperty('restoredStep');

    await stepTo(session, 20);
    const after = metrics('sgd').slice(-2);
    const want = ref.metrics('sgd').filter((p) => p.step === 60 || p.step === 70);
    expect(after.map((p) => p.step)).toEqual([60, 70]);
    // Same parameters at step 50 and the same batches from there: the same losses to the last bit.
    expect(after.map((p) => [p.trainLoss, p.testLoss])).toEqual(want.map((p) => [p.trainLoss, p.testLoss]));
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
    await ref.session.dispose();
  });

  it('keeps a playing race playing after recovery; steps and the training clock carry on', async () => {
    const { session, events, metrics, restored } = recordingSession({ createBackend: losableBackends().createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    const runs = [run('sgd', PLAIN_SGD), run('adam', { ...defaultOptimizer('adam'), lr: 0.02 })];
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => metrics('adam').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(120);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored, { timeout: 20_000 }).toBeDefined();
    const k = restored()!;
    const cut = events.findIndex((e) => e.type === 'deviceLost' && e.restoredStep !== undefined);
    expect(k % 50).toBe(0); // a checkpointed evaluation
    expect(k).toBeGreaterThanOrEqual(50);

    await expect.poll(() => metrics('adam').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(k + 60);
    await session.handle({ type: 'pause', raceId: 1 });
    for (const id of ['sgd', 'adam']) {
      const before = events.slice(0, cut).flatMap((e) => (e.type === 'metrics' ? e.points : []));
      const atK = before.find((p) => p.runId === id && p.point.step === k)!.point;
      const resumed = events
        .slice(cut)
        .flatMap((e) => (e.type === 'metrics' ? e.points : []))
        .filter((p) => p.runId === id)
        .map((p) => p.point);
      // Resumes right after the checkpoint, in evaluation steps, with the clock continuing from it.
      expect(resumed[0]!.step, id).toBe(k + 10);
      expect(resumed[0]!.seconds, id).toBeGreaterThan(atK.seconds);
      // A time per step of its own (how long it is, is the benchmarks' business).
      expect(resumed[0]!.msPerStep, id).toBeGreaterThan(0);
      expect(Number.isFinite(resumed[0]!.msPerStep), id).toBe(true);
      for (let i = 1; i < resumed.length; i++) {
        expect(resumed[i]!.step - resumed[i - 1]!.step, id).toBe(10);
        expect(resumed[i]!.seconds, id).toBeGreaterThanOrEqual(resumed[i - 1]!.seconds);
      }
    }
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('shows the UI a notice and continues the curves from the restored step', async () => {
    let emit: (e: WorkerEvent) => void = () => undefined;
    const session = new WorkerSession((e) => emit(e), { createBackend: losableBackends().createBackend });
    const port: WorkerPort = {
      post: (cmd) => void session.handle(cmd),
      listen: (onEvent) => (emit = onEvent),
      terminate: () => undefined,
    };
    const config = { ...DEFAULT_CONFIG, backend: 'webgpu' as const, runs: [run('r1', PLAIN_SGD)] };
    const client = new TrainingClient(
      port,
      { ...config, model: { ...config.model, evalEvery: 10 } },
      {
        schedule: (f) => f(),
        persist: false,
      },
    );
    await expect.poll(() => client.getSnapshot().data).not.toBeNull();
    for (let i = 0; i < 7; i++) client.stepOnce(10);
    await expect.poll(() => client.getSnapshot().step).toBe(70);
    client.loseDevice();
    await expect.poll(() => client.getSnapshot().notices.at(-1) ?? '').toContain('resumed from its checkpoint');
    const s = client.getSnapshot();
    expect(s.notices).toEqual([
      'The GPU device was lost and recreated; the race resumed from its checkpoint at step 50.',
    ]);
    expect(s.step).toBe(50);
    expect(s.runs.r1!.points.at(-1)!.step).toBe(50);
    expect(s.error).toBeNull();
    client.stepOnce(10);
    await expect.poll(() => client.getSnapshot().step).toBe(60);
    const steps = client.getSnapshot().runs.r1!.points.map((p) => p.step);
    expect(steps).toEqual([0, 10, 20, 30, 40, 50, 60]);
    client.dispose();
    await session.dispose();
  });

  it('resumes SGD with momentum, Adam, AdamW and FishLeg (every approximation) exactly: their whole state comes back', async () => {
    const ref = recordingSession();
    await ref.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await ref.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(STATEFUL, 'fl') });
    await stepTo(ref.session, 90);

    const { session, events, metrics, restored } = recordingSession({ createBackend: losableBackends().createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(STATEFUL, 'fl') });
    await stepTo(session, 70);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored).toBe(50);
    await stepTo(session, 40);
    for (const { id } of STATEFUL) {
      const resumed = metrics(id).slice(-4).map(outcome);
      expect(resumed.map((p) => p.step)).toEqual([60, 70, 80, 90]);
      expect(resumed, id).toEqual(
        ref
          .metrics(id)
          .filter((p) => p.step > 50)
          .map(outcome),
      );
    }
    expect(metrics('fl').at(-1)!.auxLoss).not.toBeNull();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
    await ref.session.dispose();
  });

  it('re-applies live changes made after the last checkpoint at the steps they were made at', async () => {
    const runs = [run('adam', ADAM), run('fl', FISHLEG)];
    /** Steps to 60, changes Adam's lr and FishLeg's approximation and auxiliary lr there, steps to 70. */
    const changeAt60 = async (s: WorkerSession): Promise<void> => {
      await stepTo(s, 60);
      await s.handle({ type: 'update', raceId: 1, runId: 'adam', optimizer: { ...ADAM, lr: 0.005 } });
      const fl = { ...FISHLEG, approx: 'kron-diag' as const, auxLr: 0.02 };
      await s.handle({ type: 'update', raceId: 1, runId: 'fl', optimizer: fl });
      await stepTo(s, 10);
    };
    const ref = recordingSession();
    await ref.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await ref.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await changeAt60(ref.session);
    await stepTo(ref.session, 20);

    const { session, events, metrics, restored } = recordingSession({ createBackend: losableBackends().createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await changeAt60(session);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored).toBe(50);
    await stepTo(session, 40);
    for (const { id } of runs) {
      const resumed = metrics(id).slice(-4).map(outcome);
      expect(resumed, id).toEqual(
        ref
          .metrics(id)
          .filter((p) => p.step > 50)
          .map(outcome),
      );
    }
    // The UI keeps its switch marker at 60 (its curves are cut at 50, its markers not): no second one.
    const switched = events.filter((e) => e.type === 'switched');
    expect(switched).toEqual([{ type: 'switched', raceId: 1, runId: 'fl', step: 60, approx: 'kron-diag' }]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
    await ref.session.dispose();
  });
});

const spiral = toyDataset('spiral', { n: 200, noise: 0.05, seed: 5 });

/** A CPU backend whose reads of FishLeg's buffers fail once `failing` is set, as a lost device's would. */
class FailingReads extends CpuBackend {
  failing = false;
  override read(t: Tensor): Promise<Float32Array | Float64Array | Uint32Array> {
    if (this.failing && t.storage.label.startsWith('fishleg')) return Promise.reject(new Error('device lost'));
    return super.read(t);
  }
}

function switches(): { listener: RaceListener; switched: [string, number, string][] } {
  const switched: [string, number, string][] = [];
  const listener: RaceListener = {
    diverged: () => undefined,
    switched: (runId, step, approx) => switched.push([runId, step, approx]),
    taskFrame: () => undefined,
    insideFrame: () => undefined,
  };
  return { listener, switched };
}

/** Steps and evaluates in tens, as the loop does with evalEvery 10. */
async function advance(race: Race, steps: number): Promise<RacePoint[]> {
  const out: RacePoint[] = [];
  for (let s = 0; s < steps; s += 10) {
    await race.step(10);
    out.push(...(await race.evaluate()));
  }
  return out;
}

const outcomes = (points: RacePoint[]) => points.map((p) => ({ runId: p.runId, ...outcome(p.point) }));

describe('a device whose readbacks fail before it reports the loss', () => {
  it('does not report the failed readbacks as an error: recovery takes over', async () => {
    // As on a real GPU: destroy() rejects pending and later readbacks (AbortError from mapAsync) at once, and
    // the device's `lost` promise resolves a little later.
    const createBackend = (): Promise<Backend> => {
      let lose: (info: GPUDeviceLostInfo) => void = () => undefined;
      const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
      const cpu = new CpuBackend({ precision: 'f32' });
      let destroyed = false;
      const read = cpu.read.bind(cpu);
      const backend = Object.assign(cpu, {
        lost,
        read: (t: Parameters<CpuBackend['read']>[0]) =>
          destroyed
            ? Promise.reject(new DOMException('Buffer was unmapped before mapping was resolved.', 'AbortError'))
            : read(t),
        device: {
          destroy: () => {
            destroyed = true;
            setTimeout(() => lose({ reason: 'destroyed', message: 'Device was destroyed.' } as GPUDeviceLostInfo), 50);
          },
        },
      });
      return Promise.resolve(backend);
    };
    const { session, events, restored } = recordingSession({ createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    await session.handle({
      type: 'setup',
      requestId: 2,
      raceId: 1,
      spec: spec([run('adam', { ...defaultOptimizer('adam'), lr: 0.02 })]),
    });
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => events.filter((e) => e.type === 'metrics').length, { timeout: 20_000 }).toBeGreaterThan(3);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored, { timeout: 20_000 }).toBeDefined();
    await session.handle({ type: 'pause', raceId: 1 });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });
});

describe('Race rebuild after a device loss', () => {
  const runs = [run('adam', ADAM), run('fl', FISHLEG)];
  const queueChanges = (race: Race): void => {
    race.update('adam', { ...ADAM, lr: 0.005 });
    race.update('fl', { ...FISHLEG, approx: 'sum-kron' });
  };

  /** The uninterrupted race: to 60, the changes queued there, then to 90. */
  async function reference(): Promise<RacePoint[]> {
    const backend = new CpuBackend({ precision: 'f32' });
    const race = Race.build(backend, spiral, spec(runs), switches().listener);
    await race.evaluate();
    await advance(race, 60);
    queueChanges(race);
    const points = await advance(race, 30);
    race.dispose();
    backend.dispose();
    return points;
  }

  it('applies live changes still queued at the loss after the resume, where they were queued', async () => {
    const want = await reference();
    const lostBackend = new CpuBackend({ precision: 'f32' });
    const { listener, switched } = switches();
    const lost = Race.build(lostBackend, spiral, spec(runs), listener);
    await lost.evaluate();
    await advance(lost, 60);
    queueChanges(lost); // not applied yet: the loss comes first
    const backend = new CpuBackend({ precision: 'f32' });
    const { race, step } = lost.rebuild(backend);
    lost.dispose();
    lostBackend.dispose();
    expect(step).toBe(50);
    const got = await advance(race, 40);
    expect(outcomes(got.filter((p) => p.point.step > 60))).toEqual(outcomes(want));
    // Never applied before the loss, so announced once, after the resume.
    expect(switched).toEqual([['fl', 60, 'sum-kron']]);
    race.dispose();
    expect(backend.liveStorages()).toBe(0);
    backend.dispose();
  });

  it('keeps the previous checkpoint of every run when a checkpoint is cut short by the loss', async () => {
    const want = await reference();
    const lostBackend = new FailingReads({ precision: 'f32' });
    const lost = Race.build(lostBackend, spiral, spec(runs), switches().listener);
    await lost.evaluate();
    await advance(lost, 60);
    queueChanges(lost);
    await lost.applyPending(); // journaled at 60, after the checkpoint at 50
    await advance(lost, 10);
    // Adam's readbacks complete, FishLeg's fail: neither run may move on to step 70.
    lostBackend.failing = true;
    await expect(lost.checkpoint()).rejects.toThrow('device lost');
    const backend = new CpuBackend({ precision: 'f32' });
    const { race, step } = lost.rebuild(backend);
    lost.dispose();
    lostBackend.dispose();
    expect(step).toBe(50);
    const got = await advance(race, 40);
    expect(got.map((p) => p.point.step)).toEqual([60, 60, 70, 70, 80, 80, 90, 90]);
    expect(outcomes(got.filter((p) => p.point.step > 60))).toEqual(outcomes(want));
    race.dispose();
    backend.dispose();
  });

  it('lets a change made after the resume win over older changes still to be replayed', async () => {
    const adam = [run('adam', ADAM)];
    // The uninterrupted race as the user ends up seeing it: lr 0.001 from step 50 on.
    const refBackend = new CpuBackend({ precision: 'f32' });
    const ref = Race.build(refBackend, spiral, spec(adam), switches().listener);
    await ref.evaluate();
    await advance(ref, 50);
    ref.update('adam', { ...ADAM, lr: 0.001 });
    const want = await advance(ref, 30);

    const lostBackend = new CpuBackend({ precision: 'f32' });
    const lost = Race.build(lostBackend, spiral, spec(adam), switches().listener);
    await lost.evaluate();
    await advance(lost, 60);
    lost.update('adam', { ...ADAM, lr: 0.005 }); // queued at 60: replayed there after the resume…
    const backend = new CpuBackend({ precision: 'f32' });
    const { race } = lost.rebuild(backend);
    lost.dispose();
    race.update('adam', { ...ADAM, lr: 0.001 }); // …unless a newer change comes first: it is applied, then this
    expect(outcomes(await advance(race, 30))).toEqual(outcomes(want));
    for (const r of [ref, race]) r.dispose();
    for (const b of [refBackend, lostBackend, backend]) b.dispose();
  });

  /** Each run's saved parameters and optimizer state after a checkpoint at the race's current step. */
  async function states(race: Race) {
    await race.checkpoint();
    return race.saved().runs.map((r) => ({ id: r.spec.id, ...r.checkpoint.state! }));
  }

  it('restores every optimizer on a new backend with its parameters and optimizer state bit for bit', async () => {
    const refBackend = new CpuBackend({ precision: 'f32' });
    const ref = Race.build(refBackend, spiral, spec(EVERY_OPTIMIZER), switches().listener);
    await ref.evaluate();
    await advance(ref, 90);
    const want = await states(ref);

    const lostBackend = new CpuBackend({ precision: 'f32' });
    const lost = Race.build(lostBackend, spiral, spec(EVERY_OPTIMIZER), switches().listener);
    await lost.evaluate();
    await advance(lost, 70);
    const saved = structuredClone(lost.saved());
    const backend = new CpuBackend({ precision: 'f32' });
    const { race, step } = lost.rebuild(backend);
    lost.dispose();
    expect(step).toBe(50);
    await advance(race, 40);
    const got = await states(race);
    expect(got.map((r) => r.step)).toEqual(EVERY_OPTIMIZER.map(() => 90));
    for (const [i, r] of got.entries()) {
      expect(r.id).toBe(EVERY_OPTIMIZER[i]!.id);
      expect(Array.from(r.params), r.id).toEqual(Array.from(want[i]!.params));
      expect(r.optimizer, r.id).toEqual(want[i]!.optimizer);
    }

    // The negative control: the same checkpoints with each optimizer's state as built (parameters only).
    const freshBackend = new CpuBackend({ precision: 'f32' });
    const fresh = Race.build(freshBackend, spiral, spec(EVERY_OPTIMIZER), switches().listener);
    const blank = await states(fresh);
    const paramsOnly: SavedRaceState = {
      ...saved,
      runs: saved.runs.map((r, i) => ({
        ...r,
        checkpoint: { ...r.checkpoint, state: { ...r.checkpoint.state!, optimizer: blank[i]!.optimizer } },
      })),
    };
    const controlBackend = new CpuBackend({ precision: 'f32' });
    const control = Race.fromSaved(controlBackend, spiral, spec(EVERY_OPTIMIZER), paramsOnly, switches().listener);
    await advance(control, 40);
    for (const [i, r] of (await states(control)).entries()) {
      expect(Array.from(r.params), r.id).not.toEqual(Array.from(want[i]!.params));
    }
    for (const r of [ref, race, fresh, control]) r.dispose();
    for (const b of [refBackend, lostBackend, backend, freshBackend, controlBackend]) {
      expect(b.liveStorages()).toBe(0);
      b.dispose();
    }
  });
});
