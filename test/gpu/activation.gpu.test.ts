/**
 * actForward / actBackward on the GPU against the CPU reference, for every activation: with and without
 * the ones column, leading dimensions, offsets, exact in-place aliasing, and large |s| (no inf/inf NaN).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ACTIVATIONS, type Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const TOL = { atol: 2e-7, rtol: 2e-6 };

/** Pre-activations over a wide range, with exact zeros (relu'(0) = 0) and extremes. */
function preActivations(n: number, seed: number): Float32Array {
  const s = randoms(n, seed, -6, 6);
  s[0] = 0;
  if (n > 2) {
    s[1] = 100;
    s[2] = -100;
  }
  return s;
}

describe.each(ACTIVATIONS)('%s', (act) => {
  it.each([
    { rows: 1, cols: 1, ones: false },
    { rows: 7, cols: 65, ones: true },
    { rows: 33, cols: 257, ones: false },
  ])('forward rows=$rows cols=$cols ones=$ones (offsets 3 and 5)', async ({ rows, cols, ones }) => {
    const ldOut = ones ? cols + 1 : cols;
    const s = pair.twin(preActivations(3 + rows * cols, rows + cols), 's');
    const out = pair.twin(randoms(5 + rows * ldOut, 1), 'out');
    await pair.run((side: Side): Op[] => [
      {
        op: 'actForward',
        act,
        rows,
        cols,
        s: slice(s[side], 3, rows * cols),
        out: slice(out[side], 5, rows * ldOut),
        ldOut,
      },
    ]);
    await pair.expectClose(out, TOL, `${act} forward`);
  });

  it.each([
    { rows: 7, cols: 65, ldD: 65, ldOut: 66, extra: 0 },
    { rows: 65, cols: 7, ldD: 9, ldOut: 7, extra: 0 },
    { rows: 1, cols: 257, ldD: 258, ldOut: 260, extra: 0.5 },
  ])('backward rows=$rows cols=$cols ldD=$ldD ldOut=$ldOut extra=$extra', async (c) => {
    const { rows, cols, ldD, ldOut } = c;
    const s = pair.twin(preActivations(rows * cols + 2, cols), 's');
    const d = pair.twin(randoms(rows * ldD + 1, rows), 'd');
    const out = pair.twin(randoms(rows * ldOut + 4, 2), 'out');
    await pair.run((side: Side): Op[] => [
      {
        op: 'actBackward',
        act,
        rows,
        cols,
        d: slice(d[side], 1, rows * ldD),
        ldD,
        s: slice(s[side], 2, rows * cols),
        out: slice(out[side], 4, rows * ldOut),
        ldOut,
        extra: c.extra,
      },
    ]);
    await pair.expectClose(out, TOL, `${act} backward`);
  });

  it('in place: forward out = s, backward out = d (same storage and offset)', async () => {
    const rows = 9;
    const cols = 31;
    const s = pair.twin(preActivations(rows * cols + 1, 5), 's');
    const s0 = pair.twin(preActivations(rows * cols + 1, 5), 's copy');
    const d = pair.twin(randoms(rows * cols, 6), 'd');
    await pair.run((side: Side): Op[] => [
      // d ← d ∘ f'(s) first (reads s before it is overwritten), then s ← f(s).
      {
        op: 'actBackward',
        act,
        rows,
        cols,
        d: d[side],
        ldD: cols,
        s: slice(s0[side], 1, rows * cols),
        out: d[side],
        ldOut: cols,
        extra: 0,
      },
      {
        op: 'actForward',
        act,
        rows,
        cols,
        s: slice(s[side], 1, rows * cols),
        out: slice(s[side], 1, rows * cols),
        ldOut: cols,
      },
    ]);
    await pair.expectClose(s, TOL, `${act} in-place forward`);
    await pair.expectClose(d, TOL, `${act} in-place backward`);
  });
});
