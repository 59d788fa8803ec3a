/**
 * What the UI shows of FishLeg's curvature, for small layers and tiny models: the materialised Q_l, the
 * exact Fisher F (from per-example Jacobians, J_iᵀ Λ_i J_i averaged over a batch) and its layer blocks,
 * and the relative error ‖Q_l − F_γ,l⁻¹‖_F / ‖F_γ,l⁻¹‖_F. Host float64; readbacks, so not for every step.
 * The Inside-FishLeg frame takes one layer's block from layer-fisher.ts instead (m passes, not one per
 * parameter) and measures the step itself in step-measures.ts; `exactFisher` serves the whole-model comparison
 * there and the tests.
 */
import type { Backend } from '../backend.ts';
import { kronShape } from '../layers/registry.ts';
import type { ParamLayout } from '../model/mlp.ts';
import { forwardOps, gatherInputsOp, ropOps, Workspace, type DeviceSplit } from '../model/passes.ts';
import type { Likelihood } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import type { InverseFisherView } from '../optim/optimizer.ts';
import { materializeHostQ } from './host-q.ts';
import { addDiagonal, relativeError, spdInverse } from './linalg.ts';

/** Thrown when a view would materialise a matrix too large for the host. */
export class ViewTooLargeError extends Error {
  override readonly name = 'ViewTooLargeError';
}

/** Largest side of a materialised matrix (a 2,000² float64 matrix is 32 MB). */
export const MAX_VIEW_DIM = 2000;

function checkDim(d: number, what: string): void {
  if (d > MAX_VIEW_DIM) {
    throw new ViewTooLargeError(
      `${what} would be ${d}×${d}; views materialise at most ${MAX_VIEW_DIM}×${MAX_VIEW_DIM}`,
    );
  }
}

/** Q_l of a FishLeg run as a dense (m·p)² matrix over row-major vec(W̄_l). One readback of λ. */
export async function materializeQ(fl: InverseFisherView, layout: ParamLayout, layer: number): Promise<Float64Array> {
  const l = layout.layers[layer];
  if (!l) throw new RangeError(`layer ${layer} does not exist (the model has ${layout.layers.length})`);
  checkDim(l.size, `Q of layer ${layer}`);
  const { layers } = await fl.hostLambda();
  return materializeHostQ(layers[layer]!, kronShape(l));
}

/** What the exact Fisher needs from a run. */
export interface FisherModel {
  readonly backend: Backend;
  readonly layout: ParamLayout;
  readonly params: Tensor;
  readonly likelihood: Likelihood;
  readonly sigma: number;
}

/** Λ(μ_i): the output-space Fisher of one example (docs/fishleg.md §4), k×k. */
export function outputFisher(lik: Likelihood, mu: ArrayLike<number>, sigma: number): Float64Array {
  const k = mu.length;
  const out = new Float64Array(k * k);
  if (lik === 'gaussian') {
    for (let j = 0; j < k; j++) out[j * k + j] = 1 / (sigma * sigma);
  } else if (lik === 'bernoulli') {
    for (let j = 0; j < k; j++) {
      const p = 1 / (1 + Math.exp(-mu[j]!));
      out[j * k + j] = p * (1 - p);
    }
  } else {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, mu[j]!);
    const p = Array.from({ length: k }, (_, j) => Math.exp(mu[j]! - max));
    const z = p.reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) p[j] = p[j]! / z;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = (a === b ? p[a]! : 0) - p[a]! * p[b]!;
  }
  return out;
}

/**
 * The exact Fisher F = (1/B) Σ_i J_iᵀ Λ_i J_i (P×P, P = all parameters) on rows `idx` of a split, with
 * J_i the Jacobian of the network output, built column by column with the R-op (one pass per parameter).
 */
export async function exactFisher(
  model: FisherModel,
  split: DeviceSplit,
  idx: readonly number[],
): Promise<Float64Array> {
  const { backend, layout, params, likelihood, sigma } = model;
  const P = layout.total;
  checkDim(P, 'the Fisher of the whole model');
  const B = idx.length;
  const ws = new Workspace(backend, layout, B, 'view.fisher');
  const tangent = backend.alloc(P, 'view.tangent');
  const k = ws.outDim;
  const fwd = backend.record('view.forward', [gatherInputsOp(ws, split.x, B), ...forwardOps(ws, params, B)]);
  const rop = backend.record('view.rop', ropOps(ws, params, tangent, B));
  try {
    backend.write(ws.idx, idx);
    backend.run(fwd);
    const mu = Float64Array.from(await backend.read(ws.mu)).subarray(0, B * k);
    // jac[i][c·P + j] = ∂μ_ic/∂θ_j.
    const jac = Array.from({ length: B }, () => new Float64Array(k * P));
    for (let j = 0; j < P; j++) {
      if (j > 0) backend.write(tangent, [0], j - 1);
      backend.write(tangent, [1], j);
      backend.run(rop);
      const d = await backend.read(ws.dmu);
      for (let i = 0; i < B; i++) for (let c = 0; c < k; c++) jac[i]![c * P + j] = d[i * k + c]!;
    }
    const F = new Float64Array(P * P);
    for (let i = 0; i < B; i++) {
      const lam = outputFisher(likelihood, mu.subarray(i * k, (i + 1) * k), sigma);
      const J = jac[i]!;
      // Λ J (k×P), then F += Jᵀ (Λ J) / B.
      const lj = new Float64Array(k * P);
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const w = lam[a * k + b]!;
          if (w === 0) continue;
          for (let j = 0; j < P; j++) lj[a * P + j] = lj[a * P + j]! + w * J[b * P + j]!;
        }
      }
      for (let a = 0; a < k; a++) {
        for (let r = 0; r < P; r++) {
          const jr = J[a * P + r]! / B;
          if (jr === 0) continue;
          for (let c = 0; c < P; c++) F[r * P + c] = F[r * P + c]! + jr * lj[a * P + c]!;
        }
      }
    }
    return F;
  } finally {
    backend.release(fwd);
    backend.release(rop);
    backend.free(tangent);
    ws.dispose();
  }
}

/** The diagonal block of F (P×P) belonging to layer l: (m·p)² over row-major vec(W̄_l). */
export function fisherBlock(F: Float64Array, layout: ParamLayout, l: number): Float64Array {
  const P = layout.total;
  const { offset, size } = layout.layers[l]!;
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = F[(offset + i) * P + offset + j]!;
  return out;
}

/** F_γ⁻¹ = (F + γI)⁻¹ of a d×d block. */
export function dampedInverse(F: Float64Array, d: number, gamma: number): Float64Array {
  return spdInverse(addDiagonal(F, d, gamma), d);
}

/** ‖Q_l − F_γ,l⁻¹‖_F / ‖F_γ,l⁻¹‖_F for layer l, with F the whole model's exact Fisher. */
export async function inverseFisherError(
  fl: InverseFisherView,
  layout: ParamLayout,
  F: Float64Array,
  l: number,
  gamma: number,
): Promise<number> {
  const d = layout.layers[l]!.size;
  const q = await materializeQ(fl, layout, l);
  return relativeError(q, dampedInverse(fisherBlock(F, layout, l), d, gamma));
}
