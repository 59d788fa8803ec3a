/**
 * A Step ×n in progress: the client marks it when it sends the command, the worker's progress events move
 * it, its final paused progress ends it, and Play and further steps wait for it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { initialState, reduce } from './race-reducer.ts';
import { stepProgress } from './step-progress.tsx';
import { emitReady, fakeWorkerPort } from './fake-worker-port.ts';
import { TrainingClient } from './training-client.ts';

function started() {
  const { port, sent, emit } = fakeWorkerPort();
  const client = new TrainingClient(port, DEFAULT_CONFIG, { schedule: (f) => f(), persist: false });
  emitReady(emit);
  const progress = (step: number, running = false): void =>
    emit({ type: 'progress', raceId: 1, step, running, stepsPerSecond: 0 });
  return { client, sent, emit, progress };
}

describe('stepProgress', () => {
  it('counts the steps done since the Step began, within its length', () => {
    expect(stepProgress(null, 40)).toBeNull();
    expect(stepProgress({ from: 20, to: 21 }, 20)).toBeNull();
    expect(stepProgress({ from: 20, to: 120 }, 20)).toEqual({ done: 0, of: 100 });
    expect(stepProgress({ from: 20, to: 120 }, 65)).toEqual({ done: 45, of: 100 });
    expect(stepProgress({ from: 20, to: 120 }, 130)).toEqual({ done: 100, of: 100 });
  });
});

describe('a Step ×n in progress', () => {
  it('is marked when sent, follows progress and ends with the paused progress at its last step', () => {
    const { client, sent, progress } = started();
    client.stepOnce(100);
    expect(sent.at(-1)).toEqual({ type: 'step', raceId: 1, steps: 100 });
    expect(client.getSnapshot().stepping).toEqual({ from: 0, to: 100 });
    progress(37);
    const s = client.getSnapshot();
    expect(stepProgress(s.stepping, s.step)).toEqual({ done: 37, of: 100 });
    progress(100);
    expect(client.getSnapshot().stepping).toBeNull();
    // The next one starts where this one ended.
    client.stepOnce(10);
    expect(client.getSnapshot().stepping).toEqual({ from: 100, to: 110 });
  });

  it('holds Play back until it is done; further steps queue behind it', () => {
    const { client, sent, progress } = started();
    client.stepOnce(100);
    const count = sent.length;
    client.play();
    client.toggle();
    expect(sent.length).toBe(count);
    expect(client.getSnapshot().running).toBe(false);
    client.stepOnce(1);
    expect(sent.at(-1)).toEqual({ type: 'step', raceId: 1, steps: 1 });
    expect(client.getSnapshot().stepping).toEqual({ from: 0, to: 101 });
    progress(100);
    expect(client.getSnapshot().stepping).not.toBeNull();
    progress(101);
    client.play();
    expect(sent.at(-1)).toEqual({ type: 'play', raceId: 1 });
  });

  it('ends on an error, a lost device and a new race', () => {
    const base = { ...initialState(DEFAULT_CONFIG), raceId: 1, stepping: { from: 0, to: 100 } };
    expect(reduce(base, { type: 'error', raceId: 1, name: 'Error', message: 'x' }).stepping).toBeNull();
    expect(reduce(base, { type: 'deviceLost', raceId: 1, message: 'gone' }).stepping).toBeNull();
    // A progress of another race, or one still playing, leaves it.
    expect(
      reduce(base, { type: 'progress', raceId: 2, step: 100, running: false, stepsPerSecond: 0 }).stepping,
    ).toEqual(base.stepping);
    const { client } = started();
    client.stepOnce(100);
    client.reset();
    expect(client.getSnapshot().stepping).toBeNull();
  });
});
