/**
 * What every inverse-Fisher approximation (docs/fishleg.md §3) provides: the size of its auxiliary
 * parameters λ and cached products per layer, their host form, and op builders for Q·U, Q·G in factored
 * form and ∇_λ⟨r, Q(λ)u⟩. One flat λ buffer holds every layer's segment, so Adam on λ is one dispatch.
 */
import type { KronShape } from '../layers/types.ts';
import type { Op } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import type { Arena } from '../curvature/arena.ts';

/** FishLeg's structured inverse-Fisher approximations (docs/fishleg.md §3). */
export type FishLegApprox = 'block-kron' | 'kron-diag' | 'sum-kron';
export const FISHLEG_APPROXES = ['block-kron', 'kron-diag', 'sum-kron'] as const satisfies readonly FishLegApprox[];

/**
 * A layer as FishLeg sees it: the Kronecker sides its kind offers (layers/types.ts), its parameters an m×p
 * matrix U with R on the m side and L on the p side (a dense layer: W̄ with p = n + 1, bias column last).
 */
export type LayerShape = KronShape;

/** One Kronecker factor pair: R is m×m, L is p×p (row-major). */
export interface KronTerm {
  readonly R: Float64Array;
  readonly L: Float64Array;
}

/**
 * λ of one layer on the host, in one form for all three structures:
 * Q(U) = Σ_t A∘[R_t (B² ∘ (R_tᵀ (A∘U) L_t)) L_tᵀ], with A = B = 1 (absent) for block-Kron and sum-Kron.
 */
export interface HostLambda {
  readonly terms: readonly KronTerm[];
  /** Kron+diag's elementwise scalings, m×p each. */
  readonly A?: Float64Array;
  readonly B?: Float64Array;
}

/** Views of one layer's state inside the flat buffers. */
export interface LayerState {
  readonly shape: LayerShape;
  /** This layer's λ segment. */
  readonly lam: Tensor;
  /** Cached products of λ (R·Rᵀ, L·Lᵀ, B²), refreshed after every auxiliary update. */
  readonly cache: Tensor;
}

/** Per-example errors E (rows×m) and inputs Ā (rows×p) of a batch, G = scale·EᵀĀ. */
export interface FactoredGrad {
  readonly e: Tensor;
  readonly a: Tensor;
  readonly rows: number;
  readonly scale: number;
}

export interface ApproxImpl {
  readonly name: FishLegApprox;
  /** Kronecker terms Q·G applies per layer (the factored-form cost is proportional to it). */
  readonly terms: number;
  /** A bound on the arena scratch (floats) its op builders need for one layer at `batch` rows (memory.ts). */
  scratch(s: LayerShape, batch: number): number;
  lambdaSize(s: LayerShape): number;
  cacheSize(s: LayerShape): number;
  /** Q₀ = scale·I (docs/fishleg.md §3); `normal` draws N(0, 1) from Stream.fishlegInit. */
  init(s: LayerShape, scale: number, normal: () => number): HostLambda;
  /** Reads a layer's λ segment into host form. */
  unpack(lam: ArrayLike<number>, s: LayerShape): HostLambda;
  /** Writes host form into a λ segment (the structure must match). */
  pack(h: HostLambda, s: LayerShape): Float64Array;
  /** Recomputes the layer's cache from λ. */
  refreshOps(st: LayerState): Op[];
  /**
   * Elements per layer that qDenseOps may leave in `keep` for a gradOps on the same u and λ (intermediate
   * products of Q·u that ∇λS needs again); absent where nothing is worth keeping.
   */
  keepSize?(s: LayerShape): number;
  /** out = Q(λ)·u for a dense m×p u (out must not overlap u); with `keep`, also leaves what gradOps reuses. */
  qDenseOps(st: LayerState, u: Tensor, out: Tensor, arena: Arena, keep?: Tensor): Op[];
  /** out = Q(λ)·G with G = scale·EᵀĀ, never forming G; null where the structure needs the dense G. */
  readonly qFactoredOps: ((st: LayerState, g: FactoredGrad, out: Tensor, arena: Arena) => Op[]) | null;
  /**
   * grad = ∇_λ ⟨r, Q(λ)u⟩ for this layer's λ segment (r, u dense m×p); `keep` as filled by qDenseOps on this u
   * and λ, or absent to compute everything here.
   */
  gradOps(st: LayerState, r: Tensor, u: Tensor, grad: Tensor, arena: Arena, keep?: Tensor): Op[];
}

/** Multiply-adds of Q·G in factored form versus on the dense G: factored wins when rows < ~min(m, p). */
export function factoredIsCheaper(s: LayerShape, rows: number, terms: number): boolean {
  const { m, p } = s;
  return terms * rows * (m * m + p * p + m * p) < terms * m * p * (m + p);
}
