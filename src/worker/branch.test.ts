/**
 * Runs that join a race without restarting it, through the worker session on the CPU backend: a branch
 * continues from its run's whole state and, with the same settings, retraces that run bit for bit on the same
 * batches; a run added mid-race catches up from step 0 on the same batches (at once while paused, inside the
 * slices while playing) and then matches a run that was there from the start; removing a run leaves the rest.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../engine/optim/config.ts';
import type { MetricPoint, RaceSpec, RunSpec, WorkerEvent } from './protocol.ts';
import { WorkerSession } from './session.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });
const ADAM = { ...defaultOptimizer('adam'), lr: 0.02 };
const SGD = { ...defaultOptimizer('sgd'), lr: 0.1 };
const FISHLEG = { ...defaultFishLeg('kron-diag'), lr: 0.05, auxEvery: 3, auxLr: 0.01 };

function spec(runs: RunSpec[]): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 5 },
    model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: null, layer: 0 },
  };
}

async function started(runs: RunSpec[]) {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e));
  await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
  await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
  const points = (runId: string): MetricPoint[] =>
    events.flatMap((e) => (e.type === 'metrics' ? e.points.filter((p) => p.runId === runId).map((p) => p.point) : []));
  const at = (runId: string, step: number) => points(runId).find((p) => p.step === step);
  const stepTo = async (target: number) => {
    while ((points(runs[0]!.id).at(-1)?.step ?? 0) < target)
      await session.handle({ type: 'step', raceId: 1, steps: 10 });
  };
  return { session, events, points, at, stepTo };
}

describe('runs that join a race mid-way', () => {
  it.each([
    ['Adam', ADAM],
    ['FishLeg', FISHLEG],
  ] as const)('a %s branch with the same settings retraces its run bit for bit', async (_name, optimizer) => {
    const { session, events, at, stepTo } = await started([run('a', optimizer), run('s', SGD)]);
    await stepTo(40);
    await session.handle({ type: 'addRun', raceId: 1, run: run('b', optimizer), from: 'a' });
    // Its first point is the state it was copied at.
    expect(at('b', 40)?.trainLoss).toBe(at('a', 40)!.trainLoss);
    await stepTo(80);
    for (const step of [50, 60, 70, 80])
      expect(at('b', step)?.trainLoss, `step ${step}`).toBe(at('a', step)!.trainLoss);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('a branch with another learning rate goes its own way from the branch point', async () => {
    const { session, at, stepTo } = await started([run('a', ADAM)]);
    await stepTo(30);
    await session.handle({ type: 'addRun', raceId: 1, run: run('b', { ...ADAM, lr: 0.002 }), from: 'a' });
    await stepTo(60);
    expect(at('b', 30)?.trainLoss).toBe(at('a', 30)!.trainLoss);
    expect(at('b', 60)!.trainLoss).not.toBe(at('a', 60)!.trainLoss);
    await session.dispose();
  });

  it('a run added while paused catches up at once and then matches its twin that started at step 0', async () => {
    const { session, events, at, stepTo } = await started([run('s', SGD), run('a', ADAM)]);
    await stepTo(50);
    await session.handle({ type: 'addRun', raceId: 1, run: run('t', SGD), from: null });
    const catchUp = events.filter((e) => e.type === 'catchUp');
    expect(catchUp.at(-1)).toMatchObject({ runId: 't', step: 50, target: 50 });
    expect(at('t', 50)?.trainLoss).toBe(at('s', 50)!.trainLoss);
    await stepTo(70);
    expect(at('t', 70)?.trainLoss).toBe(at('s', 70)!.trainLoss);
    await session.dispose();
  });

  it('a run added while playing catches up inside the slices and joins the lock-step', async () => {
    const { session, points, at } = await started([run('s', SGD)]);
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => points('s').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(100);
    await session.handle({ type: 'addRun', raceId: 1, run: run('t', SGD), from: null });
    // Caught up: its newest points are at the same steps as the twin's and equal to them.
    await expect
      .poll(
        () => {
          const last = points('t').at(-1);
          return last !== undefined && last.step > 100 && at('s', last.step)?.trainLoss === last.trainLoss;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await session.handle({ type: 'pause', raceId: 1 });
    await session.dispose();
  });

  it('removing a run mid-race leaves the others stepping where they were', async () => {
    const { session, points, stepTo } = await started([run('s', SGD), run('a', ADAM)]);
    await stepTo(30);
    await session.handle({ type: 'remove', raceId: 1, runId: 's' });
    await session.handle({ type: 'step', raceId: 1, steps: 10 });
    expect(points('a').at(-1)?.step).toBe(40);
    await session.dispose();
  });
});
