/**
 * FishLeg's arithmetic, counted two ways (docs/fishleg.md §5.7, docs/benchmarks.md §5): `countOps` sums the
 * multiply-adds of a recorded op list (so the count follows the code), and `fishLegFloor` gives, per layer and
 * program, the least the math needs for that shape and batch, every product in its cheapest association order.
 * The shape helpers here are also what the approximations use to pick an association, so the code and the
 * floor choose from the same candidates.
 */
import { layerKind } from '../layers/registry.ts';
import type { LayerLayout } from '../layers/types.ts';
import type { Op } from '../ops.ts';
import { windowOutput } from '../window.ts';
import type { LayerShape, FishLegApprox } from './types.ts';

/**
 * Multiply-adds of one op: m·n·k for a matmul; one per element written for elementwise ops, reductions,
 * activations, gathers and the likelihood ops (categorical Λ·v is cols per element: counted as such).
 */
export function opMacs(op: Op): number {
  switch (op.op) {
    case 'matmul':
      return op.m * op.n * op.k;
    case 'actForward':
    case 'actBackward':
    case 'nll':
    case 'outputGrad':
    case 'draw':
    case 'gather':
      return op.rows * op.cols;
    case 'fisherOutput':
      return op.rows * op.cols * (op.lik === 'categorical' ? 2 : 1);
    case 'reduce':
    case 'axpby':
    case 'hadamard':
    case 'fill':
    case 'sgd':
    case 'adam':
      return op.n;
    case 'im2col':
    case 'col2im':
    case 'poolForward':
    case 'poolBackward': {
      // One per window pixel of every output position and channel: a patch element moved, or a value pooled.
      const { oh, ow } = windowOutput(op);
      return op.batch * oh * ow * op.c * op.kh * op.kw;
    }
    case 'spdInverse':
      // Cholesky (d³/6), inverting L (d³/6) and L⁻ᵀL⁻¹ (d³/6), in multiply-adds.
      return Math.ceil(op.d ** 3 / 2);
    default: {
      const never: never = op;
      throw new Error(`no cost for op '${(never as { op: string }).op}'`);
    }
  }
}

export interface OpCount {
  /** Multiply-adds of every op. */
  readonly macs: number;
  /** Of which in matrix products. */
  readonly matmulMacs: number;
  readonly ops: number;
  readonly matmuls: number;
}

export const ZERO_COUNT: OpCount = { macs: 0, matmulMacs: 0, ops: 0, matmuls: 0 };

export function countOps(ops: readonly Op[]): OpCount {
  let macs = 0;
  let matmulMacs = 0;
  let matmuls = 0;
  for (const op of ops) {
    const c = opMacs(op);
    macs += c;
    if (op.op === 'matmul') {
      matmulMacs += c;
      matmuls++;
    }
  }
  return { macs, matmulMacs, ops: ops.length, matmuls };
}

export function addCounts(a: OpCount, b: OpCount, times = 1): OpCount {
  return {
    macs: a.macs + times * b.macs,
    matmulMacs: a.matmulMacs + times * b.matmulMacs,
    ops: a.ops + times * b.ops,
    matmuls: a.matmuls + times * b.matmuls,
  };
}

/** Cheapest multiply-adds of the chain product M_1·…·M_k, M_i of size dims[i−1]×dims[i] (matrix-chain order). */
export function chainCost(dims: readonly number[]): number {
  const k = dims.length - 1;
  const c: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let len = 2; len <= k; len++) {
    for (let i = 0; i + len - 1 < k; i++) {
      const j = i + len - 1;
      let best = Infinity;
      for (let s = i; s < j; s++)
        best = Math.min(best, c[i]![s]! + c[s + 1]![j]! + dims[i]! * dims[s + 1]! * dims[j + 1]!);
      c[i]![j] = best;
    }
  }
  return c[0]![k - 1]!;
}

