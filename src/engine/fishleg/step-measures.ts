/**
 * Measures of how good FishLeg's STEP is on one layer, rather than how close Q_l is to (F + γI)⁻¹ entry by
 * entry. Once a model is confident its Fisher is tiny in most directions and (F + γI)⁻¹ ≈ I/γ there: the matrix
 * error is then dominated by directions the gradient never visits (so the auxiliary loss cannot correct them)
 * and says little about the step. These look at what the step does with the gradient g instead:
 * - cos(Q·g, F_γ⁻¹g): the angle between FishLeg's preconditioned gradient and the exact natural gradient;
 *   cos(g, F_γ⁻¹g) is the same for the plain gradient (SGD's direction, before momentum);
 * - the auxiliary loss A = ½vᵀF_γv − ûᵀv, v = Qû, û = g/‖g‖, against its minimum over all Q,
 *   A* = −½ûᵀF_γ⁻¹û (reached at Qû = F_γ⁻¹û);
 * - Q's spectrum in F's eigenbasis: u_jᵀQu_j against the exact 1/(λ_j + γ), with g's share along u_j.
 * Those use the layer's own block F_l, as Q_l's heat map does. FishLeg's auxiliary loss sees the whole F (the
 * other layers' blocks and the cross-layer ones), so for small models `wholeStepMeasures` also compares the
 * whole step Q·g with the whole model's natural gradient. Host float64, from the layer's eigendecomposition
 * (layer-fisher.ts) or the whole model's exact Fisher (views.ts), and λ in host form.
 */
import { kronShape } from '../layers/registry.ts';
import type { ParamLayout } from '../model/mlp.ts';
import { hostApplyQ, hostTraceQ } from './host-q.ts';
import { applyDampedFisher, applyDampedInverse, eigenCoordinates, type LayerFisherEigen } from './layer-fisher.ts';
import { addDiagonal, cholesky } from './linalg.ts';
import type { HostLambda, LayerShape } from './types.ts';

/** Q_l's diagonal in F_l's eigenbasis next to the exact damped inverse's. */
export interface QSpectrum {
  /** λ_j of F_l for the listed directions (the largest), descending. */
  readonly lambda: Float64Array;
  /** u_jᵀ Q u_j. */
  readonly q: Float64Array;
  /** (u_jᵀ ĝ)²: the share of the gradient's squared length along u_j (the shares of all d directions sum to 1). */
  readonly share: Float64Array;
  /**
   * Every direction not listed, as one aggregate: smaller eigenvalues and the null space of F_l (F_l's rank is
   * at most rows × rank Λ). dims = 0 when all d are listed. meanQ comes from trace(Q) − Σ listed.
   */
  readonly rest: {
    readonly dims: number;
    readonly meanQ: number;
    /** Mean of the exact 1/(λ + γ) over these directions (1/γ on the null space). */
    readonly meanTarget: number;
    readonly share: number;
  };
}

