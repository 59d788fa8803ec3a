/**
 * Plans of axpby, hadamard and fill (shaders/elementwise.wgsl ↔ cpu/elementwise.ts). A Coef's device
 * scalars (value = c·Π t[0]^power) are evaluated on the GPU, never read back: one `copy_ref` dispatch per
 * ref copies t[0] into the op's scratch, and the main kernel multiplies them in (its Params say how).
 */
import type { AxpbyOp, Coef, FillOp, HadamardOp } from '../../ops.ts';
import type { Tensor } from '../../tensor.ts';
import { grid1d, WG_1D, type DispatchSpec, type OpPlan } from './types.ts';

/** Most device-scalar refs of one op (a's and b's together): 4 bits each in the u32 `ref_codes`. */
export const MAX_COEF_REFS = 8;

const POWER_CODE: Readonly<Record<1 | -1 | 0.5 | -0.5, number>> = { 1: 0, [-1]: 1, 0.5: 2, [-0.5]: 3 };

/** Thrown for an op whose coefficients have more device-scalar refs than the kernel supports. */
export class TooManyCoefRefsError extends RangeError {
  override readonly name = 'TooManyCoefRefsError';
}

interface CoefPlan {
  readonly copies: DispatchSpec[];
  readonly nRefs: number;
  readonly codes: number;
}

/** copy_ref dispatches for the refs of a (which 0) and b (which 1), and their 4-bit codes. */
function planCoefs(op: string, coefs: readonly (Coef | undefined)[]): CoefPlan {
  const copies: DispatchSpec[] = [];
  let codes = 0;
  coefs.forEach((c, which) => {
    for (const ref of c?.refs ?? []) {
      const r = copies.length;
      if (r >= MAX_COEF_REFS) {
        throw new TooManyCoefRefsError(`${op}: more than ${MAX_COEF_REFS} device-scalar refs in its coefficients`);
      }
      codes += (POWER_CODE[ref.power] | (which << 2)) * 2 ** (4 * r);
      copies.push(copyRef(ref.t, r));
    }
  });
  return { copies, nRefs: copies.length, codes };
}

function copyRef(t: Tensor, dst: number): DispatchSpec {
  return {
    shader: 'elementwise',
    entry: 'copy_ref',
    params: baseParams({ x_off: t.offset, ref_dst: dst }),
    f32: { x: t },
    scratch: true,
    grid: [1, 1, 1],
  };
}

function baseParams(p: Partial<Record<string, number>>): Record<string, number> {
  return {
    n: 0,
    x_off: 0,
    y_off: 0,
    out_off: 0,
    has_y: 0,
    n_refs: 0,
    ref_codes: 0,
    ref_dst: 0,
    a_c: 0,
    b_c: 0,
    value: 0,
    ...p,
  };
}

function plan(coefs: CoefPlan, main: DispatchSpec): OpPlan {
  return { scratch: coefs.nRefs, dispatches: [...coefs.copies, { ...main, scratch: coefs.nRefs > 0 }] };
}

export function planAxpby(op: AxpbyOp): OpPlan {
  const coefs = planCoefs('axpby', [op.a, op.y ? op.b : undefined]);
  const y = op.y && op.b ? op.y : undefined;
  return plan(coefs, {
    shader: 'elementwise',
    entry: 'axpby',
    params: baseParams({
      n: op.n,
      x_off: op.x.offset,
      y_off: y?.offset ?? 0,
      out_off: op.out.offset,
      has_y: y ? 1 : 0,
      n_refs: coefs.nRefs,
      ref_codes: coefs.codes,
      a_c: op.a.c,
      b_c: y ? op.b!.c : 0,
    }),
    f32: y ? { x: op.x, y, out: op.out } : { x: op.x, out: op.out },
    constants: { wg: WG_1D },
    grid: grid1d(op.n),
  });
}

export function planHadamard(op: HadamardOp): OpPlan {
  const coefs = planCoefs('hadamard', [op.a]);
  return plan(coefs, {
    shader: 'elementwise',
    entry: 'hadamard',
    params: baseParams({
      n: op.n,
      x_off: op.x.offset,
      y_off: op.y.offset,
      out_off: op.out.offset,
      n_refs: coefs.nRefs,
      ref_codes: coefs.codes,
      a_c: op.a.c,
    }),
    f32: { x: op.x, y: op.y, out: op.out },
    constants: { wg: WG_1D },
    grid: grid1d(op.n),
  });
}

export function planFill(op: FillOp): OpPlan {
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'elementwise',
        entry: 'fill',
        params: baseParams({ n: op.n, out_off: op.out.offset, value: op.value }),
        f32: { out: op.out },
        constants: { wg: WG_1D },
        grid: grid1d(op.n),
      },
    ],
  };
}
