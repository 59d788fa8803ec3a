/**
 * A race on several seeds, in Node on the CPU backend: every run's replica on seed s retraces a one-seed race
 * with seed s bit for bit (data, initial weights, batches), for every optimizer and FishLeg's frozen-Q control;
 * all runs share the seeds; live changes and branches reach every replica; the saved state carries every
 * seed and a resumed race continues each of them exactly, through the page's client and its kept state too.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { defaultFishLeg, defaultOptimizer, type FishLegConfig, type OptimizerConfig } from '../engine/optim/config.ts';
import { withFrozenControls } from './frozen-control.ts';
import { runHeadless, type HeadlessCurve } from './headless-race.ts';
import { loadDataSpec } from './load-data.ts';
import type { MetricPoint, RaceSpec, RunSpec, SavedRaceState, WorkerEvent } from './protocol.ts';
import { adoptRuns } from './resume.ts';
import { loadSeedData, raceSeeds } from './seeds.ts';
import { WorkerSession } from './session.ts';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../ui/config.ts';
import type { StateStore } from '../ui/saved-state.ts';
import { memoryStateStore } from '../ui/memory-state-store.ts';
import { TrainingClient, type WorkerPort } from '../ui/training-client.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });

const SGD: OptimizerConfig = { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 };
const ADAM = { ...defaultOptimizer('adam'), lr: 0.02 };
const FISHLEG: FishLegConfig = { ...defaultFishLeg('kron-diag'), lr: 0.02, auxEvery: 3, auxLr: 0.01 };
const RUNS = withFrozenControls([run('sgd', SGD), run('adam', ADAM), run('fl', FISHLEG)]);

function spec(seeds: number | undefined, runs: readonly RunSpec[] = RUNS, seed = 5): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed, ...(seeds !== undefined ? { seeds } : {}) },
    model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: null, layer: 0 },
  };
}

const noMnist = () => Promise.reject(new Error('no MNIST here'));

/** What must match bit for bit (timings excluded). */
const outcome = (p: MetricPoint) => ({
  step: p.step,
  trainLoss: p.trainLoss,
  testLoss: p.testLoss,
  auxLoss: p.auxLoss,
});

async function headless(s: RaceSpec, steps: number): Promise<HeadlessCurve[]> {
  const backend = new CpuBackend({ precision: 'f32' });
  try {
    const data = await loadSeedData(s.data, (d) => loadDataSpec(d, noMnist));
    return await runHeadless(backend, data, s, { steps });
  } finally {
    backend.dispose();
  }
}

describe('seeds of a race', () => {
  it('are the race seed and the ones after it', () => {
    expect(raceSeeds({ seed: 5 })).toEqual([5]);
    expect(raceSeeds({ seed: 5, seeds: 3 })).toEqual([5, 6, 7]);
  });

  it("give every run's replica on seed s the curve of a one-seed race with seed s, frozen-Q controls included", async () => {
    expect(RUNS.map((r) => r.id)).toEqual(['sgd', 'adam', 'fl', 'fl-frozen']);
    const many = await headless(spec(3), 40);
    expect(many.map((c) => `${c.runId}@${c.seed}`)).toEqual(
      RUNS.flatMap((r) => [5, 6, 7].map((seed) => `${r.id}@${seed}`)),
    );
    for (const seed of [5, 6, 7]) {
      const one = await headless(spec(undefined, RUNS, seed), 40);
      for (const c of one) {
        const replica = many.find((m) => m.runId === c.runId && m.seed === seed)!;
        expect(replica.curve.map(outcome), `${c.runId} on seed ${seed}`).toEqual(c.curve.map(outcome));
        expect(replica.curve.map((p) => p.step)).toEqual([0, 10, 20, 30, 40]);
      }
    }
    // The same seeds for every optimizer: at step 0 (same weights, same data) every run has one loss per seed.
    for (const seed of [5, 6, 7]) {
      const starts = many.filter((c) => c.seed === seed).map((c) => c.curve[0]!.trainLoss);
      expect(new Set(starts).size).toBe(1);
    }
    const firstLosses = [5, 6, 7].map((seed) => many.find((c) => c.seed === seed)!.curve[0]!.trainLoss);
    expect(new Set(firstLosses).size).toBe(3);
  });

  it('shares one copy of data that does not depend on the seed', async () => {
    let loads = 0;
    const fake = (d: { seed: number }) => {
      loads++;
      return Promise.resolve({ seed: d.seed } as never);
    };
    const sets = await loadSeedData({ task: 'mnist-ae', n: 0, noise: 0, seed: 1, seeds: 3 }, fake);
    expect(loads).toBe(1);
    expect(new Set(sets).size).toBe(1);
    await loadSeedData({ task: 'spiral', n: 100, noise: 0, seed: 1, seeds: 3 }, fake);
    expect(loads).toBe(4);
  });
});

