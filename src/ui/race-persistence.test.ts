/** The runs a resumed training state gives back (race-persistence.ts): journals, forks and what an old record lost. */
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../engine/page.ts';
import type { MetricPoint, SavedRacer } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, type PlaygroundConfig } from './config.ts';
import { resumedRuns } from './race-persistence.ts';
import type { SavedCurves, StateRecord } from './saved-state.ts';

const sgd = (lr: number): OptimizerConfig => ({ kind: 'sgd', lr, momentum: 0, weightDecay: 0 });
const point = (step: number): MetricPoint => ({
  step,
  seconds: 0,
  trainLoss: 1,
  testLoss: 1,
  auxLoss: null,
  msPerStep: 1,
});
const curves = (first: number, extra: Partial<SavedCurves> = {}): SavedCurves => ({
  points: [point(first), point(first + 10)],
  stride: 1,
  diverged: null,
  switches: [],
  changes: [],
  ...extra,
});
const racer = (id: string): SavedRacer => {
  const spec = { id, name: id, colour: '#000000', optimizer: sgd(0.1) };
  return { spec, checkpoint: { spec, state: null, seconds: 0 }, diverged: null, initialLoss: null };
};

const CONFIG: PlaygroundConfig = {
  ...DEFAULT_CONFIG,
  runs: ['r1', 'r2', 'r3', 'r4'].map((id) => ({ id, name: id, colour: '#000000', optimizer: sgd(0.1) })),
};

function record(c: SavedCurves[]): StateRecord {
  // Saved before a reload renumbered the runs: the worker's changes name them by the ids of then.
  const runs = ['a', 'b', 'c', 'd'].map(racer);
  const changes = [{ runId: 'b', optimizer: sgd(0.2), announced: true, step: 15 }];
  return {
    version: 2,
    setup: '',
    savedAt: '',
    backend: 'cpu',
    state: { step: 10, runs, changes },
    curves: c,
    bytes: 0,
    checksum: 0,
  };
}

describe('resumed runs', () => {
  it('give back each journal and fork as saved', () => {
    const journal = { first: sgd(0.3), changes: [{ step: 15, optimizer: sgd(0.2) }] };
    const runs = resumedRuns(
      CONFIG,
      record([curves(0), curves(0, { journal }), curves(30, { journal, origin: { from: 'r2', step: 30 } }), curves(0)]),
    );
    expect(runs.r2).toMatchObject({ journal });
    expect(runs.r3).toMatchObject({ journal, origin: { from: 'r2', step: 30 } });
    expect(Object.values(runs).some((r) => r.journalLost)).toBe(false);
  });

  it('flag, in a record from before journals, only the runs whose earlier settings it cannot know', () => {
    const marks = [{ step: 5, changes: [{ key: 'lr', from: '0.3', to: '0.1' }] }];
    // r1 unchanged from step 0; r2 changed after the checkpoint; r3 began at 30; r4 has a change mark.
    const runs = resumedRuns(CONFIG, record([curves(0), curves(0), curves(30), curves(0, { changes: marks })]));
    expect(Object.entries(runs).map(([id, r]) => [id, r.journalLost ?? false])).toEqual([
      ['r1', false],
      ['r2', true],
      ['r3', true],
      ['r4', true],
    ]);
    // Once flagged, a record saved later keeps saying so.
    expect(
      resumedRuns(CONFIG, record([curves(0, { journal: { first: sgd(1), changes: [] }, journalLost: true })])).r1,
    ).toMatchObject({ journalLost: true });
  });
});
