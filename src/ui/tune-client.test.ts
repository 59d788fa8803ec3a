/**
 * Tuning on the page's side, against a fake worker: the tune command the client sends, progress and cancel
 * folded into the state, play refused while a search runs, the cache (a second search of the same setup sends
 * nothing; another budget or optimizer setting misses), "Race at best" applying the rates with their tuned
 * marker, and the marker's round trip through the URL (and its loss when the rate is edited by hand).
 */
import { describe, expect, it } from 'vitest';
import { defaultOptimizer, type OptimizerConfig } from '../engine/optim/config.ts';
import type { Command, TuneReport, TuneResult } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, encodeRun, parseSearch, toSearch } from './config.ts';
import { emitReady, fakeWorkerPort, SPIRAL_DATA_INFO } from './fake-worker-port.ts';
import { TrainingClient, type TuneRequest } from './training-client.ts';
import { lookupTune, MAX_ENTRIES, storeTune, TUNE_CACHE_KEY, tuneKey, type TuneSetup } from './tune-cache.ts';
import { badgeText, tunedMarker } from './tuned-marker.ts';
import { toCsv, toJson } from './history.ts';
import { exportSetupFromPlayground } from './export-pytorch.ts';
import { PRESETS } from './presets.ts';
import { controlledRun, FROZEN_SUFFIX } from '../worker/frozen-control.ts';

class MemoryStorage implements Storage {
  readonly #m = new Map<string, string>();
  get length() {
    return this.#m.size;
  }
  clear() {
    this.#m.clear();
  }
  getItem(k: string) {
    return this.#m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.#m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.#m.delete(k);
  }
  setItem(k: string, v: string) {
    this.#m.set(k, v);
  }
}

const sync = (f: () => void) => f();

function started(storage: Storage = new MemoryStorage()) {
  const { port, sent, emit } = fakeWorkerPort();
  const client = new TrainingClient(port, DEFAULT_CONFIG, { schedule: sync, storage });
  emit({ type: 'ready', requestId: 1, backend: { name: 'cpu', description: 'cpu' } });
  const raceReady = (raceId: number) =>
    emit({
      type: 'raceReady',
      requestId: 2,
      raceId,
      data: SPIRAL_DATA_INFO,
      task: { kind: 'none' },
    });
  raceReady(1);
  const tunes = () => sent.filter((c): c is Extract<Command, { type: 'tune' }> => c.type === 'tune');
  return { client, sent, emit, raceReady, tunes, storage };
}

const REQUEST: TuneRequest = { steps: 300, seeds: [1, 2, 3], objective: 'train' };

/** A result as the worker would send it, best at `best`. */
function result(runId: string, original: number, best: number): TuneResult {
  const lrs = [original / 10, original, best, original * 10].sort((a, b) => a - b);
  return {
    runId,
    name: runId,
    kind: 'sgd',
    points: lrs.map((lr) => ({
      lr,
      train: [1, 1, 1],
      test: [1, 1, 1],
      diverged: lr === original * 10,
      score: lr === original * 10 ? Infinity : lr === best ? 0.5 : 1,
    })),
    best,
    original,
    atEdge: null,
  };
}

