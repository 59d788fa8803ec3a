/** A preset's claim judged on the page's race: only on the claim's seeds, at its step, on every seed. */
import { describe, expect, it } from 'vitest';
import type { MetricPoint, RunSpec } from '../worker/protocol.ts';
import { claimVerdict } from './claim-verdict.ts';
import type { RunHistory } from './history.ts';
import { belowOnEverySeed, type PresetClaim } from './preset-claim.ts';

const CLAIM: PresetClaim = { sentence: 'A below B', seeds: [1, 2, 3], steps: 20, check: belowOnEverySeed('A', 'B') };
const RUNS: RunSpec[] = ['A', 'B'].map((name, i) => ({
  id: `r${i + 1}`,
  name,
  colour: '#000000',
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 },
}));

const point = (step: number, trainLoss: number): MetricPoint => ({
  step,
  seconds: step,
  trainLoss,
  testLoss: trainLoss,
  auxLoss: null,
  msPerStep: 1,
});

/** Each seed's loss at step 20 (the curve also has steps 0 and 10). */
function history(finals: readonly number[], upTo = 20, diverged: (number | null)[] = [null, null, null]): RunHistory {
  const seeds = finals.map((f, k) => ({
    seed: k + 1,
    points: [0, 10, 20].filter((s) => s <= upTo).map((s) => point(s, s === 20 ? f : 5)),
    diverged: diverged[k]!,
  }));
  return { points: seeds[0]!.points, diverged: null, switches: [], seeds };
}

describe('claimVerdict', () => {
  it('holds when the check passes on every seed, and says which seed fails otherwise', () => {
    expect(claimVerdict(CLAIM, [1, 2, 3], RUNS, { r1: history([1, 1, 1]), r2: history([2, 2, 2]) })).toEqual({
      kind: 'holds',
    });
    const v = claimVerdict(CLAIM, [1, 2, 3], RUNS, { r1: history([1, 3, 1]), r2: history([2, 2, 2]) });
    expect(v).toMatchObject({ kind: 'fails', why: expect.stringContaining('on seed 2') as unknown });
  });

  it('waits for every seed to reach the step, and judges a seed that diverged before it as failing', () => {
    expect(claimVerdict(CLAIM, [1, 2, 3], RUNS, { r1: history([1, 1, 1], 10), r2: history([2, 2, 2]) })).toEqual({
      kind: 'pending',
    });
    const diverged = history([1, 1, 1], 10, [null, 10, null]);
    const v = claimVerdict(CLAIM, [1, 2, 3], RUNS, { r1: diverged, r2: history([2, 2, 2]) });
    expect(v.kind).toBe('pending'); // seeds 1 and 3 have not reached step 20 yet
    const stopped = {
      ...history([1, 1, 1], 20),
      seeds: history([1, 1, 1]).seeds!.map((c) =>
        c.seed === 2 ? { ...c, points: c.points.slice(0, 2), diverged: 10 } : c,
      ),
    };
    expect(claimVerdict(CLAIM, [1, 2, 3], RUNS, { r1: stopped, r2: history([2, 2, 2]) })).toMatchObject({
      kind: 'fails',
      why: expect.stringContaining('on seed 2') as unknown,
    });
  });

  it('says nothing about a race on other seeds, seed 1 alone included', () => {
    const one: RunHistory = { points: [point(20, 1)], diverged: null, switches: [] };
    expect(claimVerdict(CLAIM, [1], RUNS, { r1: one, r2: one }).kind).toBe('otherSeeds');
    expect(claimVerdict(CLAIM, [2, 3, 4], RUNS, { r1: history([1, 1, 1]), r2: history([2, 2, 2]) }).kind).toBe(
      'otherSeeds',
    );
  });
});