function recordingSession() {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e));
  const metrics = (runId: string, seed?: number): MetricPoint[] =>
    events.flatMap((e) =>
      e.type === 'metrics' ? e.points.filter((p) => p.runId === runId && p.seed === seed).map((p) => p.point) : [],
    );
  const snapshots = (): SavedRaceState[] => events.flatMap((e) => (e.type === 'snapshot' ? [e.state] : []));
  const errors = () => events.filter((e) => e.type === 'error');
  return { session, events, metrics, snapshots, errors };
}

async function started(r: ReturnType<typeof recordingSession>, s: RaceSpec, resume?: SavedRaceState) {
  await r.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
  await r.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: s, ...(resume ? { resume } : {}) });
}

async function stepTo(session: WorkerSession, steps: number, every = 10): Promise<void> {
  for (let s = 0; s < steps; s += every) await session.handle({ type: 'step', raceId: 1, steps: every });
}

describe('a session on several seeds', () => {
  it('applies a live change and a branch to every seed, as one-seed sessions on each seed do', async () => {
    const runs = [run('adam', ADAM), run('fl', FISHLEG)];
    const script = async (r: ReturnType<typeof recordingSession>, s: RaceSpec) => {
      await started(r, s);
      await stepTo(r.session, 20);
      await r.session.handle({ type: 'update', raceId: 1, runId: 'adam', optimizer: { ...ADAM, lr: 0.005 } });
      await r.session.handle({
        type: 'addRun',
        raceId: 1,
        run: run('fl-b', { ...FISHLEG, lr: 0.01 }),
        from: 'fl',
      });
      await stepTo(r.session, 20);
    };
    const many = recordingSession();
    await script(many, spec(2, runs));
    for (const seed of [5, 6]) {
      const one = recordingSession();
      await script(one, spec(undefined, runs, seed));
      for (const id of ['adam', 'fl', 'fl-b']) {
        expect(many.metrics(id, seed).map(outcome), `${id} on seed ${seed}`).toEqual(one.metrics(id).map(outcome));
      }
      expect(one.metrics('fl-b').map((p) => p.step)).toEqual([20, 30, 40]);
      await one.session.dispose();
    }
    // One mark per change, not one per seed.
    expect(many.events.filter((e) => e.type === 'changed' && e.runId === 'adam')).toHaveLength(1);
    expect(many.errors()).toEqual([]);
    await many.session.dispose();
  });

  it('saves every seed and resumes each of them bit for bit', async () => {
    const ref = recordingSession();
    await started(ref, spec(3));
    await stepTo(ref.session, 60);

    const a = recordingSession();
    await started(a, spec(3));
    await stepTo(a.session, 30);
    await a.session.handle({ type: 'snapshot', raceId: 1 });
    const [saved] = a.snapshots();
    expect(saved!.step).toBe(30);
    for (const r of saved!.runs) {
      expect(r.replicas?.map((x) => x.seed)).toEqual([6, 7]);
      expect(r.replicas?.map((x) => x.checkpoint.state?.step)).toEqual([30, 30]);
    }
    await a.session.dispose();

    const b = recordingSession();
    await started(b, spec(3), structuredClone(saved!));
    expect(b.events.find((e) => e.type === 'raceReady')).toMatchObject({ restoredStep: 30 });
    await stepTo(b.session, 30);
    for (const r of RUNS) {
      for (const seed of [5, 6, 7]) {
        const want = ref.metrics(r.id, seed).filter((p) => p.step > 30);
        expect(want.map((p) => p.step)).toEqual([40, 50, 60]);
        expect(b.metrics(r.id, seed).map(outcome), `${r.id} on seed ${seed}`).toEqual(want.map(outcome));
      }
    }

    // The page renumbers ids when a link loads: every seed's checkpoint follows its run.
    const renamed = adoptRuns(
      saved!,
      spec(
        3,
        RUNS.map((r, i) => ({ ...r, id: `x${i + 1}` })),
      ),
    );
    for (const [i, r] of renamed.runs.entries()) {
      expect(r.replicas!.map((x) => x.checkpoint.spec.id)).toEqual([`x${i + 1}`, `x${i + 1}`]);
    }

    // Another seed count is another setup: the state is refused with a reason and the race starts at step 0.
    const c = recordingSession();
    await started(c, spec(2), structuredClone(saved!));
    const ready = c.events.find((e) => e.type === 'raceReady');
    expect(ready && ready.type === 'raceReady' ? ready.resumeError : '').toMatch(
      /seeds 5, 6, 7; this setup runs on 5, 6/,
    );
    expect([...ref.errors(), ...b.errors(), ...c.errors()]).toEqual([]);
    await Promise.all([ref.session.dispose(), b.session.dispose(), c.session.dispose()]);
  });

  it('refuses a seed count out of range with a message', async () => {
    const r = recordingSession();
    await started(r, spec(9));
    const errors = r.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.type === 'error' ? errors[0]!.message : '').toMatch(/1 to 5 seeds, not 9/);
    await r.session.dispose();
  });
});

