/**
 * The log axis's ticks: one decimal format for every magnitude and metric, at least two ticks inside the
 * domain, never crowded, and labels that read back as the tick's value.
 */
import { describe, expect, it } from 'vitest';
import { formatLogTick, linearTicks, logTicks } from './ticks.ts';

describe('formatLogTick', () => {
  it('writes every tick as a plain decimal, whatever its magnitude', () => {
    expect([1e-6, 0.002, 0.01, 0.3, 1, 5, 20, 3000, 1e6].map(formatLogTick)).toEqual([
      '0.000001',
      '0.002',
      '0.01',
      '0.3',
      '1',
      '5',
      '20',
      '3000',
      '1000000',
    ]);
    // Float noise in a tick value does not reach the label; at most two significant digits.
    expect(formatLogTick(0.1 + 0.2)).toBe('0.3');
    expect(formatLogTick(9.9999999)).toBe('10');
    expect(formatLogTick(0.65)).toBe('0.65');
    expect(formatLogTick(0.000015)).toBe('0.000015');
  });
});

describe('logTicks', () => {
  it('puts two to eight ticks inside the domain for any positive range, each labelled as itself', () => {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 600; i++) {
      const min = 10 ** (-7 + 12 * next());
      const max = min * 10 ** (next() < 0.3 ? 0.05 * next() : 8 * next());
      const { domain, ticks } = logTicks(min, max);
      expect(domain[0]).toBeLessThanOrEqual(min);
      expect(domain[1]).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(8);
      for (const [k, t] of ticks.entries()) {
        expect(t).toBeGreaterThanOrEqual(domain[0] * (1 - 1e-9));
        expect(t).toBeLessThanOrEqual(domain[1] * (1 + 1e-9));
        if (k > 0) expect(t).toBeGreaterThan(ticks[k - 1]!);
        const label = formatLogTick(t);
        expect(label).toMatch(/^\d+(\.\d+)?$/);
        expect(Number(label)).toBe(t);
      }
    }
  });

  it('prefers decades, then 1-2-5, then every digit, as the range narrows', () => {
    expect(logTicks(0.005, 2.1).ticks).toEqual([0.01, 0.1, 1]);
    expect(logTicks(0.15, 0.9).ticks).toEqual([0.2, 0.5]);
    expect(logTicks(0.31, 0.58).ticks).toEqual([0.4, 0.5]);
    // A narrow range (a zoomed loss) gets halves, then tenths of a digit, before the domain widens.
    expect(logTicks(0.67, 0.71).ticks).toEqual([0.66, 0.67, 0.68, 0.69, 0.7, 0.71, 0.72]);
    expect(logTicks(0.64, 0.75).ticks).toEqual([0.65, 0.7, 0.75]);
    expect(logTicks(0.6515, 0.652).ticks).toEqual([0.64, 0.65, 0.66]);
    // Flat at 0.105 (a hundredth apart is 10 % there): the domain widens to the ticks either side.
    expect(logTicks(0.105, 0.105)).toEqual({ domain: [0.1, 0.11], ticks: [0.1, 0.11] });
    // Ten decades: every other decade.
    expect(logTicks(1e-6, 1e4).ticks).toEqual([1e-6, 1e-4, 0.01, 1, 100, 1e4]);
  });
});

describe('linearTicks', () => {
  it('gives round ticks inside a zoomed range that does not start on a round number', () => {
    expect(linearTicks(14, 217)).toEqual([50, 100, 150, 200]);
    expect(linearTicks(3, 41)).toEqual([10, 20, 30, 40]);
    expect(linearTicks(0.13, 0.61)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(linearTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
