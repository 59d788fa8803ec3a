/**
 * The worker session end to end in Node with the CPU backend: init → reset → play → pause really trains the
 * default spiral run (the loss falls), events carry the right ids, a reset drops the old run, and commands
 * in the wrong order or for a missing backend come back as error events rather than exceptions.
 */
import { describe, expect, it } from 'vitest';
import { optimizerFor, runFor } from '../ui/config.ts';
import type { MetricPoint, WorkerEvent } from './protocol.ts';
import { WorkerSession } from './session.ts';

function recordingSession() {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e));
  const metrics = (runId: number): MetricPoint[] =>
    events.flatMap((e) => (e.type === 'metrics' && e.runId === runId ? e.points : []));
  return { session, events, metrics };
}

describe('WorkerSession (CPU backend)', () => {
  it('trains the default spiral run: the train loss falls and evaluations land every evalEvery steps', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    expect(events[0]).toMatchObject({ type: 'ready', requestId: 1, backend: { name: 'cpu' } });
    expect(events[0]?.type === 'ready' && events[0].backend.fallbackReason).toBeFalsy();

    const run = runFor('spiral', optimizerFor('adam', 0.01));
    await session.handle({ type: 'reset', requestId: 2, runId: 1, config: run });
    expect(events.some((e) => e.type === 'runReady' && e.runId === 1 && e.requestId === 2)).toBe(true);
    expect(metrics(1).map((p) => p.step)).toEqual([0]);

    await session.handle({ type: 'play', runId: 1 });
    await expect
      .poll(() => metrics(1).at(-1)?.step ?? 0, { timeout: 20_000, interval: 20 })
      .toBeGreaterThanOrEqual(300);
    await session.handle({ type: 'pause', runId: 1 });

    const points = metrics(1);
    const first = points.at(0);
    const last = points.at(-1);
    expect(first?.trainLoss).toBeCloseTo(Math.log(2), 0); // two balanced classes, small random weights
    expect(last!.trainLoss).toBeLessThan(0.9 * first!.trainLoss);
    expect(last!.trainAccuracy).toBeGreaterThan(0.6);
    // Every evaluation but the pause's last one is on a multiple of evalEvery.
    expect(points.slice(0, -1).every((p) => p.step % run.evalEvery === 0)).toBe(true);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ runId: 1, running: false, step: last!.step });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('a reset replaces the run: commands for the old runId are ignored', async () => {
    const { session, events, metrics } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({ type: 'reset', requestId: 2, runId: 1, config: runFor('xor', optimizerFor('sgd')) });
    await session.handle({ type: 'reset', requestId: 3, runId: 2, config: runFor('circles', optimizerFor('adamw')) });
    const before = events.length;
    await session.handle({ type: 'play', runId: 1 });
    await session.handle({ type: 'pause', runId: 1 });
    expect(events.length).toBe(before);
    expect(metrics(2).map((p) => p.step)).toEqual([0]);
    await session.dispose();
  });

  it('reports commands in the wrong order and unavailable backends as error events', async () => {
    const { session, events } = recordingSession();
    await session.handle({ type: 'reset', requestId: 7, runId: 1, config: runFor('spiral', optimizerFor('adam')) });
    expect(events).toEqual([
      {
        type: 'error',
        requestId: 7,
        runId: 1,
        name: 'ProtocolError',
        message: 'reset arrived before init: send init first',
      },
    ]);

    // Node has no navigator.gpu: forcing WebGPU must fail loudly instead of silently using the CPU.
    await session.handle({ type: 'init', requestId: 8, backend: 'webgpu' });
    expect(events[1]).toMatchObject({ type: 'error', requestId: 8 });
    await session.dispose();
  });

  it('auto falls back to the CPU with a reason when there is no WebGPU', async () => {
    const { session, events } = recordingSession();
    await session.handle({ type: 'init', requestId: 1, backend: 'auto' });
    expect(events[0]).toMatchObject({ type: 'ready', backend: { name: 'cpu' } });
    const reason = events[0]?.type === 'ready' ? events[0].backend.fallbackReason : undefined;
    expect(reason).toMatch(/WebGPU/i);
    await session.dispose();
  });
});
