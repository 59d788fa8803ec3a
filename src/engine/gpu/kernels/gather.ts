/**
 * Plan of a gather op (shaders/gather.wgsl ↔ cpu/gather.ts): minibatch rows copied by index, with the
 * optional ones column, one invocation per output element. Rows whose index is out of range come out
 * NaN (the CPU throws; a kernel cannot).
 */
import type { GatherOp } from '../../ops.ts';
import { grid1d, WG_1D, type OpPlan } from './types.ts';

export function planGather(op: GatherOp): OpPlan {
  const width = op.ones ? op.cols + 1 : op.cols;
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'gather',
        entry: 'gather',
        params: {
          rows: op.rows,
          cols: op.cols,
          width,
          ld_dst: op.ldDst,
          src_off: op.src.offset,
          idx_off: op.idx.offset,
          dst_off: op.dst.offset,
          src_rows: Math.floor(op.src.size / op.cols),
          nan_bits: 0x7fc00000,
        },
        f32: { src: op.src, dst: op.dst },
        u32: op.idx,
        constants: { wg: WG_1D },
        grid: grid1d(op.rows * width),
      },
    ],
  };
}
