/**
 * The kept training state (saved-state.ts) against an in-memory store that clones like IndexedDB: a round
 * trip gives back the same arrays, curves are cut at the state's step, a state over the size bound is
 * refused without touching what is kept, a damaged or malformed record is rejected with a reason and deleted,
 * one of another format is rejected and kept, one of another setup is not used, and storage failures are
 * reported (quota, unavailable) with a notice.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../engine/optim/config.ts';
import type { MetricPoint } from '../worker/protocol.ts';
import type { SavedRaceState } from '../worker/protocol.ts';
import { DEFAULT_CONFIG } from './config.ts';
import {
  loadState,
  MAX_STATE_BYTES,
  saveNotice,
  saveState,
  setupKey,
  STATE_VERSION,
  type SavedCurves,
  type StateRecord,
  type StateStore,
} from './saved-state.ts';

function memoryStore(): StateStore & { value: unknown } {
  const store = {
    value: undefined as unknown,
    get: () => Promise.resolve(structuredClone(store.value)),
    put: (r: StateRecord) => {
      store.value = structuredClone(r);
      return Promise.resolve();
    },
    clear: () => {
      store.value = undefined;
      return Promise.resolve();
    },
  };
  return store;
}

const ADAM = { ...defaultOptimizer('adam'), lr: 0.01 };
const SPEC = { id: 'r1', name: 'Adam', colour: '#112233', optimizer: ADAM };

/** A one-run state at step 20 with `n` parameters (Adam's m and v as well). */
function state(n = 6, diverged: number | null = null): SavedRaceState {
  const f = (k: number) => Float32Array.from({ length: n }, (_, i) => (i + 1) * k);
  return {
    step: 20,
    runs: [
      {
        spec: SPEC,
        diverged,
        initialLoss: 1.1,
        checkpoint: {
          spec: SPEC,
          seconds: 0.5,
          state: {
            step: 20,
            params: f(0.5),
            optimizer: { config: ADAM, tensors: { m: f(0.01), v: f(0.001) }, counters: {} },
          },
        },
      },
    ],
    changes: [{ runId: 'r1', optimizer: { ...ADAM, lr: 0.02 }, announced: true, step: 20 }],
  };
}

const point = (step: number): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss: 1 / (step + 1),
  testLoss: Number.NaN,
  auxLoss: null,
  msPerStep: step === 0 ? Number.NaN : 1,
});

const curves = (steps: number[]): SavedCurves => ({
  points: steps.map(point),
  stride: 1,
  diverged: null,
  switches: [{ step: 10, approx: 'kron-diag' }],
});

const KEY = setupKey(DEFAULT_CONFIG);
const entry = (s = state(), c = [curves([0, 10, 20, 30])]) => ({ setup: KEY, backend: 'cpu', state: s, curves: c });

