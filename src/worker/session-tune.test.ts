/**
 * The worker's tune command end to end in Node (CPU backend, real engine): it reports rising progress and a
 * result equal to tuneRace's on the same setup, pauses the race and ignores play while it runs, answers other
 * commands meanwhile, stops on cancel long before its budget, and refuses what it cannot do with a tuneFailed
 * event that leaves the race as it was.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { defaultOptimizer } from '../engine/optim/config.ts';
import { loadDataSpec } from './load-data.ts';
import type { RaceSpec, RunSpec, WorkerEvent } from './protocol.ts';
import { WorkerSession } from './session.ts';
import { tuneRace } from './tune.ts';

const RUNS: RunSpec[] = [
  { id: 'sgd', name: 'SGD', colour: '#123456', optimizer: { ...defaultOptimizer('sgd'), lr: 0.1 } },
  { id: 'adam', name: 'Adam', colour: '#654321', optimizer: { ...defaultOptimizer('adam'), lr: 0.01 } },
];

const SPEC: RaceSpec = {
  data: { task: 'spiral', n: 200, noise: 0.05, seed: 3 },
  model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
  runs: RUNS,
  inspect: { runId: null, layer: 0 },
};

async function started() {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e));
  await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
  await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: SPEC });
  const of = <T extends WorkerEvent['type']>(type: T) =>
    events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  return { session, events, of };
}

describe('the worker tune command', () => {
  it('reports rising progress and ends with the report tuneRace gives for the same setup', async () => {
    const { session, of } = await started();
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 7,
      runIds: ['adam'],
      steps: 40,
      seeds: [1, 2],
      objective: 'train',
    });
    await expect.poll(() => of('tuneDone').length, { timeout: 60_000, interval: 20 }).toBe(1);
    const progress = of('tuneProgress').map((e) => e.done);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((d, i) => d >= 0 && d <= 1 && (i === 0 || d >= progress[i - 1]!))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    const done = of('tuneDone')[0]!;
    expect(done).toMatchObject({ raceId: 1, tuneId: 7 });

    const backend = new CpuBackend({ precision: 'f32' });
    const expected = await tuneRace(
      backend,
      (seed) => loadDataSpec({ ...SPEC.data, seed }, () => Promise.reject(new Error('no MNIST here'))),
      { ...SPEC, runs: [RUNS[1]!] },
      { steps: 40, seeds: [1, 2], objective: 'train' },
    );
    backend.dispose();
    expect(done.report).toEqual(expected);
    expect(done.report.results.map((r) => r.runId)).toEqual(['adam']);
    expect(of('tuneFailed')).toEqual([]);
    await session.dispose();
  });

  it('pauses the race, ignores play while it runs, stops on cancel, and the race trains again afterwards', async () => {
    const { session, events, of } = await started();
    await session.handle({ type: 'play', raceId: 1 });
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 1,
      runIds: null,
      steps: 1_000_000,
      seeds: [1],
      objective: 'train',
    });
    await expect.poll(() => of('tuneProgress').length, { timeout: 30_000, interval: 10 }).toBeGreaterThan(0);
    const stepBefore = Math.max(0, ...of('progress').map((e) => e.step));
    // A play sent meanwhile does not start training beside the search.
    await session.handle({ type: 'play', raceId: 1 });
    // Other commands are still handled while it trains.
    await session.handle({ type: 'speed', raceId: 1, speed: 100 });
    await session.handle({ type: 'cancelTune', raceId: 1, tuneId: 1 });
    await expect.poll(() => of('tuneCancelled').length, { timeout: 10_000, interval: 10 }).toBe(1);
    const progress = of('tuneProgress').map((e) => e.done);
    // Cancelled a tiny way into a million-step budget.
    expect(progress.at(-1)!).toBeLessThan(0.5);
    expect(of('tuneDone')).toEqual([]);
    expect(Math.max(0, ...of('progress').map((e) => e.step))).toBe(stepBefore);

    const metricsBefore = events.filter((e) => e.type === 'metrics').length;
    await session.handle({ type: 'step', raceId: 1, steps: 10 });
    expect(events.filter((e) => e.type === 'metrics').length).toBeGreaterThan(metricsBefore);
    // Another search can start once the first has stopped.
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 2,
      runIds: ['sgd'],
      steps: 20,
      seeds: [1],
      objective: 'test',
    });
    await expect.poll(() => of('tuneDone').length, { timeout: 60_000, interval: 20 }).toBe(1);
    expect(of('tuneDone')[0]!.report).toMatchObject({ objective: 'test', steps: 20, seeds: [1] });
    await session.dispose();
  });

  it('refuses an unknown run and a second search with tuneFailed, leaving the race untouched', async () => {
    const { session, of } = await started();
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 1,
      runIds: ['nope'],
      steps: 20,
      seeds: [1],
      objective: 'train',
    });
    expect(of('tuneFailed')).toEqual([
      { type: 'tuneFailed', raceId: 1, tuneId: 1, message: "the race has no run 'nope'" },
    ]);
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 2,
      runIds: null,
      steps: 1_000_000,
      seeds: [1],
      objective: 'train',
    });
    await session.handle({
      type: 'tune',
      raceId: 1,
      tuneId: 3,
      runIds: null,
      steps: 20,
      seeds: [1],
      objective: 'train',
    });
    expect(of('tuneFailed').at(-1)?.tuneId).toBe(3);
    expect(of('tuneFailed').at(-1)?.message).toMatch(/already running/);
    // A new setup cancels the old race's search.
    await session.handle({ type: 'setup', requestId: 3, raceId: 2, spec: SPEC });
    expect(of('tuneCancelled')).toEqual([{ type: 'tuneCancelled', raceId: 1, tuneId: 2 }]);
    expect(of('error')).toEqual([]);
    await session.dispose();
  });
});
