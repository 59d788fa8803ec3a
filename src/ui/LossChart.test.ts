/**
 * The race chart's pure parts: tick labels that fit the axis, and which values a log axis can draw.
 */
import { describe, expect, it } from 'vitest';
import { buildSeries, fmt } from './LossChart.tsx';
import type { RunSpec } from '../worker/protocol.ts';
import type { RunState } from './trainingClient.ts';
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

  it('drops values a log axis cannot show, keeps them on a linear one', () => {
    const log = buildSeries([run], states, { ...DEFAULT_CHART, metric: 'aux', log: true }, false);
    const linear = buildSeries([run], states, { ...DEFAULT_CHART, metric: 'aux', log: false }, false);
    expect(log[0]!.data.map((p) => p.y)).toEqual([0.5]);
    expect(linear[0]!.data.map((p) => p.y)).toEqual([0.5, -1, -2]);
  });
});
