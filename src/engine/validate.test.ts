/**
 * validateOp: views too small, bad leading dimensions, wrong dtypes, non-integer sizes, missing operands
 * and overlapping outputs all throw OpValidationError with a message naming the op, the operand, its
 * storage label and the sizes; valid ops (including exact aliasing where allowed) pass.
 */
import { describe, expect, it } from 'vitest';
import { OpValidationError } from './backend.ts';
import { CpuBackend } from './cpu/backend.ts';
import type { MatmulOp, Op } from './ops.ts';
import { slice, type Tensor } from './tensor.ts';
import { matrixSpan, validateOp } from './validate.ts';

const be = new CpuBackend();
const t = (size: number, label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor => be.alloc(size, label, dtype);

/** The error validateOp throws for op (fails the test if it does not throw). */
function errorOf(op: Op): OpValidationError {
  try {
    validateOp(op);
  } catch (e) {
    expect(e).toBeInstanceOf(OpValidationError);
    return e as OpValidationError;
  }
  throw new Error(`expected ${op.op} to be rejected`);
}

const mm = (): MatmulOp => ({
  op: 'matmul',
  layout: 'nt',
  m: 4,
  n: 10,
  k: 785,
  a: t(4 * 785, 'acts'),
  lda: 785,
  b: t(10 * 785, 'W1'),
  ldb: 785,
  c: t(40, 'S1'),
  ldc: 10,
  alpha: 1,
  beta: 0,
});

describe('validateOp', () => {
  it('accepts a well-formed matmul', () => {
    expect(() => validateOp(mm())).not.toThrow();
  });

  it('rejects a too-small view and says which, where and how big', () => {
    const op = { ...mm(), b: slice(t(10 * 785, 'W1'), 1, 10 * 785 - 1) };
    const msg = errorOf(op).message;
    expect(msg).toContain('matmul');
    expect(msg).toContain('operand b');
    expect(msg).toContain("'W1'");
    expect(msg).toContain('7849'); // the view's size
    expect(msg).toContain('7850'); // what the op needs
    expect(msg).toContain('10×785');
  });

  it('accounts for leading dimensions and offsets', () => {
    // C 4×10 with ldc 12 spans 3·12 + 10 = 46 elements: a 45-element view is one short.
    expect(matrixSpan(4, 10, 12)).toBe(46);
    expect(errorOf({ ...mm(), c: t(45, 'S1'), ldc: 12 }).message).toMatch(/operand c .*too small.*needs 46/);
    expect(() => validateOp({ ...mm(), c: slice(t(50, 'S1'), 4, 46), ldc: 12 })).not.toThrow();
    expect(errorOf({ ...mm(), ldc: 9 }).message).toContain('ldc = 9 is less than the 10 columns of c');
    // tn reads A as k×m: lda must cover m.
    expect(errorOf({ ...mm(), layout: 'tn', a: t(785 * 4, 'acts'), lda: 3 }).message).toContain('lda');
  });

  it('rejects views that reach past their storage', () => {
    const s = t(10, 'small');
    const bad = { storage: s.storage, offset: 5, size: 10 };
    expect(errorOf({ op: 'fill', n: 10, value: 0, out: bad }).message).toContain('past the end');
  });

  it('checks dtypes: indices and counters are u32, data is f32', () => {
    const gather: Op = {
      op: 'gather',
      rows: 2,
      cols: 3,
      src: t(30, 'data'),
      idx: t(2, 'idx'),
      dst: t(8, 'x'),
      ldDst: 4,
      ones: true,
    };
    expect(errorOf(gather).message).toMatch(/idx 'idx'.*must be u32, not f32/);
    expect(() => validateOp({ ...gather, idx: t(2, 'idx', 'u32') })).not.toThrow();
    expect(errorOf({ ...gather, idx: t(2, 'idx', 'u32'), src: t(30, 'data', 'u32') }).message).toContain('must be f32');
    // With the ones column, dst needs ldDst ≥ cols + 1.
    expect(errorOf({ ...gather, idx: t(2, 'idx', 'u32'), ldDst: 3 }).message).toContain('ldDst');
  });

  it('requires positive integer sizes and finite scalars', () => {
    expect(errorOf({ ...mm(), k: 0 }).message).toContain('k must be a positive integer');
    expect(errorOf({ ...mm(), m: 2.5 }).message).toContain('m must be a positive integer');
    expect(errorOf({ ...mm(), alpha: NaN }).message).toContain('alpha');
    const x = t(4, 'x');
    expect(
      errorOf({ op: 'nll', lik: 'gaussian', rows: 1, cols: 4, mu: x, y: x, sigma: 0, perExample: t(1, 'l') }).message,
    ).toContain('sigma');
  });

  it('rejects overlapping outputs but allows exact aliasing where the op permits it', () => {
    const buf = t(20, 'buf');
    const x = slice(buf, 0, 10);
    const shifted = slice(buf, 5, 10);
    const one = { c: 1 };
    expect(() => validateOp({ op: 'axpby', n: 10, a: one, x, out: x })).not.toThrow();
    expect(errorOf({ op: 'axpby', n: 10, a: one, x, out: shifted }).message).toContain('overlaps input x');
    // matmul never allows C to overlap A.
    const a = t(4 * 785, 'acts');
    expect(errorOf({ ...mm(), a, c: slice(a, 0, 40) }).message).toContain('output c');
    // Optimizer state must be pairwise disjoint.
    const flat = t(30, 'flat');
    const sgd: Op = {
      op: 'sgd',
      n: 10,
      param: slice(flat, 0, 10),
      grad: slice(flat, 10, 10),
      mom: slice(flat, 15, 10),
      hyper: t(3, 'h'),
    };
    expect(errorOf(sgd).message).toMatch(/grad.*mom|mom.*grad/);
    // A coefficient scalar may not live inside the output it scales.
    expect(
      errorOf({ op: 'axpby', n: 10, a: { c: 1, refs: [{ t: slice(buf, 3, 1), power: 1 }] }, x, out: x }).message,
    ).toContain('a.refs[0]');
  });

  it('checks operands that go together', () => {
    const x = t(4, 'x');
    expect(
      errorOf({ op: 'reduce', kind: 'dot', n: 4, x, scale: 1, accumulate: false, out: t(1, 'o') }).message,
    ).toContain('operand y is missing');
    expect(errorOf({ op: 'axpby', n: 4, a: { c: 1 }, x, y: x, out: t(4, 'o') }).message).toContain('together');
    expect(errorOf({ op: 'sgd', n: 4, param: x, grad: t(4, 'g'), mom: t(4, 'm'), hyper: t(2, 'h') }).message).toContain(
      "hyper 'h'",
    );
  });

  it('record() prefixes the program label and op index', () => {
    const ok: Op = { op: 'fill', n: 1, value: 0, out: t(1, 'o') };
    expect(() => be.record('step', [ok, { ...mm(), c: t(3, 'tiny') }])).toThrow(
      /program 'step', op #1: matmul: operand c/,
    );
  });
});
