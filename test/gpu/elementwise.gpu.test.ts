/**
 * axpby, hadamard and fill on the GPU against the CPU reference: optional y, Coef device-scalar refs of
 * every power evaluated in the kernel (no readback), refs stored beside the operands, exact aliasing of
 * out with x or y, offsets and awkward sizes.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Coef, Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const TOL = { atol: 1e-6, rtol: 2e-6 };

describe('axpby', () => {
  it.each([1, 7, 65, 257, 70000])('n=%i, plain coefficients, with and without y', async (n) => {
    const x = pair.twin(randoms(n + 3, n), 'x');
    const y = pair.twin(randoms(n, n + 1), 'y');
    const out1 = pair.twin(n, 'out1');
    const out2 = pair.twin(n + 2, 'out2');
    await pair.run((s: Side): Op[] => [
      { op: 'axpby', n, a: { c: 0.5 }, x: slice(x[s], 3, n), b: { c: -2 }, y: y[s], out: out1[s] },
      { op: 'axpby', n, a: { c: 3 }, x: slice(x[s], 3, n), out: slice(out2[s], 2, n) },
    ]);
    await pair.expectClose(out1, TOL, 'a·x + b·y');
    await pair.expectClose(out2, TOL, 'a·x');
  });

  it('Coef refs (powers 1, −1, ½, −½, in a separate storage and beside x) are evaluated on the GPU', async () => {
    const n = 65;
    // Scalars: one storage of their own, and two more at the end of x's storage.
    const scal = pair.twin([4, 0.25, 9], 'scalars');
    const x = pair.twin([...randoms(n, 1), 16, 2.5], 'x + scalars');
    const y = pair.twin(randoms(n, 2), 'y');
    const out = pair.twin(n, 'out');
    await pair.run((s: Side): Op[] => {
      const a: Coef = {
        c: 0.5,
        refs: [
          { t: slice(scal[s], 0, 1), power: 1 },
          { t: slice(scal[s], 1, 1), power: -1 },
          { t: slice(x[s], n, 1), power: -0.5 },
        ],
      };
      const b: Coef = {
        c: -1,
        refs: [
          { t: slice(scal[s], 2, 1), power: 0.5 },
          { t: slice(x[s], n + 1, 1), power: 1 },
        ],
      };
      return [{ op: 'axpby', n, a, x: slice(x[s], 0, n), b, y: y[s], out: out[s] }];
    });
    await pair.expectClose(out, TOL, 'coef refs');
  });

  it('out aliasing x, then y, exactly; refs read after they are updated in the same program', async () => {
    const n = 257;
    const x = pair.twin(randoms(n, 3), 'x');
    const y = pair.twin(randoms(n, 4), 'y');
    const norm = pair.twin([2], 'norm');
    await pair.run(
      (s: Side): Op[] => [
        { op: 'axpby', n, a: { c: 2 }, x: x[s], b: { c: 1 }, y: y[s], out: x[s] },
        { op: 'fill', n: 1, value: 0.25, out: norm[s] },
        { op: 'axpby', n, a: { c: 1, refs: [{ t: norm[s], power: -0.5 }] }, x: x[s], b: { c: -1 }, y: y[s], out: y[s] },
      ],
      2,
    );
    await pair.expectClose(x, TOL, 'x after in-place updates');
    await pair.expectClose(y, TOL, 'y after in-place updates');
  });
});

describe('hadamard and fill', () => {
  it.each([1, 7, 257])('hadamard n=%i with a ref coefficient, and in place', async (n) => {
    const x = pair.twin(randoms(n, n), 'x');
    const y = pair.twin(randoms(n + 1, n + 5), 'y');
    const out = pair.twin(n, 'out');
    const c = pair.twin([0.3], 'c');
    await pair.run((s: Side): Op[] => [
      { op: 'hadamard', n, a: { c: 2, refs: [{ t: c[s], power: 1 }] }, x: x[s], y: slice(y[s], 1, n), out: out[s] },
      { op: 'hadamard', n, a: { c: -1 }, x: x[s], y: x[s], out: x[s] },
    ]);
    await pair.expectClose(out, TOL, 'a·x∘y');
    await pair.expectClose(x, TOL, 'x∘x in place');
  });

  it('fill writes exactly its view', async () => {
    const t = pair.twin(randoms(300, 9), 't');
    await pair.run((s: Side): Op[] => [{ op: 'fill', n: 257, value: -3.5, out: slice(t[s], 20, 257) }]);
    await pair.expectClose(t, { atol: 0, rtol: 0 }, 'fill');
  });
});
