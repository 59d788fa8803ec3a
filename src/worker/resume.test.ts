/**
 * Resuming after a reload, in Node on the CPU backend: a race's snapshot, cloned as IndexedDB would store
 * it, is handed to a new session's setup, and the resumed race must retrace the uninterrupted one bit for bit
 * (every optimizer's state, the batches from the restored step, live changes made since the checkpoint).
 * A saved state that does not fit the setup is refused with a message and the race starts at step 0. The
 * page's side (TrainingClient with a store) saves at a step and continues its curves after the "reload".
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { defaultFishLeg, defaultOptimizer, type FishLegConfig, type OptimizerConfig } from '../engine/optim/config.ts';
import { DEFAULT_CONFIG } from '../ui/config.ts';
import { saveState, setupKey, type StateStore } from '../ui/saved-state.ts';
import { memoryStateStore } from '../ui/memory-state-store.ts';
import { TrainingClient, type WorkerPort } from '../ui/training-client.ts';
import type { MetricPoint, RaceSpec, RunSpec, WorkerEvent } from './protocol.ts';
import type { SavedRaceState } from './protocol.ts';
import { WorkerSession, type SessionOptions } from './session.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });

const SGD_MOMENTUM: OptimizerConfig = { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 };
const ADAM = { ...defaultOptimizer('adam'), lr: 0.02 };
/** Auxiliary updates every 3 steps, so the saved step falls between two of them. */
const FISHLEG: FishLegConfig = { ...defaultFishLeg('kron-diag'), lr: 0.02, auxEvery: 3, auxLr: 0.01 };
const RUNS = [run('sgdm', SGD_MOMENTUM), run('adam', ADAM), run('fl', FISHLEG)];

function spec(runs: readonly RunSpec[], hidden = '8t'): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 5 },
    model: { hidden, likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: null, layer: 0 },
  };
}

/** What must match bit for bit (timings excluded). */
const outcome = (p: MetricPoint) => ({
  step: p.step,
  trainLoss: p.trainLoss,
  testLoss: p.testLoss,
  auxLoss: p.auxLoss,
});

function recordingSession(options: SessionOptions = {}) {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e), options);
  const metrics = (runId: string): MetricPoint[] =>
    events.flatMap((e) => (e.type === 'metrics' ? e.points.filter((p) => p.runId === runId).map((p) => p.point) : []));
  const snapshots = (): SavedRaceState[] => events.flatMap((e) => (e.type === 'snapshot' ? [e.state] : []));
  const ready = () => events.find((e) => e.type === 'raceReady');
  return { session, events, metrics, snapshots, ready };
}

async function stepTo(session: WorkerSession, steps: number, every = 10): Promise<void> {
  for (let s = 0; s < steps; s += every) await session.handle({ type: 'step', raceId: 1, steps: every });
}

async function started(r: ReturnType<typeof recordingSession>, s: RaceSpec, resume?: SavedRaceState) {
  await r.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
  await r.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: s, ...(resume ? { resume } : {}) });
}

