/** A preset's claim judged at its step and at the full budget from each run's curves, and the table that says so. */
import { describe, expect, it } from 'vitest';
import type { Preset } from '../ui/presets.ts';
import { belowOnEverySeed } from '../ui/preset-claim.ts';
import type { MetricPoint } from '../worker/protocol.ts';
import { gcd, judgeClaim, lossAt, lossesAt, type PresetRaces, type SeedCurve } from './claim-race.ts';
import { claimReport, formatClaimReport } from './claim-report.ts';

const point = (step: number, trainLoss: number): MetricPoint => ({
  step,
  seconds: step,
  trainLoss,
  testLoss: trainLoss + 0.5,
  auxLoss: null,
  msPerStep: 1,
});

/** Losses at steps 0, 10 and 20 (stopping early where it diverged). */
const curve = (seed: number, at10: number, at20: number, diverged: number | null = null): SeedCurve => ({
  seed,
  curve: [point(0, 9), point(10, at10), point(20, at20)].filter((p) => diverged === null || p.step <= diverged),
  diverged,
});

const PRESET: Preset = {
  id: 'toy',
  title: 'Toy',
  blurb: '',
  claim: { sentence: 'A below B by step 10', seeds: [1, 2], steps: 10, check: belowOnEverySeed('A', 'B') },
  config: () => {
    throw new Error('not raced here');
  },
};

// A is below B at step 10 on every seed; at step 20 only on seeds 1 and 2 (seed 3's A ends above B).
const RACES: PresetRaces = {
  seeds: [1, 2, 3],
  runs: [
    { name: 'A', seeds: [curve(1, 1, 0.5), curve(2, 1, 0.5), curve(3, 1, 3)] },
    { name: 'B', seeds: [curve(1, 2, 1), curve(2, 2, 1), curve(3, 2, 1)] },
  ],
};

describe('losses on a curve', () => {
  it('reads the loss at a step, NaN where the run diverged at or before it or was not evaluated there', () => {
    expect(lossAt(curve(1, 1, 0.5), 10)).toBe(1);
    expect(lossAt(curve(1, 1, 0.5), 20, 'testLoss')).toBe(1);
    expect(lossAt(curve(1, 1, 0.5), 15)).toBeNaN();
    expect(lossAt(curve(1, 1, 0.5, 10), 10)).toBeNaN();
    expect(lossAt(curve(1, 1, 0.5, 15), 10)).toBe(1);
    expect(lossAt(curve(1, 1, 0.5, 15), 20)).toBeNaN();
  });

  it('gives every run its losses seed by seed and refuses a run the claim names but the race lacks', () => {
    const at20 = lossesAt(RACES, 20);
    expect(at20.get('A')).toEqual([0.5, 0.5, 3]);
    expect(judgeClaim(belowOnEverySeed('A', 'B'), at20, RACES.seeds)).toMatch(/^on seed 3, A ends at 3\.00/);
    expect(judgeClaim(belowOnEverySeed('A', 'B'), lossesAt(RACES, 10), RACES.seeds)).toBeNull();
    expect(() => judgeClaim(belowOnEverySeed('A', 'C'), at20, RACES.seeds)).toThrow(/'C'/);
  });

  it('evaluates at the largest interval that puts both steps on the curve', () => {
    expect(gcd(600, 1000)).toBe(200);
    expect(gcd(50, 500)).toBe(50);
    expect(gcd(4000, 4000)).toBe(4000);
    expect(() => gcd(1.5, 3)).toThrow(RangeError);
  });
});

describe('the claim report', () => {
  it('judges the claim on every seed at its step and at the budget, and on its own seeds as CI does', () => {
    const r = claimReport(PRESET, RACES, 20, 10, 12.3);
    expect(r.verdicts.map((v) => [v.step, v.why === null])).toEqual([
      [10, true],
      [20, false],
    ]);
    expect(r.ciVerdict).toEqual({ step: 10, seeds: [1, 2], why: null });
    expect(r.runs[0]).toEqual({ name: 'A', atClaim: [1, 1, 1], atFull: [0.5, 0.5, 3], testAtFull: [1, 1, 3.5] });
  });

  it('has no CI verdict when the claim’s seeds were not all raced, and one verdict when its step is the budget', () => {
    const two: PresetRaces = { seeds: [2, 3], runs: RACES.runs.map((r) => ({ ...r, seeds: r.seeds.slice(1) })) };
    expect(claimReport(PRESET, two, 20, 10, 1).ciVerdict).toBeNull();
    expect(claimReport(PRESET, RACES, 10, 10, 1).verdicts).toHaveLength(1);
  });

  it('prints a row per run with the losses per seed, dashes for a diverged seed, then the verdicts', () => {
    const races: PresetRaces = {
      ...RACES,
      runs: [RACES.runs[0]!, { name: 'B', seeds: [curve(1, 2, 1), curve(2, 2, 1), curve(3, 2, 1, 15)] }],
    };
    const text = formatClaimReport(claimReport(PRESET, races, 20, 10, 12.3));
    const rows = text.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toMatch(/^\| run +\| train @ 10 \(claim\) +\| train @ 20 \(budget\) +\| test @ 20 +\|$/);
    expect(rows[2]).toMatch(
      /^\| A +\| 1\.000 \/ 1\.000 \/ 1\.000 \| 0\.5000 \/ 0\.5000 \/ 3\.000 +\| 1\.000 \/ 1\.000 \/ 3\.500 +\|$/,
    );
    expect(rows[3]).toContain('| 1.000 / 1.000 / — ');
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    expect(text).toContain('- step 10, seeds 1, 2, 3: holds');
    expect(text).toMatch(/- step 20, seeds 1, 2, 3: fails \(on seed 3, A ends at 3\.00, not below B \(NaN\)\)/);
    expect(text).toContain('- as CI checks it (step 10, seeds 1, 2: holds)');
    expect(text).toContain('wall time 12 s');
  });
});
