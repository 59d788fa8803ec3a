/**
 * TrainingClient against a fake worker port: the commands it sends (setup with every run, live updates vs
 * restarts), how events fold into the snapshot (metrics per run, divergence, switch marks, stale races
 * dropped), and the thinning that keeps stored curves bounded.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg } from '../engine/optim/config.ts';
import type { Command, MetricPoint } from '../worker/protocol.ts';
import { kindShades } from './colours.ts';
import { DEFAULT_CONFIG, optimizerFor, runsFor } from './config.ts';
import { appendThinned, thin } from './downsample.ts';
import { emitReady, fakeWorkerPort } from './fake-worker-port.ts';
import { TrainingClient } from './training-client.ts';

const sync = (f: () => void) => f();
const point = (step: number, trainLoss = 1 / (1 + step)): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss,
  testLoss: trainLoss + 0.1,
  auxLoss: null,
  msPerStep: 1,
});

function started() {
  const f = fakeWorkerPort();
  const client = new TrainingClient(f.port, DEFAULT_CONFIG, { schedule: sync, persist: false });
  emitReady(f.emit);
  return { ...f, client };
}

describe('TrainingClient', () => {
  it('sends init then a setup with every run of the config', () => {
    const { sent } = started();
    expect(sent[0]).toMatchObject({ type: 'init', backend: 'auto' });
    expect(sent[1]).toMatchObject({
      type: 'setup',
      raceId: 1,
      spec: { runs: DEFAULT_CONFIG.runs, model: DEFAULT_CONFIG.model },
    });
  });

  it('folds batched metrics into each run and drops events of an older race', () => {
    const { client, emit } = started();
    emit({
      type: 'metrics',
      raceId: 1,
      points: [
        { runId: 'r1', point: point(0) },
        { runId: 'r2', point: point(0, 0.7) },
        { runId: 'r1', point: point(20) },
      ],
    });
    const s = client.getSnapshot();
    expect(s.runs.r1!.points.map((p) => p.step)).toEqual([0, 20]);
    expect(s.runs.r2!.points[0]!.trainLoss).toBe(0.7);
    expect(s.step).toBe(20);
    client.reset();
    emit({ type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(40) }] });
    expect(client.getSnapshot().runs.r1!.points).toEqual([]);
  });

  it('changes hyperparameters live but restarts the race for a new optimizer kind or a new run', () => {
    const { client, sent } = started();
    const fl = { ...defaultFishLeg('block-kron'), lr: 0.02, approx: 'sum-kron' as const };
    client.updateRun('r3', { optimizer: fl });
    expect(sent.at(-1)).toEqual({ type: 'update', raceId: 1, runId: 'r3', optimizer: fl });
    client.updateRun('r1', { optimizer: optimizerFor('adamw') });
    expect(sent.at(-1)).toMatchObject({ type: 'setup', raceId: 2 });
    // The SGD run is an AdamW run now, by name and colour too, in the config and in what the worker builds.
    const renamed = { name: 'AdamW', colour: kindShades('adamw')[0] };
    expect(client.getSnapshot().config.runs[0]).toMatchObject(renamed);
    const setup = sent.at(-1) as Extract<Command, { type: 'setup' }>;
    expect(setup.spec.runs[0]).toMatchObject(renamed);
    client.addRun('sgd');
    expect(sent.at(-1)).toMatchObject({ type: 'setup', raceId: 3 });
    expect(client.getSnapshot().config.runs).toHaveLength(4);
    client.removeRun('r2');
    expect(sent.at(-1)).toEqual({ type: 'remove', raceId: 3, runId: 'r2' });
  });

  it("adds a FishLeg run's frozen-Q control once: same settings but auxiliary rate 0, same colour, from step 0", () => {
    const { client, sent, emit } = started();
    emit({ type: 'metrics', raceId: 1, points: [{ runId: 'r3', point: point(40) }] });
    const fishleg = client.getSnapshot().config.runs.find((r) => r.id === 'r3')!;
    expect(fishleg.optimizer.kind).toBe('fishleg');
    client.addFrozenControl('r3');
    const added = sent.at(-1);
    expect(added).toMatchObject({ type: 'addRun', raceId: 1, from: null });
    const runs = client.getSnapshot().config.runs;
    const control = runs.at(-1)!;
    expect(control.name).toBe(`${fishleg.name} (Q frozen)`);
    expect(control.colour).toBe(fishleg.colour);
    expect(control.optimizer).toEqual({ ...fishleg.optimizer, auxLr: 0 });
    expect(client.getSnapshot().runs[control.id]!.catchingUp).toEqual({ step: 0, target: 40 });
    // A second click adds nothing; other optimizers have no control.
    const n = sent.length;
    client.addFrozenControl('r3');
    client.addFrozenControl('r1');
    expect(sent.length).toBe(n);
    expect(client.getSnapshot().config.runs).toHaveLength(runs.length);
  });

  it('records divergence and approximation switches; stops when every run diverged', () => {
    const f = fakeWorkerPort();
    const config = { ...DEFAULT_CONFIG, runs: runsFor([optimizerFor('sgd', 1e9)]) };
    const client = new TrainingClient(f.port, config, { schedule: sync, persist: false });
    f.emit({ type: 'ready', requestId: 1, backend: { name: 'cpu', description: 'cpu' } });
    f.emit({
      type: 'raceReady',
      requestId: 2,
      raceId: 1,
      data: {
        name: 's',
        kind: 'classification',
        inputDim: 2,
        outputDim: 2,
        trainRows: 1,
        testRows: 1,
        likelihood: 'categorical',
        arch: '2-2',
        params: 6,
        layers: [],
      },
      task: { kind: 'none' },
    });
    client.play();
    expect(client.getSnapshot().running).toBe(true);
    f.emit({ type: 'switched', raceId: 1, runId: 'r1', step: 30, approx: 'kron-diag' });
    f.emit({ type: 'diverged', raceId: 1, runId: 'r1', step: 40 });
    const s = client.getSnapshot();
    expect(s.runs.r1!.diverged).toBe(40);
    expect(s.runs.r1!.switches).toEqual([{ step: 30, approx: 'kron-diag' }]);
    expect(s.running).toBe(false);
  });
});

describe('series', () => {
  const steps = (pts: readonly MetricPoint[]) => pts.map((p) => p.step);
  it('appendThinned keeps everything up to the limit, then doubles the stride keeping step 0 and the newest', () => {
    expect(steps(appendThinned([point(0), point(10)], [point(20)], 1, 4).points)).toEqual([0, 10, 20]);
    const pts = Array.from({ length: 8 }, (_, i) => point(10 * i));
    const r = appendThinned(pts, [point(80)], 1, 8);
    expect(r.stride).toBe(4);
    expect(steps(r.points)).toEqual([0, 20, 40, 60, 80]);
  });
  it('thin picks n evenly spaced items including both ends', () => {
    expect(thin([0, 1, 2, 3, 4, 5, 6, 7, 8], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(thin([1, 2], 5)).toEqual([1, 2]);
  });
});

describe('a link to a CSV setup', () => {
  it('names the file, trains the default task meanwhile, and restores the setup once the file is loaded', () => {
    const f = fakeWorkerPort();
    const config = {
      ...DEFAULT_CONFIG,
      data: { task: 'csv', n: 0, noise: 0, seed: 4, file: 'train.csv' },
      model: { ...DEFAULT_CONFIG.model, hidden: '8t-8t-8t', likelihood: 'gaussian' },
    } as const;
    const client = new TrainingClient(f.port, config, { schedule: sync, persist: false });
    expect(client.getSnapshot().awaitingCsv).toEqual({ file: 'train.csv', config });
    const setup = f.sent.find((c) => c.type === 'setup');
    // A runnable default, not "spiral with 0 points": the toy's own size and model.
    expect(setup?.type === 'setup' && setup.spec.data).toMatchObject({ task: 'spiral', seed: 4 });
    expect(setup?.type === 'setup' && setup.spec.data.n).toBeGreaterThan(0);
    expect(setup?.type === 'setup' && setup.spec.model.likelihood).toBe('auto');

    client.useCsv({ name: 'train.csv', text: 'a,b\n1,2\n3,4\n' }, client.getSnapshot().config);
    expect(client.getSnapshot().awaitingCsv).toBeNull();
    const last = f.sent.at(-1);
    expect(last?.type === 'setup' && last.spec.data).toMatchObject({ task: 'csv', csv: { name: 'train.csv' } });
    expect(last?.type === 'setup' && last.spec.model).toMatchObject({ hidden: '8t-8t-8t', likelihood: 'gaussian' });
  });

  it('without a file name still falls back to a working default', () => {
    const f = fakeWorkerPort();
    const config = { ...DEFAULT_CONFIG, data: { task: 'csv', n: 0, noise: 0, seed: 1 } } as const;
    const client = new TrainingClient(f.port, config, { schedule: sync, persist: false });
    expect(client.getSnapshot().awaitingCsv?.file).toBeNull();
    const setup = f.sent.find((c) => c.type === 'setup');
    expect(setup?.type === 'setup' && setup.spec.data.n).toBeGreaterThan(0);
  });
});

describe('the step budget', () => {
  it('is sent with the setup and changes live; the worker reaching it stops the client playing', () => {
    const f = fakeWorkerPort();
    const client = new TrainingClient(f.port, { ...DEFAULT_CONFIG, stopAt: 3000 }, { schedule: sync, persist: false });
    expect(f.sent).toContainEqual({ type: 'stopAt', raceId: 1, step: 3000 });
    f.emit({ type: 'ready', requestId: 1, backend: { name: 'cpu', description: 'cpu' } });
    client.setStopAt(null);
    expect(f.sent.at(-1)).toEqual({ type: 'stopAt', raceId: 1, step: null });
    expect(client.getSnapshot().config.stopAt).toBeNull();
    f.emit({ type: 'budgetReached', raceId: 1, step: 3000 });
    expect(client.getSnapshot().running).toBe(false);
  });
});
