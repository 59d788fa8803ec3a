/**
 * Op → dispatch plan, one exhaustive switch over the closed op list (ops.ts): an op without a WebGPU
 * kernel fails to compile here.
 */
import type { Op } from '../../ops.ts';
import { planActBackward, planActForward } from './activation.ts';
import { planCol2im, planIm2col } from './conv.ts';
import { planAxpby, planFill, planHadamard } from './elementwise.ts';
import { planGather } from './gather.ts';
import { planDraw, planFisherOutput, planNll, planOutputGrad } from './likelihood.ts';
import { planMatmul, type MatmulVariant } from './matmul.ts';
import { planAdam, planSgd } from './optimizer.ts';
import { planPoolBackward, planPoolForward } from './pool.ts';
import { planReduce } from './reduce.ts';
import type { OpPlan } from './types.ts';

export type { DispatchSpec, OpPlan } from './types.ts';
export type { MatmulVariant } from './matmul.ts';

/** Kernel choices a backend may force (tests, benchmarks). */
export interface PlanOptions {
  readonly matmul?: MatmulVariant;
  /** The adapter emulates a GPU on the CPU (SwiftShader): changes what 'auto' picks. */
  readonly cpuEmulated?: boolean;
}

/** The dispatches that execute `op` (which must already be validated). */
export function planOp(op: Op, opts: PlanOptions = {}): OpPlan {
  switch (op.op) {
    case 'matmul':
      return planMatmul(op, opts.matmul, opts.cpuEmulated);
    case 'actForward':
      return planActForward(op);
    case 'actBackward':
      return planActBackward(op);
    case 'nll':
      return planNll(op);
    case 'outputGrad':
      return planOutputGrad(op);
    case 'draw':
      return planDraw(op);
    case 'fisherOutput':
      return planFisherOutput(op);
    case 'gather':
      return planGather(op);
    case 'reduce':
      return planReduce(op);
    case 'axpby':
      return planAxpby(op);
    case 'hadamard':
      return planHadamard(op);
    case 'fill':
      return planFill(op);
    case 'sgd':
      return planSgd(op);
    case 'adam':
      return planAdam(op);
    case 'im2col':
      return planIm2col(op);
    case 'col2im':
      return planCol2im(op);
    case 'poolForward':
      return planPoolForward(op);
    case 'poolBackward':
      return planPoolBackward(op);
    case 'spdInverse':
      throw new Error(
        "op 'spdInverse' (an exact Cholesky inverse) runs on the CPU backend only; on WebGPU, K-FAC inverts by Newton–Schulz (kfac/newton-schulz.ts)",
      );
    default: {
      const never: never = op;
      throw new Error(`no WebGPU kernel for op '${(never as { op: string }).op}'`);
    }
  }
}
