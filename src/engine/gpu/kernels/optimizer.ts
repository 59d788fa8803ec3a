/**
 * Plans of the fused optimizer updates sgd and adam (shaders/optimizer.wgsl ↔ cpu/optimizer.ts): one
 * invocation per parameter, hyperparameters read from the device tensor `hyper`.
 */
import type { AdamOp, SgdOp } from '../../ops.ts';
import { grid1d, WG_1D, type OpPlan } from './types.ts';

export function planSgd(op: SgdOp): OpPlan {
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'optimizer',
        entry: 'sgd',
        params: {
          n: op.n,
          param_off: op.param.offset,
          grad_off: op.grad.offset,
          m_off: op.mom.offset,
          v_off: 0,
          hyper_off: op.hyper.offset,
        },
        f32: { param: op.param, grad: op.grad, m: op.mom, hyper: op.hyper },
        constants: { wg: WG_1D },
        grid: grid1d(op.n),
      },
    ],
  };
}

export function planAdam(op: AdamOp): OpPlan {
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'optimizer',
        entry: 'adam',
        params: {
          n: op.n,
          param_off: op.param.offset,
          grad_off: op.grad.offset,
          m_off: op.m.offset,
          v_off: op.v.offset,
          hyper_off: op.hyper.offset,
        },
        f32: { param: op.param, grad: op.grad, m: op.m, v: op.v, hyper: op.hyper },
        constants: { wg: WG_1D },
        grid: grid1d(op.n),
      },
    ],
  };
}