/**
 * How block-Kron computes ∂S/∂R = (X + Xᵀ)·R with X = r P_L uᵀ (m×m; P_L symmetric makes u P_L rᵀ = Xᵀ), and
 * likewise ∂S/∂L = (Y + Yᵀ)·L with Y = uᵀ P_R r (p×p), for an m×p layer (d = m for R, p for L; e the other):
 * - 'sym':   X once (d·e² + d²·e), then X·R + Xᵀ·R: 2d³;
 * - 'both':  X and Xᵀ as two products (2(d·e² + d²·e)), summed, then one d³;
 * - 'outer': W_u = Rᵀ u P_L and W_r = Rᵀ r P_L (2(d²e + de²)), then r W_uᵀ + u W_rᵀ: 2d²e, never d³.
 */
export type KronGradForm = 'sym' | 'both' | 'outer';

export function kronGradFormCost(form: KronGradForm, d: number, e: number): number {
  const x = d * e * e + d * d * e;
  if (form === 'sym') return x + 2 * d * d * d;
  if (form === 'both') return 2 * x + d * d * d;
  return 2 * x + 2 * d * d * e;
}

/** The cheapest form for a factor of size d against the other side e (ties to 'sym', then 'both'). */
export function kronGradForm(d: number, e: number): KronGradForm {
  const forms: KronGradForm[] = ['sym', 'both', 'outer'];
  return forms.reduce((best, f) => (kronGradFormCost(f, d, e) < kronGradFormCost(best, d, e) ? f : best));
}

/** Multiply-adds per program, split into matrix products and the rest. */
export interface Floor {
  readonly matmul: number;
  readonly other: number;
}

const floor = (matmul: number, other = 0): Floor => ({ matmul, other });
export const total = (f: Floor): number => f.matmul + f.other;

/** The network as the floor sees it: its layers, whose kinds count their own products (layers/<kind>/). */
export interface FloorNet {
  readonly layers: readonly LayerLayout[];
}

/** Whether layer l costs an elementwise activation pass (every layer but an identity output layer). */
function activated(net: FloorNet, l: number): boolean {
  return !(l === net.layers.length - 1 && net.layers[l]!.act === 'identity');
}

/**
 * Forward and backward pass on `rows` rows without the weight gradients: each layer's forward product and
 * input gradient (a dense layer's S = Ā W̄ᵀ and dĀ = E W̄, whose bias column is never read), one pass per
 * activation, the gathers and the output gradient. What a training step needs before any optimizer; the
 * same for Adam and FishLeg.
 */
export function passFloor(net: FloorNet, rows: number): Floor {
  let mm = 0;
  let other = rows * net.layers[0]!.n + rows * net.layers.at(-1)!.m * 2; // gathers, output gradient
  net.layers.forEach((layer, l) => {
    const macs = layerKind(layer).macs(layer, rows);
    mm += macs.forward + (l > 0 ? macs.inputGrad : 0);
    if (activated(net, l)) other += 2 * rows * layer.m;
  });
  return floor(mm, other);
}

/** F·v by `ggn` on `rows` rows: forward, R-op (layer 0 has no dĀ term) and backward with weight products. */
export function ggnFloor(net: FloorNet, rows: number): Floor {
  let mm = 0;
  let other = rows * net.layers[0]!.n + rows * net.layers.at(-1)!.m;
  net.layers.forEach((layer, l) => {
    const macs = layerKind(layer).macs(layer, rows);
    mm += macs.forward;
    mm += macs.forward + (l > 0 ? macs.forwardTangent : 0); // R-op: the layer on V, and on the tangent dĀ
    mm += macs.weightGrad + (l > 0 ? macs.inputGrad : 0);
    if (activated(net, l)) other += 3 * rows * layer.m;
  });
  return floor(mm, other);
}

/** One Kronecker term P_R·U·P_L on a formed m×p matrix: m²p + mp² in either order. */
function kronDense({ m, p }: LayerShape): number {
  return m * m * p + m * p * p;
}

