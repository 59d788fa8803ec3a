/**
 * Dispatch plans as data (no GPU): 1-D grids wrap past 65,535 workgroups, Coef refs become copy_ref
 * dispatches and 4-bit codes, reduce sizes its partial sums, matmul refuses grids over the limit, pooling
 * picks its entry point and binds the argmax, and every plan's Params match its shader's struct exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../ops.ts';
import type { Tensor } from '../../tensor.ts';
import { paramsLayout } from '../program.ts';
import { packStruct } from '../uniforms.ts';
import { TooManyCoefRefsError } from './elementwise.ts';
import { planOp } from './index.ts';
import { MatmulGridError } from './matmul.ts';
import { grid1d, MAX_GROUPS_PER_DIM } from './types.ts';

/** Two 5×5 images of 2 channels, a 3×3 window moved by 2: 3×3 outputs. */
const win = { batch: 2, h: 5, w: 5, c: 2, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 } as const;

let nextId = 1;
function tensor(size: number, dtype: 'f32' | 'u32' = 'f32', offset = 0): Tensor {
  return { storage: { id: nextId++, size: size + offset, dtype, label: `t${nextId}` }, offset, size };
}

describe('grid1d', () => {
  it('covers every invocation, wrapping into y past the per-dimension limit', () => {
    expect(grid1d(1)).toEqual([1, 1, 1]);
    expect(grid1d(256 * MAX_GROUPS_PER_DIM)).toEqual([MAX_GROUPS_PER_DIM, 1, 1]);
    const [x, y] = grid1d(256 * MAX_GROUPS_PER_DIM + 1);
    expect(y).toBe(2);
    expect(x).toBeLessThanOrEqual(MAX_GROUPS_PER_DIM);
    expect(x * y * 256).toBeGreaterThanOrEqual(256 * MAX_GROUPS_PER_DIM + 1);
  });
});

