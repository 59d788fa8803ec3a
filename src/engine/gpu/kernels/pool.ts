/**
 * Plans of poolForward and poolBackward (shaders/pool.wgsl ↔ cpu/pool.ts): one entry point per kind and
 * direction, the argmax in the u32 slot, one invocation per element written.
 */
import type { PoolBackwardOp, PoolForwardOp } from '../../ops.ts';
import { windowOutput } from '../../window.ts';
import { windowParams } from './conv.ts';
import { grid1d, WG_1D, type OpPlan } from './types.ts';

export function planPoolForward(op: PoolForwardOp): OpPlan {
  const { oh, ow } = windowOutput(op);
  const width = oh * ow * op.c + (op.ones ? 1 : 0);
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'pool',
        entry: op.kind === 'avg' ? 'avg_forward' : op.tangent ? 'max_tangent' : 'max_forward',
        params: {
          ...windowParams(op),
          x_off: op.x.offset,
          ld_x: op.ldX,
          y_off: op.y.offset,
          ld_y: op.ldY,
          arg_off: op.argmax?.offset ?? 0,
          width,
          ones_value: op.tangent ? 0 : 1,
        },
        f32: { x: op.x, y: op.y },
        ...(op.argmax ? { u32: op.argmax } : {}),
        constants: { wg: WG_1D },
        grid: grid1d(op.batch * width),
      },
    ],
  };
}

export function planPoolBackward(op: PoolBackwardOp): OpPlan {
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'pool',
        entry: op.kind === 'max' ? 'max_backward' : 'avg_backward',
        params: {
          ...windowParams(op),
          x_off: op.dx.offset,
          ld_x: op.ldX,
          y_off: op.dy.offset,
          ld_y: op.ldDy,
          arg_off: op.argmax?.offset ?? 0,
          width: 0,
          ones_value: 0,
        },
        f32: { x: op.dx, y: op.dy },
        ...(op.argmax ? { u32: op.argmax } : {}),
        constants: { wg: WG_1D },
        grid: grid1d(op.batch * op.h * op.w * op.c),
      },
    ],
  };
}