describe('resuming a saved race in a new session', () => {
  it('continues a paused race bit for bit: same step, weights, optimizer state and batches', async () => {
    const ref = recordingSession();
    await started(ref, spec(RUNS));
    await stepTo(ref.session, 30);
    await ref.session.handle({ type: 'update', raceId: 1, runId: 'adam', optimizer: { ...ADAM, lr: 0.01 } });
    await stepTo(ref.session, 50);

    const a = recordingSession();
    await started(a, spec(RUNS));
    await stepTo(a.session, 30);
    await a.session.handle({ type: 'update', raceId: 1, runId: 'adam', optimizer: { ...ADAM, lr: 0.01 } });
    await stepTo(a.session, 10);
    await a.session.handle({ type: 'snapshot', raceId: 1 });
    // Taking it changes nothing about the race that goes on.
    await stepTo(a.session, 40);
    const [saved] = a.snapshots();
    expect(saved!.step).toBe(40);
    expect(saved!.changes).toEqual([]); // the paused snapshot's fresh checkpoint covers the live change
    for (const id of ['sgdm', 'adam', 'fl']) expect(a.metrics(id).map(outcome)).toEqual(ref.metrics(id).map(outcome));

    // The page renumbers ids and may rename runs: positions match them up. Its settings are those after the change.
    const now = [RUNS[0]!, run('adam', { ...ADAM, lr: 0.01 }), RUNS[2]!];
    const renamed = now.map((r, i) => ({ ...r, id: `r${i + 1}`, name: `run ${i + 1}` }));
    const b = recordingSession();
    await started(b, spec(renamed), structuredClone(saved!));
    expect(b.ready()).toMatchObject({ restoredStep: 40 });
    expect(b.metrics('r1')).toEqual([]); // its curves come from the page's save
    await stepTo(b.session, 40);
    RUNS.forEach((r, i) => {
      const want = ref.metrics(r.id).filter((p) => p.step > 40);
      expect(want.map((p) => p.step)).toEqual([50, 60, 70, 80]);
      expect(b.metrics(`r${i + 1}`).map(outcome), r.id).toEqual(want.map(outcome));
    });
    expect([...a.events, ...b.events].filter((e) => e.type === 'error')).toEqual([]);
    await Promise.all([ref.session.dispose(), a.session.dispose(), b.session.dispose()]);
  });

  it('continues from the last periodic checkpoint of a playing race, replaying the live change made since', async () => {
    const a = recordingSession();
    await started(a, spec(RUNS));
    // Capped at 200 steps/s so that the snapshot below lands well before the budget stop, mid-play.
    await a.session.handle({ type: 'speed', raceId: 1, speed: 200 });
    await a.session.handle({ type: 'stopAt', raceId: 1, step: 400 });
    await a.session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => a.metrics('fl').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(60);
    // Applied at the next slice: after the last checkpoint, so the snapshot journals or queues it.
    await a.session.handle({ type: 'update', raceId: 1, runId: 'sgdm', optimizer: { ...SGD_MOMENTUM, lr: 0.05 } });
    await a.session.handle({ type: 'snapshot', raceId: 1 });
    await expect.poll(() => a.events.some((e) => e.type === 'budgetReached'), { timeout: 20_000 }).toBe(true);
    const [saved] = a.snapshots();
    // Playing, the snapshot is the last checkpoint (every 5th evaluation), taken without a readback.
    expect(saved!.step % 50).toBe(0);
    expect(saved!.step).toBeLessThan(400);
    const updated = saved!.changes.some((c) => c.runId === 'sgdm');
    const inCheckpoint = saved!.runs[0]!.checkpoint.spec.optimizer.lr === 0.05;
    expect(updated || inCheckpoint).toBe(true);

    const b = recordingSession();
    const now = [run('sgdm', { ...SGD_MOMENTUM, lr: 0.05 }), RUNS[1]!, RUNS[2]!];
    await started(b, spec(now), structuredClone(saved!));
    expect(b.ready()).toMatchObject({ restoredStep: saved!.step });
    await stepTo(b.session, 400 - saved!.step);
    for (const id of ['sgdm', 'adam', 'fl']) {
      const want = a.metrics(id).filter((p) => p.step > saved!.step);
      expect(want.at(-1)!.step).toBe(400);
      expect(b.metrics(id).map(outcome), id).toEqual(want.map(outcome));
    }
    expect([...a.events, ...b.events].filter((e) => e.type === 'error')).toEqual([]);
    await Promise.all([a.session.dispose(), b.session.dispose()]);
  });

  it('refuses a saved state that does not fit the setup, says why, and starts at step 0 with nothing leaked', async () => {
    const a = recordingSession();
    await started(a, spec(RUNS));
    await stepTo(a.session, 20);
    await a.session.handle({ type: 'snapshot', raceId: 1 });
    const [saved] = a.snapshots();
    await a.session.dispose();

    const backends: CpuBackend[] = [];
    const createBackend = () => {
      const b = new CpuBackend({ precision: 'f32' });
      backends.push(b);
      return Promise.resolve(b);
    };
    const cases: [RaceSpec, RegExp][] = [
      [spec(RUNS.slice(0, 2)), /3 runs; this setup has 2/],
      [spec([RUNS[0]!, run('adam', SGD_MOMENTUM), RUNS[2]!]), /run 2 was saved as adam; this setup has sgd/],
      [spec(RUNS, '4t'), /parameters/],
    ];
    for (const [s, message] of cases) {
      const b = recordingSession({ createBackend });
      await started(b, s, structuredClone(saved!));
      const ready = b.ready();
      expect(ready).not.toHaveProperty('restoredStep');
      expect(ready && ready.type === 'raceReady' ? ready.resumeError : '').toMatch(message);
      // A fresh race: its step-0 evaluation, like any setup.
      expect(b.metrics(s.runs[0]!.id).map((p) => p.step)).toEqual([0]);
      const fresh = recordingSession({ createBackend });
      await started(fresh, s);
      expect(backends.at(-2)!.liveStorages()).toBe(backends.at(-1)!.liveStorages());
      await Promise.all([b.session.dispose(), fresh.session.dispose()]);
    }
  });
});