describe('Coef refs', () => {
  it('become one copy_ref per ref and 4-bit codes (power | coefficient << 2)', () => {
    const s = tensor(4);
    const ref = (i: number): Tensor => ({ ...s, offset: i, size: 1 });
    const plan = planOp({
      op: 'axpby',
      n: 10,
      a: { c: 2, refs: [{ t: ref(0), power: -0.5 }] },
      x: tensor(10),
      b: {
        c: 3,
        refs: [
          { t: ref(1), power: 1 },
          { t: ref(2), power: 0.5 },
        ],
      },
      y: tensor(10),
      out: tensor(10),
    });
    expect(plan.scratch).toBe(3);
    expect(plan.dispatches.map((d) => d.entry)).toEqual(['copy_ref', 'copy_ref', 'copy_ref', 'axpby']);
    expect(plan.dispatches.slice(0, 3).map((d) => [d.params.x_off, d.params.ref_dst])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    const main = plan.dispatches[3]!;
    // ref 0: power −½ (3), coefficient a (0) → 0x3; ref 1: power 1 (0), b → 0x4; ref 2: power ½ (2), b → 0x6.
    expect(main.params.ref_codes).toBe(0x3 | (0x4 << 4) | (0x6 << 8));
    expect(main.params.n_refs).toBe(3);
    expect(main.scratch).toBe(true);
  });

  it('refuses more than 8 refs', () => {
    const s = tensor(1);
    const refs = Array.from({ length: 9 }, () => ({ t: s, power: 1 as const }));
    expect(() =>
      planOp({ op: 'hadamard', n: 1, a: { c: 1, refs }, x: tensor(1), y: tensor(1), out: tensor(1) }),
    ).toThrow(TooManyCoefRefsError);
  });

  it('need no scratch without refs', () => {
    const plan = planOp({ op: 'axpby', n: 5, a: { c: 1 }, x: tensor(5), out: tensor(5) });
    expect(plan.scratch).toBe(0);
    expect(plan.dispatches).toHaveLength(1);
    expect(plan.dispatches[0]!.scratch).toBe(false);
  });
});

describe('other plans', () => {
  it('reduce: one partial per 256 elements, at most 512, then one final workgroup', () => {
    const x = tensor(1_000_000);
    const small = planOp({ op: 'reduce', kind: 'sum', n: 300, x, scale: 1, accumulate: false, out: tensor(1) });
    expect(small.scratch).toBe(2);
    expect(small.dispatches.map((d) => d.grid[0])).toEqual([2, 1]);
    const big = planOp({ op: 'reduce', kind: 'sum', n: 1_000_000, x, scale: 1, accumulate: true, out: tensor(1) });
    expect(big.scratch).toBe(512);
  });

  it('matmul: grid per tiling, and an error past 65,535 tiles per side', () => {
    const mm = (m: number, n: number): Op => ({
      op: 'matmul',
      layout: 'nn',
      m,
      n,
      k: 1,
      a: tensor(m),
      lda: 1,
      b: tensor(n),
      ldb: n,
      c: tensor(m * n),
      ldc: n,
      alpha: 1,
      beta: 0,
    });
    expect(planOp(mm(65, 129)).dispatches[0]!.grid).toEqual([3, 2, 1]);
    expect(planOp(mm(65, 129), { matmul: 'tile128' }).dispatches[0]!.grid).toEqual([2, 1, 1]);
    expect(() => planOp(mm(1, 128 * 65536))).toThrow(MatmulGridError);
  });

  it('pooling: one entry per kind and direction, the argmax in the u32 slot for max only', () => {
    const x = tensor(50);
    const y = tensor(20);
    const argmax = tensor(18, 'u32', 4);
    const fwd = (over: Partial<Op>): Op =>
      ({ op: 'poolForward', kind: 'max', ...win, x, ldX: 25, y, ldY: 10, ones: true, argmax, ...over }) as Op;
    const max = planOp(fwd({})).dispatches[0]!;
    expect([max.entry, max.u32, max.params.arg_off, max.params.ones_value]).toEqual(['max_forward', argmax, 4, 1]);
    // Every output element and each example's ones column: 2 × (3·3·2 + 1) invocations.
    expect(max.grid[0] * 256).toBeGreaterThanOrEqual(2 * 19);
    expect(planOp(fwd({ tangent: true })).dispatches[0]!).toMatchObject({
      entry: 'max_tangent',
      params: { ones_value: 0 },
    });
    const avg = planOp({ op: 'poolForward', kind: 'avg', ...win, x, ldX: 25, y, ldY: 10, ones: true }).dispatches[0]!;
    expect([avg.entry, avg.u32]).toEqual(['avg_forward', undefined]);
  });

  it("every op's Params values match its shader struct exactly", () => {
    const f = (n: number) => tensor(n);
    const idx = (n: number) => tensor(n, 'u32');
    const ops: Op[] = [
      { op: 'actForward', act: 'relu', rows: 2, cols: 3, s: f(6), out: f(8), ldOut: 4 },
      { op: 'actBackward', act: 'tanh', rows: 2, cols: 3, d: f(6), ldD: 3, s: f(6), out: f(6), ldOut: 3, extra: 0 },
      { op: 'nll', lik: 'gaussian', rows: 2, cols: 3, mu: f(6), y: f(6), sigma: 1, perExample: f(2) },
      { op: 'outputGrad', lik: 'categorical', rows: 2, cols: 3, mu: f(6), y: f(6), sigma: 1, scale: 1, grad: f(6) },
      { op: 'fisherOutput', lik: 'bernoulli', rows: 2, cols: 3, mu: f(6), v: f(6), sigma: 1, scale: 1, out: f(6) },
      {
        op: 'draw',
        lik: 'gaussian',
        rows: 2,
        cols: 3,
        mu: f(6),
        sigma: 1,
        seed: 1,
        stream: 4,
        counter: tensor(1, 'u32'),
        sample: f(6),
      },
      { op: 'gather', rows: 2, cols: 3, src: f(9), idx: tensor(2, 'u32'), dst: f(8), ldDst: 4, ones: true },
      { op: 'fill', n: 3, value: 1, out: f(3) },
      { op: 'sgd', n: 3, param: f(3), grad: f(3), mom: f(3), hyper: f(3) },
      { op: 'adam', n: 3, param: f(3), grad: f(3), m: f(3), v: f(3), hyper: f(8) },
      { op: 'im2col', ...win, x: f(50), ldX: 25, cols: f(2 * 9 * 10), ldCols: 10, ones: true },
      { op: 'col2im', ...win, cols: f(2 * 9 * 9), ldCols: 9, dx: f(50), ldX: 25 },
      { op: 'poolForward', kind: 'max', ...win, x: f(50), ldX: 25, y: f(18), ldY: 9, ones: false, argmax: idx(18) },
      { op: 'poolForward', kind: 'avg', ...win, x: f(50), ldX: 25, y: f(20), ldY: 10, ones: true, tangent: true },
      { op: 'poolBackward', kind: 'max', ...win, dy: f(18), ldDy: 9, argmax: idx(18), dx: f(50), ldX: 25 },
      { op: 'poolBackward', kind: 'avg', ...win, dy: f(18), ldDy: 9, dx: f(50), ldX: 25 },
    ];
    for (const op of ops) {
      for (const d of planOp(op).dispatches) expect(() => packStruct(paramsLayout(d.shader), d.params)).not.toThrow();
    }
  });
});
