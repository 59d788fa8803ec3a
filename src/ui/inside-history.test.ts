/**
 * The Inside-FishLeg history the store keeps on the latest frame: appended per run and layer, reset on a change
 * of either, cut back when a restored race retraces steps, and thinned past MAX_HISTORY.
 */
import { describe, expect, it } from 'vitest';
import type { InsideFrame } from '../worker/protocol.ts';
import { MAX_HISTORY, withHistory } from './inside-history.ts';

const spectrum = {
  lambda: new Float64Array(0),
  q: new Float64Array(0),
  share: new Float64Array(0),
  rest: { dims: 1, meanQ: 1, meanTarget: 1, share: 1 },
};
function frame(step: number, over: Partial<InsideFrame> = {}): InsideFrame {
  return {
    runId: 'r1',
    step,
    layer: { index: 0, kind: 'dense', m: 1, p: 1, size: 1, label: '1×(0+1)' },
    damping: 0.1,
    q: null,
    fInv: null,
    relError: 0.5,
    measures: {
      cosFishLeg: step / 1000,
      cosGradient: 0.5,
      lengthRatio: 1,
      auxLoss: -1,
      auxOptimum: -2,
      gradNorm: 1,
      spectrum,
      whole: null,
    },
    ...over,
  };
}

describe('withHistory', () => {
  it('appends each frame’s measures for the same run and layer', () => {
    let f = withHistory(null, frame(10));
    f = withHistory(f, frame(20));
    f = withHistory(f, frame(30, { measures: null }));
    expect(f.history!.map((p) => p.step)).toEqual([10, 20]);
    expect(f.history![1]).toEqual({
      step: 20,
      cosFishLeg: 0.02,
      cosGradient: 0.5,
      auxLoss: -1,
      auxOptimum: -2,
      relError: 0.5,
      wholeCosFishLeg: null,
      wholeCosGradient: null,
    });
  });

  it('starts over for another run or layer, and drops points a restored race retraces', () => {
    const f = withHistory(withHistory(null, frame(10)), frame(20));
    expect(withHistory(f, frame(30, { runId: 'r2' })).history!.map((p) => p.step)).toEqual([30]);
    expect(
      withHistory(
        f,
        frame(30, { layer: { index: 1, kind: 'dense', m: 1, p: 1, size: 1, label: '1×(0+1)' } }),
      ).history!.map((p) => p.step),
    ).toEqual([30]);
    expect(withHistory(f, frame(20)).history!.map((p) => p.step)).toEqual([10, 20]);
    expect(withHistory(f, frame(5)).history!.map((p) => p.step)).toEqual([5]);
  });

  it('thins the older half once past MAX_HISTORY, keeping the newest points', () => {
    let f: InsideFrame | null = null;
    for (let s = 1; s <= MAX_HISTORY + 1; s++) f = withHistory(f, frame(s));
    const steps = f!.history!.map((p) => p.step);
    expect(steps.length).toBeLessThan(MAX_HISTORY);
    expect(steps.at(-1)).toBe(MAX_HISTORY + 1);
    expect(steps.slice(0, 3)).toEqual([1, 3, 5]);
  });
});