function connected(store: StateStore, config: PlaygroundConfig) {
  let emit: (e: WorkerEvent) => void = () => undefined;
  const session = new WorkerSession((e) => emit(e));
  const port: WorkerPort = {
    post: (cmd) => void session.handle(cmd),
    listen: (onEvent) => (emit = onEvent),
    terminate: () => void session.dispose(),
  };
  return new TrainingClient(port, config, { schedule: (f) => f(), storage: null, stateStore: store });
}

describe('the page on several seeds', () => {
  it("keeps every seed's training state and curve across a reload, and goes on with each", async () => {
    const config: PlaygroundConfig = {
      ...DEFAULT_CONFIG,
      backend: 'cpu',
      data: { ...DEFAULT_CONFIG.data, seeds: 2 },
      model: { ...DEFAULT_CONFIG.model, evalEvery: 10 },
      runs: [run('r1', ADAM), run('r2', FISHLEG)],
    };
    const store = memoryStateStore();
    const first = connected(store, config);
    await expect.poll(() => first.getSnapshot().data).not.toBeNull();
    for (let i = 0; i < 3; i++) first.stepOnce(10);
    await expect.poll(() => store.record()?.state.step, { timeout: 20_000 }).toBe(30);
    const atThirty = structuredClone(store.record()!);
    expect(atThirty.state.runs.map((r) => r.replicas?.map((x) => x.seed))).toEqual([[2], [2]]);
    expect(atThirty.curves.map((c) => c.seeds?.map((x) => x.points.at(-1)?.step))).toEqual([
      [30, 30],
      [30, 30],
    ]);
    first.stepOnce(10);
    await expect.poll(() => first.getSnapshot().runs.r2!.seeds?.[1]?.points.at(-1)?.step, { timeout: 20_000 }).toBe(40);
    const uninterrupted = first.getSnapshot().runs;
    first.dispose();

    await store.put(atThirty);
    const second = connected(store, config);
    await expect.poll(() => second.getSnapshot().resumed?.step, { timeout: 20_000 }).toBe(30);
    second.stepOnce(10);
    await expect
      .poll(() => second.getSnapshot().runs.r2!.seeds?.[1]?.points.at(-1)?.step, { timeout: 20_000 })
      .toBe(40);
    for (const id of ['r1', 'r2']) {
      const got = second.getSnapshot().runs[id]!.seeds!;
      expect(got.map((c) => c.seed)).toEqual([1, 2]);
      got.forEach((c, k) => {
        expect(c.points.map((p) => p.step)).toEqual([0, 10, 20, 30, 40]);
        expect(c.points.map(outcome), `${id} seed ${c.seed}`).toEqual(
          uninterrupted[id]!.seeds![k]!.points.map(outcome),
        );
      });
    }
    second.dispose();
  });
});
