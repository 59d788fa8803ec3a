/**
 * The race chart's pure parts: tick labels that fit the axis, the series inside a zoomed range, which
 * metrics may use a log axis, and the marks gathered from the runs' histories.
 */
import { describe, expect, it } from 'vitest';
import { buildSeries, chartMarks, fmt, logAllowed } from './loss-chart.tsx';
import { frozenQControl } from '../worker/frozen-control.ts';
import type { RunSpec } from '../worker/protocol.ts';
import type { RunState } from './training-client.ts';
import { DEFAULT_CHART, newRun } from './config.ts';

describe('fmt', () => {
  it('keeps three significant digits in the usual range and switches to exponents outside it', () => {
    expect(fmt(0.6931)).toBe('0.693');
    expect(fmt(543.21)).toBe('543');
    expect(fmt(0.001)).toBe('0.001');
    expect(fmt(1e-7)).toBe('1.0e-7');
    expect(fmt(0.00012)).toBe('1.2e-4');
    expect(fmt(250000)).toBe('2.5e+5');
    expect(fmt(0)).toBe('0');
    expect(fmt('x')).toBe('x');
  });
});

describe('buildSeries', () => {
  const run: RunSpec = newRun('fishleg', []);
  const point = (step: number, aux: number) =>
    ({ step, seconds: step / 10, trainLoss: 1 / (step + 1), testLoss: 2 / (step + 1), auxLoss: aux }) as const;
  const states = { [run.id]: { points: [point(0, 0.5), point(10, -1), point(20, -2)] } } as unknown as Record<
    string,
    RunState
  >;

  it('keeps every finite value (the chart falls back to a linear axis for values ≤ 0)', () => {
    const log = buildSeries([run], states, { ...DEFAULT_CHART, metric: 'aux', log: true }, false);
    expect(log[0]!.data.map((p) => p.y)).toEqual([0.5, -1, -2]);
  });

  it("draws a frozen-Q control faint in its run's colour, and the learned run as usual", () => {
    const control = { ...frozenQControl(run)!, id: 'r9' };
    const both = { ...states, r9: states[run.id]! };
    const series = buildSeries([run, control], both, DEFAULT_CHART, false);
    expect(series.map((s) => [s.key, s.ghost, s.colour])).toEqual([
      [`${run.id} train`, false, run.colour],
      [`${run.id} test`, false, run.colour],
      ['r9 train', true, run.colour],
      ['r9 test', true, run.colour],
    ]);
  });

  it('draws a run on several seeds as the median of its seeds with their range as a band behind the train curve', () => {
    const seeded = (k: number) => [0, 10].map((step) => ({ ...point(step, 0), trainLoss: k + step, testLoss: 2 * k }));
    const seeds = [1, 2, 3].map((seed, k) => ({ seed, points: seeded([5, 1, 3][k]!), diverged: null, stride: 1 }));
    const banded = { [run.id]: { ...states[run.id]!, seeds } } as unknown as Record<string, RunState>;
    const [train, test] = buildSeries([run], banded, DEFAULT_CHART, false);
    expect(train!.band).toBe(true);
    expect(train!.name).toMatch(/median of 3 seeds/);
    expect(train!.data).toEqual([
      { x: 0, y: 3, band: [1, 5] },
      { x: 10, y: 13, band: [11, 15] },
    ]);
    expect(test!.band).toBe(false);
    expect(test!.data).toEqual([
      { x: 0, y: 6 },
      { x: 10, y: 6 },
    ]);
    // One seed: no band.
    expect(buildSeries([run], states, DEFAULT_CHART, false).map((s) => s.band)).toEqual([false, false]);
  });

  it('keeps only the points inside a zoomed range', () => {
    const zoomed = buildSeries([run], states, { ...DEFAULT_CHART, metric: 'loss' }, false, [5, 20]);
    expect(zoomed.map((s) => s.data.map((p) => p.x))).toEqual([
      [10, 20],
      [10, 20],
    ]);
  });
});

describe('logAllowed', () => {
  it('keeps accuracy linear, but not MSE (the accuracy metric of regression)', () => {
    expect(logAllowed('accuracy', true)).toBe(false);
    expect(logAllowed('accuracy', false)).toBe(true);
    expect(logAllowed('loss', true)).toBe(true);
    expect(logAllowed('ms', true)).toBe(true);
  });
});

describe('chartMarks', () => {
  it('gathers branch points, switches and live changes in the run’s colour', () => {
    const run: RunSpec = newRun('fishleg', []);
    const st = {
      points: [],
      stride: 1,
      frame: null,
      diverged: null,
      switches: [{ step: 40, approx: 'kron-diag' as const }],
      changes: [{ step: 40, changes: [{ key: 'lr', from: '0.1', to: '0.01' }] }],
      origin: { from: 'r0', step: 20 },
    };
    const marks = chartMarks([run], { [run.id]: st });
    expect(marks.map((m) => [m.step, m.text, m.className, m.colour, m.icon])).toEqual([
      [20, run.name, 'branch-marker', run.colour, 'branch'],
      [40, '→ kron-diag', 'switch-marker', run.colour, undefined],
      [40, 'lr 0.1→0.01', 'change-marker', run.colour, undefined],
    ]);
    // The fork is drawn, not typed: no label carries a character a font may lack (U+2442 among them).
    for (const m of marks) expect(m.text).toMatch(/^[\x20-\x7e→]*$/);
  });
});