export interface StepMeasures {
  /** cos(Q·g, (F + γI)⁻¹g) on the layer's block. */
  readonly cosFishLeg: number;
  /** cos(g, (F + γI)⁻¹g) on the layer's block. */
  readonly cosGradient: number;
  /** ‖Q·g‖ / ‖(F + γI)⁻¹g‖: whether the step's length is right too. */
  readonly lengthRatio: number;
  /** A at the current Q for û = g/‖g‖. */
  readonly auxLoss: number;
  /** A* = −½ ûᵀ(F + γI)⁻¹û, the smallest A any Q can reach. */
  readonly auxOptimum: number;
  /** ‖g‖ of the layer's gradient. */
  readonly gradNorm: number;
  readonly spectrum: QSpectrum;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

/** Directions whose u_jᵀQu_j is computed one by one (one Q·u each); the rest are summed through trace(Q). */
export const MAX_LISTED = 128;

/** The step measures of one layer; null when g = 0 (no step taken yet). */
export function stepMeasures(
  eig: LayerFisherEigen,
  lambda: HostLambda,
  shape: LayerShape,
  g: ArrayLike<number>,
  gamma: number,
  maxListed = MAX_LISTED,
): StepMeasures | null {
  const { d } = eig;
  if (g.length !== d || shape.m * shape.p !== d) {
    throw new RangeError(`the layer has ${d} weights; got a gradient of ${g.length} and Q of ${shape.m * shape.p}`);
  }
  const gn = Math.sqrt(dot(g, g));
  if (!(gn > 0) || !Number.isFinite(gn)) return null;
  const u = Float64Array.from(g, (x) => x / gn);
  const nat = applyDampedInverse(eig, gamma, u);
  const v = hostApplyQ(lambda, shape, u);
  const fv = applyDampedFisher(eig, gamma, v);
  const listed = Math.min(eig.values.length, maxListed);
  const q = new Float64Array(listed);
  for (let j = 0; j < listed; j++) {
    const uj = eig.vectors.subarray(j * d, (j + 1) * d);
    q[j] = dot(uj, hostApplyQ(lambda, shape, uj));
  }
  const share = eigenCoordinates(eig, u).map((x) => x * x);
  const dims = d - listed;
  let restTarget = (d - eig.values.length) / gamma;
  for (let j = listed; j < eig.values.length; j++) restTarget += 1 / (eig.values[j]! + gamma);
  const sum = (x: Float64Array, from: number, to: number) => x.subarray(from, to).reduce((s, y) => s + y, 0);
  return {
    cosFishLeg: cosine(v, nat),
    cosGradient: cosine(u, nat),
    lengthRatio: Math.sqrt(dot(v, v) / dot(nat, nat)),
    auxLoss: 0.5 * dot(v, fv) - dot(u, v),
    auxOptimum: -0.5 * dot(u, nat),
    gradNorm: gn,
    spectrum: {
      lambda: eig.values.slice(0, listed),
      q,
      share: share.slice(0, listed),
      rest: {
        dims,
        meanQ: dims > 0 ? (hostTraceQ(lambda, shape) - sum(q, 0, listed)) / dims : Number.NaN,
        meanTarget: dims > 0 ? restTarget / dims : Number.NaN,
        share: Math.max(0, 1 - sum(share, 0, listed)),
      },
    },
  };
}

/** FishLeg's whole step against the whole model's natural gradient, and one layer's part of both. */
export interface WholeStepMeasures {
  /** cos(Q·g, (F + γI)⁻¹g) over all parameters (F the whole model's Fisher, cross-layer blocks included). */
  readonly cosFishLeg: number;
  readonly cosGradient: number;
  /** The same with both vectors cut to the inspected layer's coordinates. */
  readonly layerCosFishLeg: number;
  readonly layerCosGradient: number;
}

/** Solves (F + γI) x = g through the Cholesky factor (F is P×P). */
function dampedSolve(F: Float64Array, P: number, gamma: number, g: ArrayLike<number>): Float64Array {
  const l = cholesky(addDiagonal(F, P, gamma), P);
  const y = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= l[i * P + k]! * y[k]!;
    y[i] = s / l[i * P + i]!;
  }
  const x = new Float64Array(P);
  for (let i = P - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < P; k++) s -= l[k * P + i]! * x[k]!;
    x[i] = s / l[i * P + i]!;
  }
  return x;
}

/**
 * The whole-model comparison: FishLeg's Q is block-diagonal but its auxiliary loss uses the whole F, so what
 * it aims at is the whole model's natural gradient. Null when g = 0.
 */
export function wholeStepMeasures(
  F: Float64Array,
  layout: ParamLayout,
  lambdas: readonly HostLambda[],
  g: Float64Array,
  gamma: number,
  layer: number,
): WholeStepMeasures | null {
  const P = layout.total;
  if (!(dot(g, g) > 0) || !Number.isFinite(dot(g, g))) return null;
  const nat = dampedSolve(F, P, gamma, g);
  const qg = new Float64Array(P);
  layout.layers.forEach((l, k) => {
    // A layer without parameters (pooling) has nothing to precondition.
    if (l.size > 0) qg.set(hostApplyQ(lambdas[k]!, kronShape(l), g.subarray(l.offset, l.offset + l.size)), l.offset);
  });
  const { offset, size } = layout.layers[layer]!;
  const cut = (x: Float64Array) => x.subarray(offset, offset + size);
  return {
    cosFishLeg: cosine(qg, nat),
    cosGradient: cosine(g, nat),
    layerCosFishLeg: cosine(cut(qg), cut(nat)),
    layerCosGradient: cosine(cut(g), cut(nat)),
  };
}
