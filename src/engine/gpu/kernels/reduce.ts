/**
 * Plan of a reduce op (shaders/reduce.wgsl ↔ cpu/reduce.ts): WGSL has no float atomics, so a first
 * dispatch writes one partial sum per workgroup into the op's scratch and a single-workgroup second
 * dispatch sums them into out[0] (adding to it when accumulating).
 */
import type { ReduceOp } from '../../ops.ts';
import { type OpPlan } from './types.ts';

/** Invocations per reduce workgroup (a power of two: the tree halves it). */
export const REDUCE_WG = 256;
/** Most partial sums: enough workgroups to fill a large GPU, few enough for one workgroup to add up. */
export const REDUCE_MAX_GROUPS = 512;

const KIND_CODE = { sum: 0, dot: 1, sumsq: 2 } as const;

export function planReduce(op: ReduceOp): OpPlan {
  const groups = Math.min(REDUCE_MAX_GROUPS, Math.ceil(op.n / REDUCE_WG));
  const params = {
    n: op.n,
    groups,
    x_off: op.x.offset,
    y_off: op.y?.offset ?? 0,
    out_off: op.out.offset,
    accumulate: op.accumulate ? 1 : 0,
    scale: op.scale,
  };
  return {
    scratch: groups,
    dispatches: [
      {
        shader: 'reduce',
        entry: 'reduce_partial',
        params,
        f32: op.kind === 'dot' && op.y ? { x: op.x, y: op.y } : { x: op.x },
        scratch: true,
        constants: { kind: KIND_CODE[op.kind], wg: REDUCE_WG },
        grid: [groups, 1, 1],
      },
      {
        shader: 'reduce',
        entry: 'reduce_final',
        params,
        f32: { out: op.out },
        scratch: true,
        constants: { wg: REDUCE_WG },
        grid: [1, 1, 1],
      },
    ],
  };
}
