/**
 * im2col, col2im and pooling on the CPU backend, in float64 and float32, against the float64 host references
 * of reference.ts: a convolution as im2col + matmul equals the direct sum, col2im is im2col's adjoint, pooling
 * and its gradient match window by window. Views sit at offsets with leading dimensions past their rows, and
 * the elements in between hold sentinels that must survive; a bias column that must not be read holds NaN.
 */
import { describe, expect, it } from 'vitest';
import { OpValidationError } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { PoolIndexError } from '../../src/engine/cpu/pool.ts';
import { randomArray } from '../../src/engine/cpu/test-util.ts';
import { POOL_KINDS, type Op, type PoolKind } from '../../src/engine/ops.ts';
import { slice, type Tensor } from '../../src/engine/tensor.ts';
import { CONV_CASES, directConv, dot, outSize, pool, poolGrad, POOL_CASES, type Geometry } from './reference.ts';

const SENTINEL = 7.25;

/** batch rows of `per` values at leading dimension ld, the gaps filled with SENTINEL. */
export function strided(rows: ArrayLike<number>, batch: number, per: number, ld: number): number[] {
  const out = new Array<number>(batch * ld).fill(SENTINEL);
  for (let b = 0; b < batch; b++) for (let j = 0; j < per; j++) out[b * ld + j] = rows[b * per + j]!;
  return out;
}

/** The first `per` of every ld values, and whether all the others are still SENTINEL. */
export function unstrided(all: ArrayLike<number>, batch: number, per: number, ld: number) {
  const rows: number[] = [];
  let gapsIntact = true;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < ld; j++) {
      const v = all[b * ld + j]!;
      if (j < per) rows.push(v);
      else if (v !== SENTINEL) gapsIntact = false;
    }
  }
  return { rows, gapsIntact };
}

