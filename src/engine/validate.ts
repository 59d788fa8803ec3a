/**
 * Record-time validation shared by both backends: every view an op touches is large enough for its
 * shapes, leading dimensions and offsets, has the right dtype (indices and RNG counters 'u32', all else
 * 'f32'), sizes are positive integers, scalars are finite, and outputs do not partially overlap inputs
 * (a kernel reading what another invocation writes gives backend-dependent results). Errors name the op,
 * the operand, its storage label and the sizes.
 */
import { OpValidationError } from './backend.ts';
import type { Coef, ImageGeometry, Op, WindowGeometry } from './ops.ts';
import { ADAM_HYPER, SGD_HYPER } from './hyper.ts';
import type { DType, Tensor } from './tensor.ts';
import { patchSize, windowMisfit, windowOutput } from './window.ts';

/** A view an op touches: the tensor, its name in the op, and how many elements from its offset. */
interface Touch {
  readonly name: string;
  readonly t: Tensor;
  readonly span: number;
}

/** Elements from a view's offset that a rows×cols matrix with leading dimension ld reaches. */
export function matrixSpan(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

function describe(t: Tensor): string {
  const s = t.storage;
  return `'${s.label}' (storage #${s.id}, ${s.size} ${s.dtype}; view offset ${t.offset}, size ${t.size})`;
}

class Checker {
  constructor(private readonly op: Op) {}

  fail(message: string): never {
    throw new OpValidationError(`${this.op.op}: ${message}`);
  }

  posInt(name: string, v: number): void {
    if (!Number.isSafeInteger(v) || v < 1) this.fail(`${name} must be a positive integer, got ${v}`);
  }

  finite(name: string, v: number): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${name} must be a finite number, got ${v}`);
  }

  u32(name: string, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) this.fail(`${name} must be a uint32, got ${v}`);
  }

  /** Checks a view is well formed, of dtype `dtype`, and holds `span` elements; `what` explains the span. */
  view(name: string, t: Tensor | undefined, span: number, what: string, dtype: DType = 'f32'): Touch {
    if (!t || !t.storage) this.fail(`operand ${name} is missing`);
    const { offset, size, storage } = t;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0) {
      this.fail(`operand ${name} ${describe(t)} has a bad offset or size`);
    }
    if (offset + size > storage.size) {
      this.fail(`operand ${name} ${describe(t)} reaches past the end of its storage`);
    }
    if (storage.dtype !== dtype) this.fail(`operand ${name} ${describe(t)} must be ${dtype}, not ${storage.dtype}`);
    if (span > size) {
      this.fail(`operand ${name} ${describe(t)} is too small: ${what} needs ${span} elements from its offset`);
    }
    return { name, t, span };
  }

  /** A rows×cols matrix with leading dimension ld (ld ≥ cols). */
  matrix(name: string, t: Tensor | undefined, rows: number, cols: number, ld: number, ldName: string): Touch {
    this.posInt(ldName, ld);
    if (ld < cols) this.fail(`${ldName} = ${ld} is less than the ${cols} columns of ${name}`);
    return this.view(name, t, matrixSpan(rows, cols, ld), `${rows}×${cols} with ${ldName} ${ld}`);
  }

  /** n dense elements. */
  vector(name: string, t: Tensor | undefined, n: number, dtype: DType = 'f32'): Touch {
    return this.view(name, t, n, `${n} elements`, dtype);
  }

  /**
   * An output must not overlap an input, except that it may be the very same elements (same storage and
   * offset) when `mayAlias`: every element is then read and written by the same invocation only.
   */
  disjoint(out: Touch, input: Touch, mayAlias = false): void {
    const a = out.t;
    const b = input.t;
    if (a.storage.id !== b.storage.id) return;
    const overlap = a.offset < b.offset + input.span && b.offset < a.offset + out.span;
    if (!overlap || (mayAlias && a.offset === b.offset)) return;
    this.fail(
      `output ${out.name} ${describe(a)} overlaps input ${input.name} ${describe(b)}` +
        (mayAlias ? ' (only exact aliasing, same offset, is allowed)' : ''),
    );
  }

  /** Several views that must be pairwise disjoint (optimizer state). */
  allDisjoint(touches: readonly Touch[]): void {
    for (let i = 0; i < touches.length; i++) {
      for (let j = i + 1; j < touches.length; j++) this.disjoint(touches[i]!, touches[j]!);
    }
  }

  /** A window over a batch of images that fits (window.ts); returns its output grid. */
  window(g: ImageGeometry & WindowGeometry, pool: boolean): { oh: number; ow: number } {
    const misfit = windowMisfit(g, pool);
    if (misfit) this.fail(misfit);
    return windowOutput(g);
  }

  coef(name: string, c: Coef | undefined, out: Touch): void {
    if (!c) this.fail(`coefficient ${name} is missing`);
    this.finite(`${name}.c`, c.c);
    (c.refs ?? []).forEach((r, i) => {
      if (![1, -1, 0.5, -0.5].includes(r.power)) this.fail(`${name}.refs[${i}].power must be ±1 or ±0.5`);
      // Scalars are read while out is written: on the GPU another invocation may already have written them.
      this.disjoint(out, this.vector(`${name}.refs[${i}]`, r.t, 1));
    });
  }
}

/** Throws OpValidationError if `op` does not fit its tensors. Pure: touches no data. */
export function validateOp(op: Op): void {
  const v = new Checker(op);
  switch (op.op) {
    case 'matmul': {
      const { layout, m, n, k } = op;
      v.posInt('m', m);
      v.posInt('n', n);
      v.posInt('k', k);
      v.finite('alpha', op.alpha);
      v.finite('beta', op.beta);
      if (layout !== 'nn' && layout !== 'nt' && layout !== 'tn') v.fail(`unknown layout '${String(layout)}'`);
      const a = layout === 'tn' ? v.matrix('a', op.a, k, m, op.lda, 'lda') : v.matrix('a', op.a, m, k, op.lda, 'lda');
      const b = layout === 'nt' ? v.matrix('b', op.b, n, k, op.ldb, 'ldb') : v.matrix('b', op.b, k, n, op.ldb, 'ldb');
      const c = v.matrix('c', op.c, m, n, op.ldc, 'ldc');
      v.disjoint(c, a);
      v.disjoint(c, b);
      return;
    }
    case 'actForward': {
      v.posInt('rows', op.rows);
      v.posInt('cols', op.cols);
      if (op.ldOut !== op.cols && op.ldOut !== op.cols + 1) {
        v.fail(`ldOut must be cols (${op.cols}) or cols + 1, got ${op.ldOut}`);
      }
      const s = v.matrix('s', op.s, op.rows, op.cols, op.cols, 'cols');
      const out = v.matrix('out', op.out, op.rows, op.ldOut, op.ldOut, 'ldOut');
      v.disjoint(out, s, op.ldOut === op.cols);
      return;
    }
    case 'actBackward': {
      const { rows, cols, ldOut } = op;
      v.posInt('rows', rows);
      v.posInt('cols', cols);
      v.finite('extra', op.extra);
      const d = v.matrix('d', op.d, rows, cols, op.ldD, 'ldD');
      const s = v.matrix('s', op.s, rows, cols, cols, 'cols');
      const outCols = ldOut > cols ? cols + 1 : cols;
      const out = v.matrix('out', op.out, rows, outCols, ldOut, 'ldOut');
      v.disjoint(out, d, ldOut === op.ldD);
      v.disjoint(out, s, ldOut === cols);
      return;
    }
    case 'nll':
    case 'outputGrad':
    case 'fisherOutput':
    case 'draw': {
      const { rows, cols } = op;
      v.posInt('rows', rows);
      v.posInt('cols', cols);
      if (op.lik !== 'gaussian' && op.lik !== 'bernoulli' && op.lik !== 'categorical') {
        v.fail(`unknown likelihood '${String(op.lik)}'`);
      }
      if (op.lik === 'gaussian' && !(op.sigma > 0 && Number.isFinite(op.sigma))) {
        v.fail(`gaussian sigma must be finite and > 0, got ${op.sigma}`);
      }
      const mu = v.vector('mu', op.mu, rows * cols);
      if (op.op === 'nll') {
        const out = v.vector('perExample', op.perExample, rows);
        v.disjoint(out, mu);
        v.disjoint(out, v.vector('y', op.y, rows * cols));
      } else if (op.op === 'outputGrad') {
        v.finite('scale', op.scale);
        const out = v.vector('grad', op.grad, rows * cols);
        v.disjoint(out, mu);
        v.disjoint(out, v.vector('y', op.y, rows * cols));
      } else if (op.op === 'fisherOutput') {
        v.finite('scale', op.scale);
        const out = v.vector('out', op.out, rows * cols);
        v.disjoint(out, mu);
        v.disjoint(out, v.vector('v', op.v, rows * cols));
      } else {
        v.u32('seed', op.seed);
        v.u32('stream', op.stream);
        v.vector('counter', op.counter, 1, 'u32');
        v.disjoint(v.vector('sample', op.sample, rows * cols), mu);
      }
      return;
    }
    case 'gather': {
      const { rows, cols } = op;
      v.posInt('rows', rows);
      v.posInt('cols', cols);
      v.vector('idx', op.idx, rows, 'u32');
      const src = v.view('src', op.src, cols, `at least one row of ${cols}`);
      const dst = v.matrix('dst', op.dst, rows, op.ones ? cols + 1 : cols, op.ldDst, 'ldDst');
      v.disjoint(dst, { ...src, span: src.t.size });
      return;
    }
    case 'reduce': {
      v.posInt('n', op.n);
      v.finite('scale', op.scale);
      const x = v.vector('x', op.x, op.n);
      const out = v.vector('out', op.out, 1);
      v.disjoint(out, x);
      if (op.kind === 'dot') {
        v.disjoint(out, v.vector('y', op.y, op.n));
      } else if (op.kind === 'sum' || op.kind === 'sumsq') {
        if (op.y) v.fail(`y must be absent for kind '${op.kind}'`);
      } else {
        v.fail(`unknown kind '${String(op.kind)}'`);
      }
      return;
    }
    case 'axpby': {
      v.posInt('n', op.n);
      const out = v.vector('out', op.out, op.n);
      v.disjoint(out, v.vector('x', op.x, op.n), true);
      v.coef('a', op.a, out);
      if (!op.y !== !op.b) v.fail('b and y must be given together');
      if (op.y) {
        v.disjoint(out, v.vector('y', op.y, op.n), true);
        v.coef('b', op.b, out);
      }
      return;
    }
    case 'hadamard': {
      v.posInt('n', op.n);
      const out = v.vector('out', op.out, op.n);
      v.disjoint(out, v.vector('x', op.x, op.n), true);
      v.disjoint(out, v.vector('y', op.y, op.n), true);
      v.coef('a', op.a, out);
      return;
    }
    case 'fill': {
      v.posInt('n', op.n);
      if (typeof op.value !== 'number' || Number.isNaN(op.value)) v.fail(`value must be a number, got ${op.value}`);
      v.vector('out', op.out, op.n);
      return;
    }
    case 'sgd': {
      v.posInt('n', op.n);
      v.allDisjoint([
        v.vector('param', op.param, op.n),
        v.vector('grad', op.grad, op.n),
        v.vector('mom', op.mom, op.n),
        v.vector('hyper', op.hyper, SGD_HYPER),
      ]);
      return;
    }
    case 'adam': {
      v.posInt('n', op.n);
      v.allDisjoint([
        v.vector('param', op.param, op.n),
        v.vector('grad', op.grad, op.n),
        v.vector('m', op.m, op.n),
        v.vector('v', op.v, op.n),
        v.vector('hyper', op.hyper, ADAM_HYPER),
      ]);
      return;
    }
    case 'spdInverse': {
      v.posInt('d', op.d);
      const out = v.vector('out', op.out, op.d * op.d);
      v.disjoint(out, v.vector('m', op.m, op.d * op.d));
      v.coef('c', op.c, out);
      return;
    }
    case 'im2col':
    case 'col2im': {
      const { oh, ow } = v.window(op, false);
      const k = patchSize(op);
      const rows = op.batch * oh * ow;
      if (op.op === 'im2col') {
        const x = v.matrix('x', op.x, op.batch, op.h * op.w * op.c, op.ldX, 'ldX');
        const cols = v.matrix('cols', op.cols, rows, op.ones ? k + 1 : k, op.ldCols, 'ldCols');
        v.disjoint(cols, x);
      } else {
        const cols = v.matrix('cols', op.cols, rows, k, op.ldCols, 'ldCols');
        v.disjoint(v.matrix('dx', op.dx, op.batch, op.h * op.w * op.c, op.ldX, 'ldX'), cols);
      }
      return;
    }
    case 'poolForward':
    case 'poolBackward': {
      if (op.kind !== 'max' && op.kind !== 'avg') v.fail(`unknown pooling kind '${String(op.kind)}'`);
      const { oh, ow } = v.window(op, true);
      const outPer = oh * ow * op.c;
      const inPer = op.h * op.w * op.c;
      let arg: Touch | undefined;
      if (op.kind === 'max') arg = v.vector('argmax', op.argmax, op.batch * outPer, 'u32');
      else if (op.argmax) v.fail("argmax must be absent for kind 'avg'");
      if (op.op === 'poolForward') {
        const x = v.matrix('x', op.x, op.batch, inPer, op.ldX, 'ldX');
        const y = v.matrix('y', op.y, op.batch, op.ones ? outPer + 1 : outPer, op.ldY, 'ldY');
        v.disjoint(y, x);
        if (arg) v.disjoint(arg, x);
      } else {
        const dy = v.matrix('dy', op.dy, op.batch, outPer, op.ldDy, 'ldDy');
        const dx = v.matrix('dx', op.dx, op.batch, inPer, op.ldX, 'ldX');
        v.disjoint(dx, dy);
      }
      return;
    }
    default: {
      const unknown: never = op;
      throw new OpValidationError(`unknown op '${(unknown as { op: string }).op}'`);
    }
  }
}