describe('tuning from the page', () => {
  it('sends one tune command, pauses training, folds progress, and refuses play while it runs', () => {
    const { client, sent, emit, tunes } = started();
    client.play();
    client.tune(null, REQUEST);
    const s = client.getSnapshot();
    expect(s.running).toBe(false);
    expect(sent.some((c) => c.type === 'pause')).toBe(true);
    expect(tunes()).toEqual([{ type: 'tune', raceId: 1, tuneId: 1, runIds: ['r1', 'r2', 'r3'], ...REQUEST }]);
    expect(s.tune).toMatchObject({ status: 'running', done: 0, runIds: ['r1', 'r2', 'r3'] });
    const plays = sent.filter((c) => c.type === 'play').length;
    client.play();
    client.stepOnce();
    expect(sent.filter((c) => c.type === 'play' || c.type === 'step').length).toBe(plays);
    emit({ type: 'tuneProgress', raceId: 1, tuneId: 1, done: 0.25 });
    expect(client.getSnapshot().tune?.done).toBe(0.25);
    // A second search is not started beside the first.
    client.tune(['r1'], REQUEST);
    expect(tunes().length).toBe(1);
    client.cancelTune();
    expect(sent.at(-1)).toEqual({ type: 'cancelTune', raceId: 1, tuneId: 1 });
    emit({ type: 'tuneCancelled', raceId: 1, tuneId: 1 });
    expect(client.getSnapshot().tune).toMatchObject({ status: 'cancelled' });
    // A late progress event of the cancelled search changes nothing.
    emit({ type: 'tuneProgress', raceId: 1, tuneId: 1, done: 0.5 });
    expect(client.getSnapshot().tune?.done).toBe(0.25);
    client.play();
    expect(client.getSnapshot().running).toBe(true);
  });

  it('keeps results per setup: the same search again sends nothing, another budget or setting misses', () => {
    const { client, emit, tunes, storage } = started();
    client.tune(['r2'], REQUEST);
    const report: TuneReport = { ...REQUEST, results: [result('r2', 0.03, 0.01)] };
    emit({ type: 'tuneDone', raceId: 1, tuneId: 1, report });
    expect(client.getSnapshot().tune).toMatchObject({ status: 'done', report });

    client.tune(['r2'], REQUEST);
    expect(tunes().length).toBe(1);
    expect(client.getSnapshot().tune).toMatchObject({ status: 'done', report: { results: [{ best: 0.01 }] } });
    // The whole race: only the runs not kept yet are searched.
    client.tune(null, REQUEST);
    expect(tunes().at(-1)?.runIds).toEqual(['r1', 'r3']);
    emit({
      type: 'tuneDone',
      raceId: 1,
      tuneId: 3,
      report: { ...REQUEST, results: [result('r1', 0.1, 0.3), result('r3', 0.5, 0.5)] },
    });
    expect(client.getSnapshot().tune?.report?.results.map((r) => [r.runId, r.best])).toEqual([
      ['r1', 0.3],
      ['r2', 0.01],
      ['r3', 0.5],
    ]);
    client.tune(['r2'], { ...REQUEST, steps: 301 });
    expect(tunes().at(-1)?.runIds).toEqual(['r2']);

    const setup: TuneSetup = { config: DEFAULT_CONFIG, ...REQUEST };
    const adam = DEFAULT_CONFIG.runs[1]!;
    expect(lookupTune(storage, setup, adam)?.best).toBe(0.01);
    // The run's rate is not part of the key; its other settings are.
    expect(lookupTune(storage, setup, { ...adam, optimizer: { ...adam.optimizer, lr: 0.5 } })?.best).toBe(0.01);
    expect(
      lookupTune(storage, setup, {
        ...adam,
        optimizer: { ...defaultOptimizer('adam'), lr: 0.03, beta1: 0.8 } as OptimizerConfig,
      }),
    ).toBeNull();
    expect(lookupTune(storage, { ...setup, seeds: [1] }, adam)).toBeNull();
    expect(
      lookupTune(
        storage,
        { ...setup, config: { ...DEFAULT_CONFIG, model: { ...DEFAULT_CONFIG.model, batch: 64 } } },
        adam,
      ),
    ).toBeNull();
    // Diverged points come back as diverged with an infinite score.
    expect(lookupTune(storage, setup, adam)?.points.at(-1)).toMatchObject({ diverged: true, score: Infinity });
  });

  it('keeps at most MAX_ENTRIES results and ignores a damaged store', () => {
    const storage = new MemoryStorage();
    const run = DEFAULT_CONFIG.runs[0]!;
    for (let i = 1; i <= MAX_ENTRIES + 3; i++)
      storeTune(storage, { config: DEFAULT_CONFIG, ...REQUEST, steps: i }, run, result('r1', 0.1, 0.1));
    expect((JSON.parse(storage.getItem(TUNE_CACHE_KEY)!) as unknown[]).length).toBe(MAX_ENTRIES);
    expect(lookupTune(storage, { config: DEFAULT_CONFIG, ...REQUEST, steps: 1 }, run)).toBeNull();
    expect(lookupTune(storage, { config: DEFAULT_CONFIG, ...REQUEST, steps: MAX_ENTRIES + 3 }, run)).not.toBeNull();
    storage.setItem(TUNE_CACHE_KEY, '{not json');
    expect(lookupTune(storage, { config: DEFAULT_CONFIG, ...REQUEST, steps: 5 }, run)).toBeNull();
    expect(tuneKey({ config: DEFAULT_CONFIG, ...REQUEST }, run.optimizer)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('Race at best restarts the race at the tuned rates, marked tuned, and the marker survives the URL', () => {
    const { client, emit, sent, raceReady } = started();
    client.tune(null, REQUEST);
    const report: TuneReport = {
      ...REQUEST,
      // Every rate of r3 diverged: it keeps its own, unmarked.
      results: [result('r1', 0.1, 0.3), result('r2', 0.03, 0.01), { ...result('r3', 0.5, 0.5), best: null }],
    };
    emit({ type: 'tuneDone', raceId: 1, tuneId: 1, report });
    client.raceAtBest();
    const s = client.getSnapshot();
    expect(s.raceId).toBe(2);
    expect(s.tune?.status).toBe('done');
    expect(s.config.runs.map((r) => r.optimizer.lr)).toEqual([0.3, 0.01, DEFAULT_CONFIG.runs[2]!.optimizer.lr]);
    expect(s.config.runs.map((r) => tunedMarker(r))).toEqual([
      { lr: 0.3, steps: 300, seeds: [1, 2, 3], objective: 'train' },
      { lr: 0.01, steps: 300, seeds: [1, 2, 3], objective: 'train' },
      null,
    ]);
    expect(sent.filter((c) => c.type === 'setup').length).toBe(2);
    raceReady(2);
    expect(sent.at(-1)).toEqual({ type: 'play', raceId: 2 });

    const search = toSearch(s.config);
    expect(new URLSearchParams(search).getAll('run')[0]).toBe('sgd~SGD~e69f00~lr:0.3~t:300:1.2.3:train');
    const back = parseSearch(search);
    expect(back.warnings).toEqual([]);
    expect(back.config.runs.map((r) => tunedMarker(r))).toEqual(s.config.runs.map((r) => tunedMarker(r)));
    expect(badgeText(tunedMarker(back.config.runs[0]!)!)).toBe('tuned · 300 steps · 3 seeds');

    // Edited by hand, the rate is no longer the tuned one: no badge, and the link no longer says tuned.
    client.updateRun('r1', { optimizer: { ...s.config.runs[0]!.optimizer, lr: 0.2 } });
    const edited = client.getSnapshot().config.runs[0]!;
    expect(tunedMarker(edited)).toBeNull();
    expect(encodeRun(edited)).not.toContain('~t:');
  });

  it('reads a malformed marker as no marker, with a warning', () => {
    for (const bad of [
      't:0:1:train',
      't:300::train',
      't:300:1.1:train',
      't:300:1:loss',
      'x:300:1:train',
      't:300:1.2.3.4.5.6:test',
    ]) {
      const { config, warnings } = parseSearch(`?run=${encodeURIComponent(`sgd~S~e69f00~lr:0.2~${bad}`)}`);
      expect(config.runs[0]!.optimizer.lr).toBe(0.2);
      expect(config.runs[0]!.tuned, bad).toBeUndefined();
      expect(warnings.join(' '), bad).toMatch(/tuned marker/);
    }
    // A rate the link got wrong is replaced by the default: the marker, made for the link's rate, goes too.
    const { config } = parseSearch(`?run=${encodeURIComponent('sgd~S~e69f00~lr:-1~t:300:1:train')}`);
    expect(config.runs[0]!.tuned).toBeUndefined();
  });
});

describe('the tuned marker in exports and presets', () => {
  const tuned = {
    ...DEFAULT_CONFIG.runs[1]!,
    tuned: { lr: 0.03, steps: 400, seeds: [1, 2], objective: 'test' as const },
  };
  const history = { points: [], diverged: null, switches: [] };

  it('CSV has a step-0 row saying how the rate was tuned, JSON the marker, PyTorch a comment', () => {
    const csv = toCsv([{ spec: tuned, history }]);
    expect(csv).toContain(
      '"tuned: lr 0.03 tuned on 400 steps, seeds 1, 2, minimising the final test loss (held-out split)"',
    );
    const json = JSON.parse(toJson('?', [{ spec: tuned, history }])) as { runs: { tuned: unknown }[] };
    expect(json.runs[0]!.tuned).toEqual(tuned.tuned);
    const stale = { ...tuned, optimizer: { ...tuned.optimizer, lr: 0.02 } };
    expect(toCsv([{ spec: stale, history }])).not.toContain('tuned');
    expect(
      (JSON.parse(toJson('?', [{ spec: stale, history }])) as { runs: { tuned: unknown }[] }).runs[0]!.tuned,
    ).toBeNull();
    const setup = exportSetupFromPlayground({ ...DEFAULT_CONFIG, runs: [DEFAULT_CONFIG.runs[0]!, tuned] }, null);
    expect(setup.runs.map((r) => r.note)).toEqual([
      undefined,
      'lr 0.03 tuned on 400 steps, seeds 1, 2, minimising the final test loss (held-out split)',
    ]);
  });

  it('every comparing preset marks its runs tuned on its own budget, and no paired frozen-Q control', () => {
    for (const p of PRESETS.filter((x) => x.claim)) {
      const cfg = p.config('cpu');
      for (const r of cfg.runs) {
        const m = tunedMarker(r);
        // A control paired with its learned run shares that run's rate and is not searched; a frozen-Q run at
        // a rate of its own (the regression preset's, at its own best) was tuned like any other run.
        if (controlledRun(r, cfg.runs) !== null) expect(m, `${p.id} ${r.name}`).toBeNull();
        else
          expect(m, `${p.id} ${r.name}`).toEqual({
            lr: r.optimizer.lr,
            steps: cfg.stopAt,
            seeds: [1, 2, 3],
            objective: 'train',
          });
      }
      // The link of a preset carries the markers, so a shared preset still shows them.
      expect(parseSearch(toSearch(cfg)).config.runs.map((r) => tunedMarker(r))).toEqual(
        cfg.runs.map((r) => tunedMarker(r)),
      );
    }
  });
});

describe('markers and setup changes', () => {
  it('a change of task, data or model drops the markers the runs carried over; a preset brings its own', () => {
    const { client, emit } = started();
    client.tune(null, REQUEST);
    emit({ type: 'tuneDone', raceId: 1, tuneId: 1, report: { ...REQUEST, results: [result('r1', 0.1, 0.3)] } });
    client.raceAtBest();
    expect(tunedMarker(client.getSnapshot().config.runs[0]!)).not.toBeNull();
    // The seed, the budget and the chart are not what the rate was tuned on: the marker stays.
    const cfg = client.getSnapshot().config;
    client.reset({ ...cfg, data: { ...cfg.data, seed: 7 }, stopAt: 50 });
    expect(tunedMarker(client.getSnapshot().config.runs[0]!)).not.toBeNull();
    client.reset({ ...cfg, model: { ...cfg.model, batch: 64 } });
    expect(client.getSnapshot().config.runs.map((r) => r.tuned)).toEqual([undefined, undefined, undefined]);
    const spiral = PRESETS.find((p) => p.id === 'spiral')!.config('auto');
    client.reset(spiral);
    expect(client.getSnapshot().config.runs.filter((r) => tunedMarker(r)).length).toBe(3);
  });
});

describe('frozen-Q controls', () => {
  it('are not searched; Race at best races each at its learned run’s new rate, unmarked, still its control', () => {
    const storage = new MemoryStorage();
    const { port, sent, emit } = fakeWorkerPort();
    const spiral = PRESETS.find((p) => p.id === 'spiral')!.config('cpu');
    const client = new TrainingClient(port, spiral, { schedule: sync, storage });
    emitReady(emit);
    const ids = spiral.runs.map((r) => r.id);
    const control = spiral.runs.find((r) => r.name.endsWith(FROZEN_SUFFIX))!;
    client.tune(null, REQUEST);
    const cmd = sent.find((c): c is Extract<Command, { type: 'tune' }> => c.type === 'tune')!;
    expect(cmd.runIds).toEqual(ids.filter((id) => id !== control.id));
    const fishleg = spiral.runs.find((r) => r.name === 'FishLeg')!;
    emit({
      type: 'tuneDone',
      raceId: 1,
      tuneId: 1,
      report: { ...REQUEST, results: cmd.runIds!.map((id) => result(id, 0.1, id === fishleg.id ? 0.7 : 0.2)) },
    });
    client.raceAtBest();
    const runs = client.getSnapshot().config.runs;
    const c = runs.find((r) => r.id === control.id)!;
    expect(c.optimizer.lr).toBe(0.7);
    expect(c.optimizer.kind === 'fishleg' && c.optimizer.auxLr).toBe(0);
    expect(tunedMarker(c)).toBeNull();
    expect(controlledRun(c, runs)?.id).toBe(fishleg.id);
    expect(tunedMarker(runs.find((r) => r.id === fishleg.id)!)?.lr).toBe(0.7);
  });
});
