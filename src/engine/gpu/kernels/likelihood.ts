/**
 * Plans of the likelihood ops nll, outputGrad, fisherOutput and draw (shaders/likelihood.wgsl ↔
 * cpu/likelihood.ts). Elementwise formulas run one invocation per element; those that need a whole
 * row (nll, and every categorical op: softmax, Gumbel-max) one invocation per row.
 */
import type { DrawOp, FisherOutputOp, Likelihood, NllOp, OutputGradOp } from '../../ops.ts';
import type { Tensor } from '../../tensor.ts';
import { grid1d, WG_1D, type DispatchSpec, type OpPlan } from './types.ts';

/** Value of the WGSL override `lik` for each likelihood. */
export const LIK_CODE: Readonly<Record<Likelihood, number>> = { gaussian: 0, bernoulli: 1, categorical: 2 };

interface LikDispatch {
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly sigma: number;
  readonly scale: number;
  readonly mu: Tensor;
  readonly y?: Tensor;
  readonly out: Tensor;
  readonly counter?: Tensor;
  readonly seed?: number;
  readonly stream?: number;
}

/**
 * One dispatch of `entry`, per row when `perRow` (the `_rows` entry points), else per element.
 * Categorical per-row entry points do not read `lik`, and WebGPU rejects constants an entry point lacks.
 */
function dispatch(entry: string, d: LikDispatch, perRow: boolean, usesLik: boolean): OpPlan {
  const spec: DispatchSpec = {
    shader: 'likelihood',
    entry,
    params: {
      rows: d.rows,
      cols: d.cols,
      mu_off: d.mu.offset,
      y_off: d.y?.offset ?? 0,
      out_off: d.out.offset,
      ctr_off: d.counter?.offset ?? 0,
      seed: d.seed ?? 0,
      stream: d.stream ?? 0,
      sigma: d.sigma,
      scale: d.scale,
    },
    f32: d.y ? { mu: d.mu, y: d.y, out: d.out } : { mu: d.mu, out: d.out },
    ...(d.counter ? { u32: d.counter } : {}),
    constants: usesLik ? { lik: LIK_CODE[d.lik], wg: WG_1D } : { wg: WG_1D },
    grid: grid1d(perRow ? d.rows : d.rows * d.cols),
  };
  return { scratch: 0, dispatches: [spec] };
}

export function planNll(op: NllOp): OpPlan {
  return dispatch('nll_rows', { ...op, scale: 1, out: op.perExample }, true, true);
}

export function planOutputGrad(op: OutputGradOp): OpPlan {
  const d = { ...op, out: op.grad };
  return op.lik === 'categorical'
    ? dispatch('output_grad_rows', d, true, false)
    : dispatch('output_grad', d, false, true);
}

export function planFisherOutput(op: FisherOutputOp): OpPlan {
  const d = { ...op, y: op.v };
  return op.lik === 'categorical'
    ? dispatch('fisher_output_rows', d, true, false)
    : dispatch('fisher_output', d, false, true);
}

export function planDraw(op: DrawOp): OpPlan {
  const d = { ...op, scale: 1, out: op.sample };
  return op.lik === 'categorical' ? dispatch('draw_rows', d, true, false) : dispatch('draw', d, false, true);
}