function expectNear(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(e <= worst)) [worst, at] = [e, i];
  }
  expect(worst, `${what}: worst at [${at}]: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}

/** A storage of `lead` sentinels followed by `data`; returns the view of `data`. */
function placed(be: CpuBackend, data: ArrayLike<number>, label: string, lead = 3): Tensor {
  const t = be.alloc(lead + data.length, label);
  be.write(t, [...new Array<number>(lead).fill(SENTINEL), ...Array.from(data)]);
  return slice(t, lead, data.length);
}

function run(be: CpuBackend, ops: Op[]): void {
  const p = be.record('test', ops);
  be.run(p);
  be.release(p);
}

const read = (be: CpuBackend, t: Tensor): number[] => Array.from(be.readSync(t));

const PRECISIONS = [
  { precision: 'f64', tol: 1e-12 },
  { precision: 'f32', tol: 2e-5 },
] as const;

describe.each(PRECISIONS)('CPU $precision', ({ precision, tol }) => {
  describe.each(CONV_CASES)('conv: $name', (g) => {
    const { oh, ow } = outSize(g);
    const hwc = g.h * g.w * g.c;
    const patch = g.c * g.kh * g.kw;
    const rows = g.batch * oh * ow;

    it('im2col with the ones column, then S = cols·W̄ᵀ, is the direct convolution', () => {
      const be = new CpuBackend({ precision });
      const xHost = randomArray(g.batch * hwc, 1);
      const wHost = randomArray(g.cOut * (patch + 1), 2);
      const ldX = hwc + 2;
      const ldCols = patch + 2;
      const x = placed(be, strided(xHost, g.batch, hwc, ldX), 'x');
      const cols = placed(be, new Array<number>(rows * ldCols).fill(SENTINEL), 'cols', 1);
      const weights = placed(be, wHost, 'weights');
      const s = be.alloc(rows * g.cOut, 's');
      run(be, [
        { op: 'im2col', ...g, x, ldX, cols, ldCols, ones: true },
        {
          op: 'matmul',
          layout: 'nt',
          m: rows,
          n: g.cOut,
          k: patch + 1,
          a: cols,
          lda: ldCols,
          b: weights,
          ldb: patch + 1,
          c: s,
          ldc: g.cOut,
          alpha: 1,
          beta: 0,
        },
      ]);
      expectNear(read(be, s), directConv(g, g.cOut, xHost, wHost), tol, 'conv');
      const c = unstrided(read(be, cols), rows, patch + 1, ldCols);
      expect(c.gapsIntact, 'cols past the ones column untouched').toBe(true);
      expect(c.rows.filter((_, i) => i % (patch + 1) === patch).every((v) => v === 1)).toBe(true);
      be.dispose();
    });

    it('col2im is the adjoint of im2col, overwrites dx and reads no column past the patch', () => {
      const be = new CpuBackend({ precision });
      const xHost = randomArray(g.batch * hwc, 3);
      const cHost = randomArray(rows * patch, 4);
      const x = placed(be, xHost, 'x');
      const colsOfX = be.alloc(rows * patch, 'im2col(x)');
      // The patches' gradient as dcols = E·W leaves it: a bias column (here NaN, never to be read).
      const ldCols = patch + 1;
      const cols = placed(
        be,
        strided(cHost, rows, patch, ldCols).map((v, i) => (i % ldCols === patch ? NaN : v)),
        'C',
      );
      const ldX = hwc + 1;
      const dx = placed(be, strided(randomArray(g.batch * hwc, 5), g.batch, hwc, ldX), 'dx');
      run(be, [
        { op: 'im2col', ...g, x, ldX: hwc, cols: colsOfX, ldCols: patch, ones: false },
        { op: 'col2im', ...g, cols, ldCols, dx, ldX },
      ]);
      const d = unstrided(read(be, dx), g.batch, hwc, ldX);
      expect(d.gapsIntact, 'dx between images untouched').toBe(true);
      const lhs = dot(read(be, colsOfX), cHost);
      const rhs = dot(xHost, d.rows);
      const scale = xHost.length + cHost.length;
      expect(Math.abs(lhs - rhs) / scale, `⟨im2col x, C⟩ = ${lhs}, ⟨x, col2im C⟩ = ${rhs}`).toBeLessThan(tol);
      be.dispose();
    });
  });

  describe.each(POOL_CASES)('pool: $name', (g) => {
    const { oh, ow } = outSize(g);
    const hwc = g.h * g.w * g.c;
    const outPer = oh * ow * g.c;

    function forward(be: CpuBackend, kind: PoolKind, xHost: number[]) {
      const ldX = hwc + 1;
      const ldY = outPer + 2;
      const x = placed(be, strided(xHost, g.batch, hwc, ldX), 'x');
      const y = placed(be, new Array<number>(g.batch * ldY).fill(SENTINEL), 'y');
      const argmax = kind === 'max' ? be.alloc(g.batch * outPer + 1, 'argmax', 'u32') : undefined;
      const arg = argmax && slice(argmax, 1, g.batch * outPer);
      const op: Op = { op: 'poolForward', kind, ...g, x, ldX, y, ldY, ones: true, ...(arg ? { argmax: arg } : {}) };
      return { op, y, ldY, arg };
    }

    it.each(POOL_KINDS)('%s forward, argmax and the ones column match the reference', (kind) => {
      const be = new CpuBackend({ precision });
      const xHost = randomArray(g.batch * hwc, 6);
      const { op, y, ldY, arg } = forward(be, kind, xHost);
      run(be, [op]);
      const ref = pool(kind, g, xHost);
      const out = unstrided(read(be, y), g.batch, outPer + 1, ldY);
      expect(out.gapsIntact).toBe(true);
      expectNear(
        out.rows.filter((_, i) => i % (outPer + 1) < outPer),
        ref.y,
        tol,
        'pooled',
      );
      expect(out.rows.filter((_, i) => i % (outPer + 1) === outPer)).toEqual(new Array(g.batch).fill(1));
      if (arg) expect(read(be, arg)).toEqual(ref.argmax);
      be.dispose();
    });

    it('avg tangent pools the tangent as it is, with 0 in the ones column', () => {
      const be = new CpuBackend({ precision });
      const tHost = randomArray(g.batch * hwc, 12);
      const ldY = outPer + 1;
      const ty = placed(be, new Array<number>(g.batch * ldY).fill(SENTINEL), 'ty');
      run(be, [
        {
          op: 'poolForward',
          kind: 'avg',
          ...g,
          x: placed(be, tHost, 'tx'),
          ldX: hwc,
          y: ty,
          ldY,
          ones: true,
          tangent: true,
        },
      ]);
      const { y } = pool('avg', g, tHost);
      const expected = y.flatMap((v, o) => (o % outPer === outPer - 1 ? [v, 0] : [v]));
      expectNear(read(be, ty), expected, tol, 'avg tangent');
      be.dispose();
    });

    it('max tangent (the R-op) reads the forward pass’s argmax: each output is the tangent at its maximum', () => {
      const be = new CpuBackend({ precision });
      const xHost = randomArray(g.batch * hwc, 10);
      const tHost = randomArray(g.batch * hwc, 11);
      const { op, arg } = forward(be, 'max', xHost);
      const ldY = outPer + 1;
      const ty = placed(be, new Array<number>(g.batch * ldY).fill(SENTINEL), 'ty');
      const tx = placed(be, tHost, 'tx');
      run(be, [
        op,
        { op: 'poolForward', kind: 'max', ...g, x: tx, ldX: hwc, y: ty, ldY, ones: true, argmax: arg!, tangent: true },
      ]);
      const { argmax } = pool('max', g, xHost);
      const expected = argmax.flatMap((at, o) => {
        const b = Math.floor(o / outPer);
        const v = tHost[(b * g.h * g.w + at) * g.c + (o % g.c)]!;
        return o % outPer === outPer - 1 ? [v, 0] : [v];
      });
      expectNear(read(be, ty), expected, tol, 'tangent');
      be.dispose();
    });

    it.each(POOL_KINDS)('%s backward is the reference gradient and reads no bias column', (kind) => {
      const be = new CpuBackend({ precision });
      const xHost = randomArray(g.batch * hwc, 7);
      const dyHost = randomArray(g.batch * outPer, 8);
      const { op, arg } = forward(be, kind, xHost);
      // dy as a dense layer's backward leaves it: one bias-input column past the maps (NaN, never read).
      const ldDy = outPer + 1;
      const dy = placed(
        be,
        strided(dyHost, g.batch, outPer, ldDy).map((v, i) => (i % ldDy === outPer ? NaN : v)),
        'dy',
      );
      const ldX = hwc + 1;
      const dx = placed(be, strided(randomArray(g.batch * hwc, 9), g.batch, hwc, ldX), 'dx');
      run(be, [op, { op: 'poolBackward', kind, ...g, dy, ldDy, dx, ldX, ...(arg ? { argmax: arg } : {}) }]);
      const d = unstrided(read(be, dx), g.batch, hwc, ldX);
      expect(d.gapsIntact).toBe(true);
      expectNear(d.rows, poolGrad(kind, g, xHost, dyHost), tol, 'dx');
      be.dispose();
    });
  });
});

describe('max pooling edge cases', () => {
  const g: Geometry = { batch: 1, h: 3, w: 3, c: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0 };

  it('a tie goes to the first maximum in window order, and so does the gradient', () => {
    const be = new CpuBackend({ precision: 'f64' });
    const x = be.alloc(9, 'x');
    be.write(x, [1, 5, 5, 5, 5, 0, 0, 0, 0]);
    const y = be.alloc(4, 'y');
    const argmax = be.alloc(4, 'argmax', 'u32');
    const dy = be.alloc(4, 'dy');
    be.write(dy, [1, 10, 100, 1000]);
    const dx = be.alloc(9, 'dx');
    run(be, [
      { op: 'poolForward', kind: 'max', ...g, x, ldX: 9, y, ldY: 4, ones: false, argmax },
      { op: 'poolBackward', kind: 'max', ...g, dy, ldDy: 4, argmax, dx, ldX: 9 },
    ]);
    expect(read(be, y)).toEqual([5, 5, 5, 5]);
    expect(read(be, argmax)).toEqual([1, 1, 3, 4]);
    expect(read(be, dx)).toEqual([0, 11, 0, 100, 1000, 0, 0, 0, 0]);
    be.dispose();
  });

  it('an argmax outside its window is refused at run time', () => {
    const be = new CpuBackend({ precision: 'f64' });
    const argmax = be.alloc(4, 'argmax', 'u32');
    be.write(argmax, [0, 1, 3, 0]);
    const p = be.record('bad', [
      { op: 'poolBackward', kind: 'max', ...g, dy: be.alloc(4, 'dy'), ldDy: 4, argmax, dx: be.alloc(9, 'dx'), ldX: 9 },
    ]);
    expect(() => be.run(p)).toThrow(PoolIndexError);
    expect(() => be.run(p)).toThrow(/argmax\[3\] = 0 is not a pixel of its 2×2 window at \(1, 1\)/);
    be.dispose();
  });
});

describe('validation: shapes that do not fit are refused with what is wrong', () => {
  const be = new CpuBackend();
  const big = be.alloc(10_000, 'big');
  const other = be.alloc(10_000, 'other');
  const idx = be.alloc(10_000, 'idx', 'u32');
  const g: Geometry = { batch: 2, h: 5, w: 4, c: 3, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0 };
  const im2col = (over: Partial<Geometry> & Record<string, unknown>): Op => ({
    op: 'im2col',
    ...g,
    x: big,
    ldX: 60,
    cols: other,
    ldCols: 28,
    ones: true,
    ...over,
  });
  const poolOp = (over: Partial<Geometry> & Record<string, unknown>): Op => ({
    op: 'poolForward',
    kind: 'max',
    ...g,
    x: big,
    ldX: 60,
    y: other,
    ldY: 60,
    ones: false,
    argmax: idx,
    ...over,
  });

  it.each<[string, Op, RegExp]>([
    ['a kernel larger than the image', im2col({ kh: 6 }), /im2col: a 6×3 window does not fit a 5×4 image$/],
    [
      'a kernel larger than the padded image',
      im2col({ kw: 7, padW: 1 }),
      /a 3×7 window does not fit a 5×4 image padded by 0×1 \(5×6\)/,
    ],
    ['a zero stride', im2col({ strideW: 0 }), /strideW must be a positive integer, got 0/],
    ['a negative padding', im2col({ padH: -1 }), /padH must be a non-negative integer, got -1/],
    ['a fractional channel count', im2col({ c: 1.5 }), /c must be a positive integer, got 1.5/],
    ['ldX shorter than an image', im2col({ ldX: 59 }), /ldX = 59 is less than the 60 columns of x/],
    ['ldCols without room for the ones column', im2col({ ldCols: 27 }), /ldCols = 27 is less than the 28 columns/],
    ['cols too small', im2col({ cols: slice(other, 0, 100) }), /operand cols .* is too small: 12×28 with ldCols 28/],
    ['cols overlapping x', im2col({ cols: slice(big, 50, 500) }), /output cols .* overlaps input x/],
    [
      'col2im with dx overlapping cols',
      { op: 'col2im', ...g, cols: big, ldCols: 27, dx: slice(big, 10, 200), ldX: 60 },
      /overlaps/,
    ],
    [
      'pool padding over half the window',
      poolOp({ kh: 2, kw: 2, padH: 1, padW: 2 }),
      /pooling padding 1×2 is more than half the 2×2 window/,
    ],
    ['max pooling without argmax', poolOp({ argmax: undefined }), /operand argmax is missing/],
    ['max pooling with a float argmax', poolOp({ argmax: other }), /argmax .* must be u32, not f32/],
    ['average pooling with an argmax', poolOp({ kind: 'avg' }), /argmax must be absent for kind 'avg'/],
    ['an unknown pooling kind', poolOp({ kind: 'min' }), /unknown pooling kind 'min'/],
    [
      'ldY without room for the ones column',
      poolOp({ ones: true, ldY: 18 }),
      /ldY = 18 is less than the 19 columns of y/,
    ],
    [
      'poolBackward with dy too small',
      { op: 'poolBackward', kind: 'avg', ...g, dy: slice(other, 0, 10), ldDy: 18, dx: big, ldX: 60 },
      /operand dy .* is too small/,
    ],
  ])('%s', (_, op, message) => {
    expect(() => be.record('bad', [op])).toThrow(OpValidationError);
    expect(() => be.record('bad', [op])).toThrow(message);
  });
});
