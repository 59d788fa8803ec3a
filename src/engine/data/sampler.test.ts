/**
 * Batch sampler: a pure function of (seed, step), matching the RNG's counter layout exactly, in range,
 * roughly uniform (chi-squared), independent between the training and auxiliary streams; eval chunks.
 */
import { describe, expect, it } from 'vitest';
import { Stream, threefry2x32 } from '../rng.ts';
import { auxBatchIndices, batchIndices, evalChunks, gatherRows, SamplerError } from './sampler.ts';

describe('batchIndices', () => {
  it('is floor(((w >>> 8) · n) / 2^24) of Threefry at (seed, stream) and counter step · batch + i', () => {
    const [seed, step, batch, n] = [42, 3, 5, 8004];
    const idx = batchIndices(seed, step, batch, n);
    const expected = Array.from({ length: batch }, (_, i) => {
      const w = threefry2x32(seed, Stream.batch, step * batch + i, 0)[0];
      return Math.floor(((w >>> 8) * n) / 2 ** 24);
    });
    expect(Array.from(idx)).toEqual(expected);
  });

  it('is deterministic in (seed, step) and differs across steps, seeds and streams', () => {
    const a = batchIndices(7, 10, 100, 8004);
    expect(Array.from(batchIndices(7, 10, 100, 8004))).toEqual(Array.from(a));
    const same = (b: Uint32Array) => b.filter((v, i) => v === a[i]).length;
    expect(same(batchIndices(7, 11, 100, 8004))).toBeLessThan(5);
    expect(same(batchIndices(8, 10, 100, 8004))).toBeLessThan(5);
    expect(same(auxBatchIndices(7, 10, 100, 8004))).toBeLessThan(5);
    // Step s of batch b starts where step s - 1 ended: draws are never reused across steps.
    const two = batchIndices(7, 0, 200, 8004);
    expect(Array.from(batchIndices(7, 1, 100, 8004))).toEqual(Array.from(two.subarray(100)));
  });

  it('stays in range and is roughly uniform (chi-squared over 50 bins)', () => {
    const n = 50;
    const counts = new Array<number>(n).fill(0);
    for (let step = 0; step < 200; step++) for (const i of batchIndices(1, step, 100, n)) counts[i]!++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20000);
    const e = 20000 / n;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // 49 degrees of freedom: P(chi2 > 85) ≈ 0.001.
    expect(chi2).toBeLessThan(85);
    for (const i of batchIndices(2, 5, 1000, 3)) expect(i).toBeLessThan(3);
    expect(Array.from(batchIndices(2, 5, 10, 1))).toEqual(new Array<number>(10).fill(0));
  });

  it('rejects impossible requests', () => {
    expect(() => batchIndices(1, 0, 10, 0)).toThrow('cannot sample from 0 rows: need an integer from 1 to 16777216');
    expect(() => batchIndices(1, -1, 10, 5)).toThrow('step must be a non-negative integer, got -1');
    expect(() => batchIndices(1, 0, 0, 5)).toThrow(SamplerError);
  });
});

describe('gatherRows and evalChunks', () => {
  it('copies the chosen rows', () => {
    const src = Float32Array.from([0, 1, 10, 11, 20, 21]);
    expect(Array.from(gatherRows(src, 2, [2, 0, 2]))).toEqual([20, 21, 0, 1, 20, 21]);
    expect(() => gatherRows(src, 2, [3])).toThrow('row index 3 is outside 0..2');
  });

  it('covers 0..n-1 in order with a short last chunk', () => {
    expect(evalChunks(10, 4)).toEqual([
      { start: 0, count: 4 },
      { start: 4, count: 4 },
      { start: 8, count: 2 },
    ]);
    expect(evalChunks(8, 4)).toHaveLength(2);
    expect(evalChunks(0, 4)).toEqual([]);
    expect(() => evalChunks(5, 0)).toThrow('chunk must be a positive integer, got 0');
  });
});
