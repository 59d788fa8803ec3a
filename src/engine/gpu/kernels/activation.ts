/**
 * Plans of actForward / actBackward (shaders/activation.wgsl ↔ cpu/activation.ts): one invocation per
 * output element, the activation chosen by the pipeline constant `act`.
 */
import type { ActBackwardOp, ActForwardOp, Activation } from '../../ops.ts';
import { grid1d, WG_1D, type OpPlan } from './types.ts';

/** Value of the WGSL override `act` for each activation. */
export const ACT_CODE: Readonly<Record<Activation, number>> = { identity: 0, relu: 1, tanh: 2, sigmoid: 3 };

export function planActForward(op: ActForwardOp): OpPlan {
  const width = op.ldOut > op.cols ? op.cols + 1 : op.cols;
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'activation',
        entry: 'act_forward',
        params: {
          rows: op.rows,
          cols: op.cols,
          width,
          ld_out: op.ldOut,
          ld_d: 0,
          s_off: op.s.offset,
          d_off: 0,
          out_off: op.out.offset,
          extra: 0,
        },
        f32: { s: op.s, out: op.out },
        constants: { act: ACT_CODE[op.act], wg: WG_1D },
        grid: grid1d(op.rows * width),
      },
    ],
  };
}

export function planActBackward(op: ActBackwardOp): OpPlan {
  const width = op.ldOut > op.cols ? op.cols + 1 : op.cols;
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'activation',
        entry: 'act_backward',
        params: {
          rows: op.rows,
          cols: op.cols,
          width,
          ld_out: op.ldOut,
          ld_d: op.ldD,
          s_off: op.s.offset,
          d_off: op.d.offset,
          out_off: op.out.offset,
          extra: op.extra,
        },
        f32: { s: op.s, d: op.d, out: op.out },
        constants: { act: ACT_CODE[op.act], wg: WG_1D },
        grid: grid1d(op.rows * width),
      },
    ],
  };
}
