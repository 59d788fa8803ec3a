/**
 * im2col, col2im, max and average pooling and their backward passes on WebGPU against the CPU reference
 * (f32), over the geometries of test/conv/reference.ts: odd sizes, strides > 1, padding, one channel and many,
 * batch 1 and more. Operands sit at offsets inside shared storages (the slot assignment of one bound buffer),
 * with leading dimensions past their rows; argmax indices must agree exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_KINDS, type Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { CONV_CASES, outSize, POOL_CASES, type Geometry } from '../conv/reference.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const TOL = { atol: 1e-6, rtol: 1e-5 };

describe.each(CONV_CASES)('conv: $name', (g) => {
  const { oh, ow } = outSize(g);
  const hwc = g.h * g.w * g.c;
  const patch = g.c * g.kh * g.kw;
  const rows = g.batch * oh * ow;

  it('im2col with the ones column; x and cols in one storage', async () => {
    const ldX = hwc + 1;
    const ldCols = patch + 2;
    const xSize = g.batch * ldX;
    const both = pair.twin(randoms(2 + xSize + rows * ldCols, 11), 'x|cols');
    await pair.run((s: Side): Op[] => [
      {
        op: 'im2col',
        ...g,
        x: slice(both[s], 2, xSize),
        ldX,
        cols: slice(both[s], 2 + xSize, rows * ldCols),
        ldCols,
        ones: true,
      },
    ]);
    await pair.expectClose(both, { atol: 0, rtol: 0 }, 'im2col');
  });

  it('col2im into dx with a leading dimension past the image', async () => {
    const ldCols = patch + 1;
    const cols = pair.twin(randoms(rows * ldCols, 12), 'cols');
    const ldX = hwc + 3;
    const dx = pair.twin(randoms(1 + g.batch * ldX, 13), 'dx');
    await pair.run((s: Side): Op[] => [
      { op: 'col2im', ...g, cols: cols[s], ldCols, dx: slice(dx[s], 1, g.batch * ldX), ldX },
    ]);
    await pair.expectClose(dx, TOL, 'col2im');
  });
});

describe.each(POOL_CASES)('pool: $name', (g) => {
  const { oh, ow } = outSize(g);
  const hwc = g.h * g.w * g.c;
  const outPer = oh * ow * g.c;

  it.each(POOL_KINDS)('%s forward and backward, with the ones column and a strided dy', async (kind) => {
    const ldX = hwc + 1;
    const ldY = outPer + 1;
    const x = pair.twin(randoms(g.batch * ldX, 14), 'x');
    // y, dy and dx share one storage, as in a workspace.
    const ySize = g.batch * ldY;
    const dxSize = g.batch * ldX;
    const state = pair.twin(randoms(2 * ySize + dxSize, 15), 'y|dy|dx');
    const argmax = pair.twin(g.batch * outPer, 'argmax', 'u32');
    await pair.run((s: Side): Op[] => {
      const arg = kind === 'max' ? { argmax: argmax[s] } : {};
      const dy = slice(state[s], ySize, ySize);
      return [
        { op: 'poolForward', kind, ...g, x: x[s], ldX, y: slice(state[s], 0, ySize), ldY, ones: true, ...arg },
        { op: 'poolBackward', kind, ...g, dy, ldDy: ldY, dx: slice(state[s], 2 * ySize, dxSize), ldX, ...arg },
      ];
    });
    await pair.expectClose(state, TOL, `${kind} pool`);
    if (kind === 'max') await pair.expectClose(argmax, { atol: 0, rtol: 0 }, 'argmax');
  });

  it('avg tangent: the tangent pooled, 0 in the ones column', async () => {
    const tx = pair.twin(randoms(g.batch * hwc, 19), 'tx');
    const ldY = outPer + 1;
    const ty = pair.twin(randoms(g.batch * ldY, 20), 'ty');
    await pair.run((s: Side): Op[] => [
      { op: 'poolForward', kind: 'avg', ...g, x: tx[s], ldX: hwc, y: ty[s], ldY, ones: true, tangent: true },
    ]);
    await pair.expectClose(ty, TOL, 'avg tangent');
    expect(Array.from(await pair.gpu.read(ty.gpu)).filter((_, i) => i % ldY === outPer)).toEqual(
      new Array(g.batch).fill(0),
    );
  });

  it('max tangent reads the argmax of the forward pass', async () => {
    const x = pair.twin(randoms(g.batch * hwc, 16), 'x');
    const tx = pair.twin(randoms(g.batch * hwc, 17), 'tx');
    const ldY = outPer + 1;
    const ys = pair.twin(randoms(2 * g.batch * ldY, 18), 'y|ty');
    const argmax = pair.twin(g.batch * outPer, 'argmax', 'u32');
    await pair.run((s: Side): Op[] => {
      const common = { kind: 'max', ...g, ldX: hwc, ldY, ones: true, argmax: argmax[s] } as const;
      return [
        { op: 'poolForward', ...common, x: x[s], y: slice(ys[s], 0, g.batch * ldY) },
        { op: 'poolForward', ...common, x: tx[s], y: slice(ys[s], g.batch * ldY, g.batch * ldY), tangent: true },
      ];
    });
    await pair.expectClose(ys, { atol: 0, rtol: 0 }, 'max and its tangent');
  });
});

it('max pooling: a tie goes to the first maximum in window order on the GPU too', async () => {
  const g: Geometry = { batch: 1, h: 3, w: 3, c: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0 };
  const x = pair.twin([1, 5, 5, 5, 5, 0, 0, 0, 0], 'x');
  const y = pair.twin(4, 'y');
  const argmax = pair.twin(4, 'argmax', 'u32');
  await pair.run((s: Side): Op[] => [
    { op: 'poolForward', kind: 'max', ...g, x: x[s], ldX: 9, y: y[s], ldY: 4, ones: false, argmax: argmax[s] },
  ]);
  expect(Array.from(await pair.gpu.read(argmax.gpu))).toEqual([1, 1, 3, 4]);
  expect(Array.from(await pair.gpu.read(y.gpu))).toEqual([5, 5, 5, 5]);
});
