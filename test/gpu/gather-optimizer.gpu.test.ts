/**
 * gather (minibatch rows by index, with the ones column) and the fused sgd / adam updates on the GPU
 * against the CPU reference; optimizer state lives in one storage (slices), as a workspace lays it out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_HYPER, SGD_HYPER } from '../../src/engine/hyper.ts';
import type { Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

describe('gather', () => {
  it.each([
    { rows: 1, cols: 1, ones: false, extraLd: 0 },
    { rows: 7, cols: 65, ones: true, extraLd: 0 },
    { rows: 65, cols: 7, ones: true, extraLd: 3 },
    { rows: 100, cols: 257, ones: false, extraLd: 1 },
  ])('rows=$rows cols=$cols ones=$ones ldDst=cols+ones+$extraLd', async ({ rows, cols, ones, extraLd }) => {
    const srcRows = 50;
    const ldDst = cols + (ones ? 1 : 0) + extraLd;
    const src = pair.twin(randoms(2 + srcRows * cols, cols), 'src');
    const idx = pair.twin(
      Array.from(randoms(rows, rows, 0, srcRows), (v) => Math.floor(v)),
      'idx',
      'u32',
    );
    const dst = pair.twin(randoms(rows * ldDst + 1, 3), 'dst');
    await pair.run((s: Side): Op[] => [
      {
        op: 'gather',
        rows,
        cols,
        src: slice(src[s], 2, srcRows * cols),
        idx: idx[s],
        dst: slice(dst[s], 1, rows * ldDst),
        ldDst,
        ones,
      },
    ]);
    await pair.expectClose(dst, { atol: 0, rtol: 0 }, 'gather');
  });

  it('an index past the last row gives a NaN row on the GPU (the CPU throws)', async () => {
    const src = pair.gpu.alloc(6, 'src');
    pair.gpu.write(src, [1, 2, 3, 4, 5, 6]);
    const idx = pair.gpu.alloc(2, 'idx', 'u32');
    pair.gpu.write(idx, [2, 3]);
    const dst = pair.gpu.alloc(6, 'dst');
    const p = pair.gpu.record('bad gather', [{ op: 'gather', rows: 2, cols: 2, src, idx, dst, ldDst: 3, ones: true }]);
    pair.gpu.run(p);
    const out = Array.from(await pair.gpu.read(dst));
    expect(out.slice(0, 3)).toEqual([5, 6, 1]);
    expect(out.slice(3, 5).every(Number.isNaN)).toBe(true);
    expect(out[5]).toBe(1);
    pair.gpu.release(p);
    for (const t of [src, idx, dst]) pair.gpu.free(t);
  });
});

describe('optimizers', () => {
  const TOL = { atol: 1e-6, rtol: 1e-5 };

  it.each([1, 7, 257, 1000])('sgd with momentum and weight decay, n=%i, 3 steps', async (n) => {
    // param | grad | mom in one storage.
    const state = pair.twin([...randoms(2 * n, n), ...new Float32Array(n)], 'sgd state');
    const hyper = pair.twin([0.1, 0.9, 0.01], 'hyper');
    await pair.run((s: Side): Op[] => {
      expect(SGD_HYPER).toBe(3);
      return [
        {
          op: 'sgd',
          n,
          param: slice(state[s], 0, n),
          grad: slice(state[s], n, n),
          mom: slice(state[s], 2 * n, n),
          hyper: hyper[s],
        },
      ];
    }, 3);
    await pair.expectClose(state, TOL, 'sgd');
  });

  it.each([
    { n: 257, decoupled: 0 },
    { n: 65, decoupled: 1 },
  ])('adam n=$n decoupled=$decoupled, steps with host-updated bias corrections', async ({ n, decoupled }) => {
    const state = pair.twin([...randoms(2 * n, n), ...new Float32Array(2 * n)], 'adam state');
    const hyper = pair.twin(ADAM_HYPER, 'hyper');
    for (let t = 1; t <= 3; t++) {
      pair.write(hyper, [1e-2, 0.9, 0.999, 1e-8, 0.1, decoupled, 1 - 0.9 ** t, 1 - 0.999 ** t]);
      await pair.run((s: Side): Op[] => [
        {
          op: 'adam',
          n,
          param: slice(state[s], 0, n),
          grad: slice(state[s], n, n),
          m: slice(state[s], 2 * n, n),
          v: slice(state[s], 3 * n, n),
          hyper: hyper[s],
        },
      ]);
    }
    await pair.expectClose(state, TOL, 'adam');
  });
});
