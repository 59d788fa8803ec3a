/**
 * The pure event reducer: each worker event's effect on the playground state, with no worker, timer or
 * storage (divergence, switch and change marks, stale races, restored curves, device loss).
 */
import { describe, expect, it } from 'vitest';
import type { MetricPoint, WorkerEvent } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, optimizerFor, runsFor } from './config.ts';
import { emptyRun, initialState, reduce, savesCurves, type PlaygroundState } from './race-reducer.ts';

const point = (step: number): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss: 1 / (1 + step),
  testLoss: 1 / (1 + step) + 0.1,
  auxLoss: null,
  msPerStep: 1,
});

/** A state with one race (raceId 1) of the given run ids, playing. */
function racing(ids: readonly string[] = ['r1', 'r2']): PlaygroundState {
  const s = initialState(DEFAULT_CONFIG);
  return { ...s, raceId: 1, running: true, runs: Object.fromEntries(ids.map((id) => [id, emptyRun()])) };
}

const fold = (s: PlaygroundState, events: readonly WorkerEvent[]) => events.reduce(reduce, s);

describe('reduce', () => {
  it('appends metrics per run and advances the step; drops events of an older race unchanged', () => {
    const s = fold(racing(), [
      {
        type: 'metrics',
        raceId: 1,
        points: [
          { runId: 'r1', point: point(0) },
          { runId: 'r2', point: point(0) },
        ],
      },
      { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(10) }] },
    ]);
    expect(s.runs.r1!.points.map((p) => p.step)).toEqual([0, 10]);
    expect(s.runs.r2!.points.map((p) => p.step)).toEqual([0]);
    expect(s.step).toBe(10);
    const stale = reduce(s, { type: 'metrics', raceId: 0, points: [{ runId: 'r1', point: point(99) }] });
    expect(stale).toBe(s);
  });

  it('records divergence and switches; stops playing once every run diverged, not before', () => {
    let s = fold(racing(), [
      { type: 'switched', raceId: 1, runId: 'r1', step: 30, approx: 'kron-diag' },
      { type: 'diverged', raceId: 1, runId: 'r1', step: 40 },
    ]);
    expect(s.runs.r1!.switches).toEqual([{ step: 30, approx: 'kron-diag' }]);
    expect(s.runs.r1!.diverged).toBe(40);
    expect(s.running).toBe(true);
    s = reduce(s, { type: 'diverged', raceId: 1, runId: 'r2', step: 50 });
    expect(s.running).toBe(false);
  });

  it('merges live changes per step and leaves an approximation-only change to the switch mark', () => {
    const fl = optimizerFor('fishleg');
    if (fl.kind !== 'fishleg') throw new Error('optimizerFor gave another kind');
    const from = { ...fl, lr: 0.02, weightDecay: 0 };
    const to = { ...from, lr: 0.01 };
    const s = fold({ ...racing(['r1']), config: { ...DEFAULT_CONFIG, runs: runsFor([fl]) } }, [
      { type: 'changed', raceId: 1, runId: 'r1', step: 40, from, to },
      { type: 'changed', raceId: 1, runId: 'r1', step: 40, from: to, to: { ...to, weightDecay: 0.25 } },
      { type: 'changed', raceId: 1, runId: 'r1', step: 60, from: to, to: { ...to, approx: 'sum-kron' } },
    ]);
    expect(s.runs.r1!.changes).toEqual([
      {
        step: 40,
        changes: [
          { key: 'lr', from: '0.02', to: '0.01' },
          { key: 'wd', from: '0', to: '0.25' },
        ],
      },
    ]);
    // The journal the export replays: the first settings and every change's whole settings, one per step.
    expect(s.runs.r1!.journal).toEqual({
      first: from,
      changes: [
        { step: 40, optimizer: { ...to, weightDecay: 0.25 } },
        { step: 60, optimizer: { ...to, approx: 'sum-kron' } },
      ],
    });
  });

  it("puts a branch's fork at the step the worker made it", () => {
    const s = { ...racing(['r1', 'r2']), step: 30 };
    const before = { ...s, runs: { ...s.runs, r2: { ...emptyRun(), origin: { from: 'r1', step: 30 } } } };
    const after = reduce(before, { type: 'branched', raceId: 1, runId: 'r2', from: 'r1', step: 37 });
    expect(after.runs.r2!.origin).toEqual({ from: 'r1', step: 37 });
  });

  it('keeps restored curves as they are until the user trains again', () => {
    const s = { ...racing(['r1']), restored: '2026-01-01T00:00:00Z' };
    expect(reduce(s, { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(5) }] })).toBe(s);
    expect(reduce(s, { type: 'progress', raceId: 1, step: 5, stepsPerSecond: 3, running: true })).toBe(s);
  });

  it('cuts the curves back to the checkpoint after a device loss and replaces the "recreating" notice', () => {
    let s = fold(racing(['r1']), [
      { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(0) }] },
      { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(20) }] },
      { type: 'deviceLost', raceId: 1, message: 'gone' },
    ]);
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toContain('recreating');
    s = reduce(s, { type: 'deviceLost', raceId: 1, message: 'gone', restoredStep: 10 });
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toContain('step 10');
    expect(s.runs.r1!.points.map((p) => p.step)).toEqual([0]);
    expect(s.step).toBe(10);
  });

  it('does not change the state it was given', () => {
    const s = racing(['r1']);
    const copy = JSON.stringify(s);
    reduce(s, { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(3) }] });
    reduce(s, { type: 'diverged', raceId: 1, runId: 'r1', step: 3 });
    expect(JSON.stringify(s)).toBe(copy);
  });

  it('names the events whose effect the saved curves must follow', () => {
    expect(savesCurves({ type: 'diverged', raceId: 1, runId: 'r1', step: 1 })).toBe(true);
    expect(savesCurves({ type: 'compiling', raceId: 1, done: 1, total: 2 })).toBe(false);
  });
});
