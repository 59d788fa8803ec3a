/**
 * actForward against hand values and actBackward against central finite differences of actForward
 * (float64 backend), for every activation, with the ones / extra column and padded leading dimensions.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation } from '../ops.ts';
import { CpuBackend } from './backend.ts';
import { maxRelErr, randomArray, runOps, tensorOf, values } from './test-util.ts';

const be = () => new CpuBackend({ precision: 'f64' });

/** f(s) through the backend's actForward op, ldOut = cols. */
function forward(act: Activation, s: number[]): number[] {
  const b = be();
  const st = tensorOf(b, s, 's');
  const out = b.alloc(s.length, 'out');
  runOps(b, [{ op: 'actForward', act, rows: 1, cols: s.length, s: st, out, ldOut: s.length }]);
  return values(b, out);
}

describe('actForward', () => {
  it('matches hand-computed values', () => {
    const s = [-2, -0.5, 0, 0.5, 3];
    expect(forward('identity', s)).toEqual(s);
    expect(forward('relu', s)).toEqual([0, 0, 0, 0.5, 3]);
    // tanh(0.5) = (e − 1)/(e + 1) with e = exp(1); tanh(3) = 0.99505475368673...
    const t = forward('tanh', s);
    expect(t[3]).toBeCloseTo((Math.E - 1) / (Math.E + 1), 14);
    expect(t[4]).toBeCloseTo(0.9950547536867305, 14);
    // sigmoid(−2) = 1/(1 + e²) = 0.11920292202211755; sigmoid(0) = ½.
    const g = forward('sigmoid', s);
    expect(g[0]).toBeCloseTo(0.11920292202211755, 15);
    expect(g[2]).toBe(0.5);
  });

  it('sigmoid and tanh stay finite and saturate for huge inputs', () => {
    expect(forward('sigmoid', [-1000, 1000])).toEqual([0, 1]);
    expect(forward('tanh', [-1000, 1000])).toEqual([-1, 1]);
  });

  it('writes the ones column when ldOut = cols + 1 and leaves other memory alone', () => {
    const b = be();
    const s = tensorOf(b, [1, -2, 3, -4, 5, -6], 's');
    const out = tensorOf(b, Array<number>(2 * 4 + 1).fill(7), 'out');
    runOps(b, [{ op: 'actForward', act: 'relu', rows: 2, cols: 3, s, out, ldOut: 4 }]);
    expect(values(b, out)).toEqual([1, 0, 3, 1, 0, 5, 0, 1, 7]);
  });
});

describe.each(ACTIVATIONS)('actBackward (%s)', (act) => {
  it("equals d·f'(s) with f' from central differences of actForward", () => {
    const rows = 3;
    const cols = 5;
    // Keep |s| ≥ 0.05 so that no difference straddles relu's kink at 0.
    const s = randomArray(rows * cols, 11, -3, 3).map((x) => (Math.abs(x) < 0.05 ? 0.5 : x));
    const d = randomArray(rows * 7, 12);
    const h = 1e-6;
    const fp = forward(
      act,
      s.map((x) => x + h),
    );
    const fm = forward(
      act,
      s.map((x) => x - h),
    );
    const b = be();
    const out = tensorOf(b, Array<number>(rows * 6).fill(9), 'out');
    // d has leading dim 7 (padded), out has 6 > cols: out[i, 5] = extra.
    runOps(b, [
      {
        op: 'actBackward',
        act,
        rows,
        cols,
        d: tensorOf(b, d, 'd'),
        ldD: 7,
        s: tensorOf(b, s, 's'),
        out,
        ldOut: 6,
        extra: -3,
      },
    ]);
    const got = values(b, out);
    const want: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) want.push((d[i * 7 + j]! * (fp[i * cols + j]! - fm[i * cols + j]!)) / (2 * h));
      want.push(-3);
    }
    const { err, at } = maxRelErr(got, want);
    expect(err, `worst at ${at}`).toBeLessThan(1e-8);
  });
});

describe('activation derivatives at special points', () => {
  it("relu'(0) = 0, identity' = 1, tanh'(0) = 1, sigmoid'(0) = ¼", () => {
    const b = be();
    const out = b.alloc(4, 'out');
    const run = (act: Activation) => {
      runOps(b, [
        {
          op: 'actBackward',
          act,
          rows: 1,
          cols: 4,
          d: tensorOf(b, [1, 1, 1, 2], 'd'),
          ldD: 4,
          s: tensorOf(b, [0, 0, 0, 0], 's'),
          out,
          ldOut: 4,
          extra: 0,
        },
      ]);
      return values(b, out);
    };
    expect(run('relu')).toEqual([0, 0, 0, 0]);
    expect(run('identity')).toEqual([1, 1, 1, 2]);
    expect(run('tanh')).toEqual([1, 1, 1, 2]);
    expect(run('sigmoid')).toEqual([0.25, 0.25, 0.25, 0.5]);
  });
});