function connected(options: { store: StateStore }) {
  let emit: (e: WorkerEvent) => void = () => undefined;
  const session = new WorkerSession((e) => emit(e));
  const port: WorkerPort = {
    post: (cmd) => void session.handle(cmd),
    listen: (onEvent) => (emit = onEvent),
    terminate: () => void session.dispose(),
  };
  return new TrainingClient(port, PAGE_CONFIG, { schedule: (f) => f(), storage: null, stateStore: options.store });
}

const PAGE_CONFIG = {
  ...DEFAULT_CONFIG,
  backend: 'cpu' as const,
  model: { ...DEFAULT_CONFIG.model, evalEvery: 10 },
  runs: [run('r1', ADAM), run('r2', FISHLEG)],
};

describe('the page keeps the training state across a reload', () => {
  it('saves at a step, resumes at it after a reload, and the curves continue from the restored history', async () => {
    const store = memoryStateStore();
    const first = connected({ store });
    await expect.poll(() => first.getSnapshot().data).not.toBeNull();
    for (let i = 0; i < 8; i++) first.stepOnce(10);
    await expect.poll(() => store.record()?.state.step, { timeout: 20_000 }).toBe(80);
    const atEighty = structuredClone(store.record()!);
    expect(atEighty.curves.map((c) => c.points.at(-1)!.step)).toEqual([80, 80]);
    first.stepOnce(10);
    await expect.poll(() => first.getSnapshot().runs.r2!.points.at(-1)?.step, { timeout: 20_000 }).toBe(90);
    const uninterrupted = first.getSnapshot().runs;
    first.dispose();

    // The page went after the save at step 80 (its later points were never kept).
    await store.put(atEighty);
    const second = connected({ store });
    await expect.poll(() => second.getSnapshot().resumed?.step, { timeout: 20_000 }).toBe(80);
    const s = second.getSnapshot();
    expect(s.step).toBe(80);
    expect(s.restored).toBeNull();
    for (const id of ['r1', 'r2']) {
      expect(s.runs[id]!.points.map(outcome)).toEqual(
        uninterrupted[id]!.points.filter((p) => p.step <= 80).map(outcome),
      );
    }
    second.stepOnce(10);
    await expect.poll(() => second.getSnapshot().runs.r2!.points.at(-1)?.step, { timeout: 20_000 }).toBe(90);
    for (const id of ['r1', 'r2']) {
      const runs = second.getSnapshot().runs[id]!.points;
      expect(runs.map((p) => p.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      // Continues the uninterrupted race to the last bit.
      expect(runs.map(outcome)).toEqual(uninterrupted[id]!.points.map(outcome));
    }
    second.dispose();
  });

  it('says why a kept state could not be restored and starts the race at step 0', async () => {
    const store = memoryStateStore();
    const first = connected({ store });
    await expect.poll(() => first.getSnapshot().data).not.toBeNull();
    first.stepOnce(10);
    await expect.poll(() => store.record()?.state.step, { timeout: 20_000 }).toBe(10);
    const rec = store.record()!;
    first.dispose();
    // Well-formed and intact, but not this model's size: the engine refuses it.
    const [r1, r2] = rec.state.runs;
    const cp = r1!.checkpoint;
    const short = { ...cp, state: { ...cp.state!, params: cp.state!.params.slice(1) } };
    const state = { ...rec.state, runs: [{ ...r1!, checkpoint: short }, r2!] };
    expect(
      await saveState(store, { setup: setupKey(PAGE_CONFIG), backend: 'cpu', state, curves: rec.curves }),
    ).toMatchObject({ kind: 'saved' });

    const second = connected({ store });
    await expect.poll(() => second.getSnapshot().data).not.toBeNull();
    const s = second.getSnapshot();
    expect(s.notices.join(' ')).toMatch(/could not be restored \(restore: the checkpoint holds \d+ parameters/);
    expect(s.resumed).toBeNull();
    expect(s.step).toBe(0);
    second.stepOnce(10);
    await expect.poll(() => second.getSnapshot().runs.r1!.points.at(-1)?.step, { timeout: 20_000 }).toBe(10);
    second.dispose();
  });
});