/**
 * One Kronecker term applied to the batch gradient G = (1/B)EᵀĀ: the cheapest association of
 * P_R·Eᵀ·Ā·P_L, forming G (B·m·p) included as one of the candidates.
 */
function kronOnBatchGrad({ m, p }: LayerShape, rows: number): number {
  return chainCost([m, m, rows, p, p]);
}

/** Per-layer floors of FishLeg's three programs. `step` includes forming the gradient it needs (B·m·p). */
export interface LayerFloor {
  /** Parameter step on an ordinary step: Q·G from E and Ā, and the momentum and parameter updates. */
  readonly step: Floor;
  /** Parameter step on an auxiliary step, where G is already formed for u. */
  readonly stepOnAux: Floor;
  /** The auxiliary update's per-layer part (F·v and the scalars excluded): v, r, Q·r, ∇_λS, Adam on λ. */
  readonly aux: Floor;
  /** The cache refresh at the end of an auxiliary update. */
  readonly refresh: Floor;
}

export interface FloorOptions {
  readonly approx: FishLegApprox;
  /** The layer's Kronecker rows of a batch (its batch size × kronPositions: output pixels for a conv layer). */
  readonly batch: number;
  readonly auxBatch: number;
  readonly preconditionAux: boolean;
}

export function layerFloor(s: LayerShape, o: FloorOptions): LayerFloor {
  const { m, p } = s;
  const mp = m * p;
  const B = o.batch;
  const formG = B * mp;
  const updates = 2 * mp; // momentum, parameters
  // u, r, Q·r are dense here; the factored form of u only helps where B < min(m, p).
  const factoredU = B < Math.min(m, p);
  if (o.approx === 'kron-diag') {
    const q = 2 * kronDense(s); // the elementwise A∘ and B²∘ fix the order: Rᵀ(A∘U)L, then R(·)Lᵀ
    // ∇_λS reuses the u-side products of v = Q u (H_u L, Z_u, R M_u, R M_u Lᵀ); the r side costs Q once more,
    // then ∂S/∂R = [H_uL | H_rL]·[M_r | M_u]ᵀ (2m²p) and ∂S/∂L = [H_u; H_r]ᵀ·[R M_r; R M_u] (2mp²).
    const grad = q + 2 * m * m * p + 2 * m * p * p;
    const lam = m * m + p * p + 2 * mp;
    return {
      step: floor(formG + q, 3 * mp + updates),
      stepOnAux: floor(q, 3 * mp + updates),
      aux: floor(q + (o.preconditionAux ? q : 0) + grad, 14 * mp + lam),
      refresh: floor(0, mp),
    };
  }
  const terms = o.approx === 'sum-kron' ? 2 : 1;
  const qg = Math.min(formG + terms * kronDense(s), terms * kronOnBatchGrad(s, B));
  const qu = terms * Math.min(kronDense(s), factoredU ? kronOnBatchGrad(s, B) : Infinity);
  const qr = o.preconditionAux ? terms * kronDense(s) : 0;
  const gR = kronGradFormCost(kronGradForm(m, p), m, p);
  const gL = kronGradFormCost(kronGradForm(p, m), p, m);
  const lam = terms * (m * m + p * p);
  return {
    step: floor(qg, updates + (terms - 1) * mp),
    stepOnAux: floor(Math.min(terms * kronDense(s), qg), updates + (terms - 1) * mp),
    aux: floor(qu + qr + terms * (gR + gL), 8 * mp + lam),
    refresh: floor(terms * (m * m * m + p * p * p)),
  };
}

/** The whole-model parts of an auxiliary update: F·v on the auxiliary batch and the norms and dot products. */
export function auxSharedFloor(net: FloorNet, o: FloorOptions): Floor {
  return ggnFloor(net, o.auxBatch);
}