describe('saved training state', () => {
  it('round-trips the state and its curves, cut at the state step', async () => {
    const store = memoryStore();
    expect(await saveState(store, entry())).toMatchObject({ kind: 'saved' });
    const loaded = await loadState(store, KEY);
    if (loaded.kind !== 'ok') throw new Error(`not restored: ${loaded.kind}`);
    const r = loaded.record;
    expect(r.version).toBe(STATE_VERSION);
    expect(r.state).toEqual(state());
    expect(r.state.runs[0]!.checkpoint.state!.params).toBeInstanceOf(Float32Array);
    // The point at 30 is trained again after the resume; NaN survives.
    expect(r.curves[0]!.points.map((p) => p.step)).toEqual([0, 10, 20]);
    expect(r.curves[0]!.points[0]!.testLoss).toBeNaN();
    expect(r.curves[0]!.switches).toEqual([{ step: 10, approx: 'kron-diag' }]);
  });

  it('keeps a diverged run’s curve whole (it is not trained again)', async () => {
    const store = memoryStore();
    await saveState(store, entry(state(6, 30), [{ ...curves([0, 10, 20, 30]), diverged: 30 }]));
    const loaded = await loadState(store, KEY);
    expect(loaded.kind === 'ok' && loaded.record.curves[0]!.points.map((p) => p.step)).toEqual([0, 10, 20, 30]);
  });

  it('cuts each run at its own checkpoint (a run added mid-race restarts from step 0)', async () => {
    const store = memoryStore();
    const s = state();
    const added = { ...s.runs[0]!, checkpoint: { ...s.runs[0]!.checkpoint, state: null } };
    await saveState(store, entry({ ...s, runs: [s.runs[0]!, added] }, [curves([0, 10, 20, 30]), curves([0, 10])]));
    const loaded = await loadState(store, KEY);
    if (loaded.kind !== 'ok') throw new Error(`not restored: ${loaded.kind}`);
    expect(loaded.record.curves.map((c) => c.points.map((p) => p.step))).toEqual([[0, 10, 20], [0]]);
  });

  it("keeps every seed of a race on several seeds: each replica's state and each seed's curve, cut alike", async () => {
    const store = memoryStore();
    const s = state();
    const own = s.runs[0]!;
    const replicas = [6, 7].map((seed, k) => ({
      seed,
      checkpoint: {
        ...own.checkpoint,
        state: { ...own.checkpoint.state!, params: Float32Array.from([k + 0.25, k + 0.5]) },
      },
      diverged: seed === 7 ? 30 : null,
      initialLoss: 1 + k,
    }));
    const seeded = { ...s, runs: [{ ...own, replicas }] };
    const { points } = curves([0, 10, 20, 30]);
    const seedCurve = (seed: number) => ({ seed, stride: 1, diverged: seed === 7 ? 30 : null, points });
    const c = { ...curves([0, 10, 20, 30]), seeds: [5, 6, 7].map(seedCurve) };
    expect(await saveState(store, entry(seeded, [c]))).toMatchObject({ kind: 'saved' });
    const loaded = await loadState(store, KEY);
    if (loaded.kind !== 'ok') throw new Error(`not restored: ${loaded.kind}`);
    expect(loaded.record.state).toEqual(seeded);
    // Live seeds are trained again after step 20; the seed that diverged keeps its whole curve.
    expect(loaded.record.curves[0]!.seeds!.map((x) => [x.seed, x.points.map((p) => p.step)])).toEqual([
      [5, [0, 10, 20]],
      [6, [0, 10, 20]],
      [7, [0, 10, 20, 30]],
    ]);
    // The checksum covers the other seeds' parameters too.
    (store.value as StateRecord).state.runs[0]!.replicas![1]!.checkpoint.state!.params[0] = 42;
    expect(await loadState(store, KEY)).toEqual({ kind: 'rejected', reason: 'its data is damaged' });
    await saveState(store, entry(seeded, [c]));
    (store.value as Spoilable).state!.runs[0].replicas[0].checkpoint.state.params = [1];
    expect(await loadState(store, KEY)).toEqual({
      kind: 'rejected',
      reason: 'run 1: seed 6: its parameters are missing',
    });
    await saveState(store, entry(seeded, [c]));
    (store.value as Spoilable).curves[0].seeds = [{ seed: 'x' }];
    expect(await loadState(store, KEY)).toEqual({ kind: 'rejected', reason: "run 1: its seeds' curves are malformed" });
  });

  it('refuses a state over the size bound and leaves the kept one', async () => {
    const store = memoryStore();
    await saveState(store, entry());
    const big = state(1000); // 3 × 4 kB of floats
    const outcome = await saveState(store, entry(big), 8000);
    expect(outcome).toMatchObject({ kind: 'tooLarge' });
    expect(outcome.kind === 'tooLarge' && outcome.bytes).toBeGreaterThan(8000);
    expect(saveNotice(outcome, 8000)).toMatch(/over the 0\.0 MB the page keeps/);
    const loaded = await loadState(store, KEY);
    expect(loaded.kind === 'ok' && loaded.record.state.runs[0]!.checkpoint.state!.params.length).toBe(6);
    expect(MAX_STATE_BYTES).toBe(64 * 2 ** 20);
  });

  it('rejects damaged data with a reason and deletes it', async () => {
    const store = memoryStore();
    await saveState(store, entry());
    const r = store.value as StateRecord;
    r.state.runs[0]!.checkpoint.state!.params[2] = 42; // bytes changed under the checksum
    expect(await loadState(store, KEY)).toEqual({ kind: 'rejected', reason: 'its data is damaged' });
    expect(store.value).toBeUndefined();

    const malformed: [string, (r: Spoilable) => void][] = [
      ['its training state is missing', (r) => delete r.state],
      ['its curves do not match its runs', (r) => (r.curves = [] as unknown as Spoilable['curves'])],
      ['run 1: its parameters are missing', (r) => (r.state!.runs[0].checkpoint.state.params = [1, 2])],
      ['its journal of live changes is malformed', (r) => (r.state!.changes = [{ runId: 1 }])],
      ['run 1: its curves hold malformed points', (r) => (r.curves[0].points = [{ step: 'x' }])],
      [
        'run 1: its settings journal is malformed',
        (r) => (r.curves[0].journal = { first: ADAM, changes: [{ step: 4, optimizer: { kind: 'sgd' } }] }),
      ],
      ['run 1: its branch point is malformed', (r) => (r.curves[0].origin = { from: 3, step: 10 })],
    ];
    for (const [reason, spoil] of malformed) {
      await saveState(store, entry());
      spoil(store.value as Spoilable);
      expect(await loadState(store, KEY)).toEqual({ kind: 'rejected', reason });
      expect(store.value).toBeUndefined();
    }
    store.value = 'not a record';
    expect(await loadState(store, KEY)).toEqual({ kind: 'rejected', reason: 'it is not a saved race' });
  });

  it("keeps a run's whole settings journal and fork uncut, and still reads a record without them", async () => {
    const store = memoryStore();
    const journal = {
      first: ADAM,
      changes: [
        { step: 5, optimizer: { ...ADAM, lr: 0.02 } },
        { step: 25, optimizer: { ...ADAM, lr: 0.03 } },
      ],
    };
    const origin = { from: 'r1', step: 5 };
    await saveState(store, entry(state(), [{ ...curves([0, 10, 20, 30]), journal, origin }]));
    const loaded = await loadState(store, KEY);
    if (loaded.kind !== 'ok') throw new Error(`not restored: ${loaded.kind}`);
    // The change at 25, after the checkpoint, stays: the worker replays it there without announcing it again.
    expect(loaded.record.curves[0]).toMatchObject({ journal, origin });
    await saveState(store, entry());
    expect(await loadState(store, KEY)).toMatchObject({ kind: 'ok' });
  });

  it('rejects another format version without deleting it, and ignores another setup', async () => {
    const store = memoryStore();
    await saveState(store, entry());
    expect(
      await loadState(store, setupKey({ ...DEFAULT_CONFIG, model: { ...DEFAULT_CONFIG.model, batch: 7 } })),
    ).toEqual({ kind: 'other' });
    // Names, colours, chart and speed are not part of the setup.
    const cosmetic = { ...DEFAULT_CONFIG, speed: 5, runs: DEFAULT_CONFIG.runs.map((r) => ({ ...r, name: 'x' })) };
    expect((await loadState(store, setupKey(cosmetic))).kind).toBe('ok');
    (store.value as { version: number }).version = STATE_VERSION + 1;
    const outcome = await loadState(store, KEY);
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/another version of the playground/);
    expect(store.value).toBeDefined();
    expect(await loadState(memoryStore(), KEY)).toEqual({ kind: 'none' });
  });

  it('reports a full or missing storage', async () => {
    const full: StateStore = {
      ...memoryStore(),
      put: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')),
    };
    const outcome = await saveState(full, entry());
    expect(outcome).toEqual({ kind: 'full', keptStep: null });
    expect(saveNotice(outcome)).toMatch(/storage is full/);
    const broken: StateStore = { ...memoryStore(), put: () => Promise.reject(new Error('disk on fire')) };
    expect(saveNotice(await saveState(broken, entry()))).toMatch(/could not be saved \(disk on fire\)/);
    expect(await saveState(null, entry())).toEqual({ kind: 'unavailable' });
    expect(saveNotice({ kind: 'unavailable' })).toMatch(/IndexedDB is unavailable/);
    expect((await loadState(null, KEY)).kind).toBe('unavailable');
    const unreadable: StateStore = { ...memoryStore(), get: () => Promise.reject(new Error('blocked')) };
    expect(await loadState(unreadable, KEY)).toEqual({ kind: 'unavailable', reason: 'blocked' });
  });

  it('checks the whole record: steps, counters, settings, journal, curves and header, not only the floats', async () => {
    // Each spoils one field so that the record stays well-formed: only the checksum can see it.
    const spoils: [string, (r: Spoilable2) => void][] = [
      ['the race step', (r) => (r.state.step = 10)],
      ["a checkpoint's step", (r) => (r.state.runs[0].checkpoint.state.step = 30)],
      ['an optimizer counter', (r) => (r.state.runs[0].checkpoint.state.optimizer.counters = { t: 3 })],
      ["the optimizer's settings", (r) => (r.state.runs[0].checkpoint.state.optimizer.config.lr = 0.5)],
      ["the run's spec", (r) => (r.state.runs[0].checkpoint.spec = { ...SPEC, optimizer: { ...ADAM, lr: 0.9 } })],
      ['the training clock', (r) => (r.state.runs[0].checkpoint.seconds = 9)],
      ['a divergence mark', (r) => (r.state.runs[0].diverged = 10)],
      ['the step-0 loss', (r) => (r.state.runs[0].initialLoss = 2)],
      ['the change journal', (r) => (r.state.changes[0].step = 10)],
      ['a journalled setting', (r) => (r.state.changes[0].optimizer.lr = 0.3)],
      ['a curve point', (r) => (r.curves[0].points[1]!.trainLoss = 0.25)],
      ["a curve's stride", (r) => (r.curves[0].stride = 2)],
      ['a switch mark', (r) => (r.curves[0].switches[0]!.step = 20)],
      ['the backend', (r) => (r.backend = 'webgpu')],
      ['the save time', (r) => (r.savedAt = '2000-01-01T00:00:00.000Z')],
      ['the size', (r) => (r.bytes = 1)],
    ];
    for (const [what, spoil] of spoils) {
      const store = memoryStore();
      await saveState(store, entry());
      expect((await loadState(store, KEY)).kind, what).toBe('ok');
      spoil(store.value as Spoilable2);
      expect(await loadState(store, KEY), what).toEqual({ kind: 'rejected', reason: 'its data is damaged' });
      expect(store.value, what).toBeUndefined();
    }
  });

  it('says what Play resumes from when a save fails but an older record of the setup is kept', async () => {
    const store = memoryStore();
    let failWith: Error | null = null;
    const flaky: StateStore = {
      ...store,
      get: () => store.get(),
      put: (r) => (failWith ? Promise.reject(failWith) : store.put(r)),
    };
    await saveState(flaky, entry()); // the race at step 20
    const later = { ...state(), step: 40 };
    failWith = new DOMException('quota', 'QuotaExceededError');
    const full = await saveState(flaky, entry(later));
    expect(full).toEqual({ kind: 'full', keptStep: 20 });
    expect(saveNotice(full)).toBe(
      'The browser’s storage is full, so the training state was not saved: after a reload, Play would resume this race from step 20, where it was last saved.',
    );
    failWith = new Error('disk on fire');
    const failed = await saveState(flaky, entry(later));
    expect(saveNotice(failed)).toBe(
      'The training state could not be saved (disk on fire): after a reload, Play would resume this race from step 20, where it was last saved.',
    );
    failWith = null;
    const tooLarge = await saveState(flaky, entry(state(1000)), 8000);
    expect(tooLarge).toMatchObject({ kind: 'tooLarge', keptStep: 20 });
    expect(saveNotice(tooLarge, 8000)).toMatch(
      /Play would resume this race from step 20, where it was last saved\. The curves are kept\.$/,
    );
    // A kept record of another setup is not what this race resumes from.
    const other = {
      ...entry(later),
      setup: setupKey({ ...DEFAULT_CONFIG, model: { ...DEFAULT_CONFIG.model, batch: 7 } }),
    };
    failWith = new Error('disk on fire');
    expect(await saveState(flaky, other)).toMatchObject({ kind: 'failed', keptStep: null });
    expect(saveNotice(await saveState(flaky, other))).toMatch(/Play would start this race from step 0\.$/);
  });
});

/** The fields of a stored record the whole-record checksum test changes. */
interface Spoilable2 {
  state: {
    step: number;
    runs: [
      {
        diverged: number | null;
        initialLoss: number;
        checkpoint: {
          spec: unknown;
          seconds: number;
          state: { step: number; optimizer: { counters: unknown; config: { lr: number } } };
        };
      },
    ];
    changes: [{ step: number; optimizer: { lr: number } }];
  };
  curves: [{ points: { trainLoss: number }[]; stride: number; switches: { step: number }[] }];
  backend: string;
  savedAt: string;
  bytes: number;
}

/** The parts of a stored record the tests spoil. */
interface Spoilable extends Record<string, unknown> {
  state?: {
    runs: [{ checkpoint: { state: { params: unknown } }; replicas: [{ checkpoint: { state: { params: unknown } } }] }];
    changes: unknown;
  };
  curves: [{ points: unknown; seeds?: unknown; journal?: unknown; origin?: unknown }];
}
