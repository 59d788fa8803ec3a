/**
 * Block-Kronecker approximation of the inverse Fisher (docs/fishleg.md §3): Q_l(U) = (R Rᵀ)·U·(L Lᵀ),
 * λ_l = [R (m×m) | L (p×p)], cache = [R Rᵀ | L Lᵀ] refreshed after each auxiliary update. The Kronecker
 * term helpers here are shared with the sum-of-Kronecker structure.
 */
import type { Op } from '../ops.ts';
import { slice, type Tensor } from '../tensor.ts';
import type { Arena } from '../curvature/arena.ts';
import { eye } from './linalg.ts';
import { kronGradForm, type KronGradForm } from './cost.ts';
import { gemm } from '../curvature/op-builders.ts';
import {
  factoredIsCheaper,
  type ApproxImpl,
  type FactoredGrad,
  type HostLambda,
  type KronTerm,
  type LayerShape,
  type LayerState,
} from './types.ts';

/** Device views of one Kronecker term: factors R, L and their cached Grams P_R = RRᵀ, P_L = LLᵀ. */
export interface KronViews {
  readonly R: Tensor;
  readonly L: Tensor;
  readonly PR: Tensor;
  readonly PL: Tensor;
}

/** Views of term `t` when λ and the cache hold consecutive [R, L] pairs. */
export function kronViews(st: LayerState, t: number): KronViews {
  const { m, p } = st.shape;
  const o = t * (m * m + p * p);
  return {
    R: slice(st.lam, o, m * m),
    L: slice(st.lam, o + m * m, p * p),
    PR: slice(st.cache, o, m * m),
    PL: slice(st.cache, o + m * m, p * p),
  };
}

/** P_R = R·Rᵀ, P_L = L·Lᵀ. */
export function kronRefreshOps(s: LayerShape, k: KronViews): Op[] {
  const { m, p } = s;
  return [gemm('nt', m, m, m, k.R, k.R, k.PR), gemm('nt', p, p, p, k.L, k.L, k.PL)];
}

/** out (+)= P_R·U·P_L (beta = 1 accumulates). */
export function kronQDenseOps(s: LayerShape, k: KronViews, u: Tensor, out: Tensor, arena: Arena, beta = 0): Op[] {
  const { m, p } = s;
  return arena.scoped(() => {
    const t = arena.take(m * p);
    return [gemm('nn', m, p, m, k.PR, u, t), gemm('nn', m, p, p, t, k.PL, out, 1, beta)];
  });
}

/** out (+)= P_R·(scale·EᵀĀ)·P_L = scale·(E P_R)ᵀ(Ā P_L): B(m² + p² + mp) multiply-adds, no dense G. */
export function kronQFactoredOps(
  s: LayerShape,
  k: KronViews,
  g: FactoredGrad,
  out: Tensor,
  arena: Arena,
  beta = 0,
): Op[] {
  const { m, p } = s;
  const B = g.rows;
  return arena.scoped(() => {
    const x = arena.take(B * m);
    const y = arena.take(B * p);
    return [
      gemm('nn', B, m, m, g.e, k.PR, x), // E·P_R = (P_R·Eᵀ)ᵀ, P_R symmetric
      gemm('nn', B, p, p, g.a, k.PL, y),
      gemm('tn', m, p, B, x, y, out, g.scale, beta),
    ];
  });
}

/**
 * ∇ of S = ⟨r, P_R u P_L⟩: ∂S/∂R = (r P_L uᵀ + u P_L rᵀ) R and ∂S/∂L = (uᵀ P_R r + rᵀ P_R u) L
 * (docs/fishleg.md §5), written to gR (m×m) and gL (p×p). Each is associated in the cheapest of three
 * forms for the layer's shape (cost.ts `kronGradForm`), so no d³ product is formed where d²·e products give
 * the same result.
 */
export function kronGradOps(
  s: LayerShape,
  k: KronViews,
  r: Tensor,
  u: Tensor,
  gR: Tensor,
  gL: Tensor,
  arena: Arena,
): Op[] {
  const { m, p } = s;
  return [
    ...arena.scoped(() => gradR(m, p, kronGradForm(m, p), k, r, u, gR, arena)),
    ...arena.scoped(() => gradL(m, p, kronGradForm(p, m), k, r, u, gL, arena)),
  ];
}

/** Scratch elements kronGradOps takes for one term (memory estimates). */
/** Scratch of a Kronecker structure of `terms` terms: Q·u, Q·G in factored form where cheaper, λ's gradient. */
export const kronScratchOf =
  (terms: number) =>
  (s: LayerShape, batch: number): number =>
    Math.max(s.m * s.p, factoredIsCheaper(s, batch, terms) ? batch * (s.m + s.p) : 0, kronGradScratch(s));

export function kronGradScratch({ m, p }: LayerShape): number {
  const need = (d: number, e: number): number => {
    const form = kronGradForm(d, e);
    return form === 'outer' ? 3 * d * e : form === 'sym' ? d * e + d * d : 2 * d * e + d * d;
  };
  return Math.max(need(m, p), need(p, m));
}

/** gR = (X + Xᵀ)R, X = r P_L uᵀ (m×m), P_L symmetric so that u P_L rᵀ = Xᵀ. */
function gradR(
  m: number,
  p: number,
  form: KronGradForm,
  k: KronViews,
  r: Tensor,
  u: Tensor,
  gR: Tensor,
  arena: Arena,
): Op[] {
  const x = arena.take(m * p);
  if (form === 'outer') {
    // gR = r·(Rᵀ u P_L)ᵀ + u·(Rᵀ r P_L)ᵀ: never an m×m×m product.
    const wu = arena.take(m * p);
    const wr = arena.take(m * p);
    return [
      gemm('nn', m, p, p, u, k.PL, x),
      gemm('tn', m, p, m, k.R, x, wu),
      gemm('nn', m, p, p, r, k.PL, x),
      gemm('tn', m, p, m, k.R, x, wr),
      gemm('nt', m, m, p, r, wu, gR),
      gemm('nt', m, m, p, u, wr, gR, 1, 1),
    ];
  }
  const sq = arena.take(m * m);
  if (form === 'sym') {
    return [
      gemm('nn', m, p, p, r, k.PL, x),
      gemm('nt', m, m, p, x, u, sq),
      gemm('nn', m, m, m, sq, k.R, gR),
      gemm('tn', m, m, m, sq, k.R, gR, 1, 1),
    ];
  }
  const y = arena.take(m * p);
  return [
    gemm('nn', m, p, p, r, k.PL, x),
    gemm('nn', m, p, p, u, k.PL, y),
    gemm('nt', m, m, p, x, u, sq),
    gemm('nt', m, m, p, y, r, sq, 1, 1),
    gemm('nn', m, m, m, sq, k.R, gR),
  ];
}

/** gL = (Y + Yᵀ)L, Y = uᵀ P_R r (p×p), P_R symmetric so that rᵀ P_R u = Yᵀ. */
function gradL(
  m: number,
  p: number,
  form: KronGradForm,
  k: KronViews,
  r: Tensor,
  u: Tensor,
  gL: Tensor,
  arena: Arena,
): Op[] {
  const x = arena.take(m * p);
  if (form === 'outer') {
    // gL = uᵀ·(P_R r L) + rᵀ·(P_R u L): never a p×p×p product.
    const wr = arena.take(m * p);
    const wu = arena.take(m * p);
    return [
      gemm('nn', m, p, m, k.PR, r, x),
      gemm('nn', m, p, p, x, k.L, wr),
      gemm('nn', m, p, m, k.PR, u, x),
      gemm('nn', m, p, p, x, k.L, wu),
      gemm('tn', p, p, m, u, wr, gL),
      gemm('tn', p, p, m, r, wu, gL, 1, 1),
    ];
  }
  const sq = arena.take(p * p);
  if (form === 'sym') {
    return [
      gemm('nn', m, p, m, k.PR, r, x),
      gemm('tn', p, p, m, u, x, sq),
      gemm('nn', p, p, p, sq, k.L, gL),
      gemm('tn', p, p, p, sq, k.L, gL, 1, 1),
    ];
  }
  const y = arena.take(m * p);
  return [
    gemm('nn', m, p, m, k.PR, r, x),
    gemm('nn', m, p, m, k.PR, u, y),
    gemm('tn', p, p, m, u, x, sq),
    gemm('tn', p, p, m, r, y, sq, 1, 1),
    gemm('nn', p, p, p, sq, k.L, gL),
  ];
}

/** Unpacks `count` consecutive [R, L] pairs. */
export function unpackTerms(lam: ArrayLike<number>, s: LayerShape, count: number): KronTerm[] {
  const { m, p } = s;
  const terms: KronTerm[] = [];
  let o = 0;
  for (let t = 0; t < count; t++) {
    const R = Float64Array.from({ length: m * m }, (_, i) => lam[o + i]!);
    o += m * m;
    const L = Float64Array.from({ length: p * p }, (_, i) => lam[o + i]!);
    o += p * p;
    terms.push({ R, L });
  }
  return terms;
}

/** Packs Kronecker terms as consecutive [R, L] pairs into out from offset 0. */
export function packTerms(terms: readonly KronTerm[], out: Float64Array): void {
  let o = 0;
  for (const { R, L } of terms) {
    out.set(R, o);
    o += R.length;
    out.set(L, o);
    o += L.length;
  }
}

/** R = L = s^¼·I, so that R Rᵀ ⊗ L Lᵀ = s·I. */
export function scaledIdentityTerm(s: LayerShape, scale: number): KronTerm {
  const q = Math.pow(scale, 0.25);
  return { R: eye(s.m, q), L: eye(s.p, q) };
}

export class StructureMismatchError extends Error {
  override readonly name = 'StructureMismatchError';
}

export const blockKron: ApproxImpl = {
  name: 'block-kron',
  terms: 1,
  scratch: kronScratchOf(1),
  lambdaSize: ({ m, p }) => m * m + p * p,
  cacheSize: ({ m, p }) => m * m + p * p,
  init: (s, scale) => ({ terms: [scaledIdentityTerm(s, scale)] }),
  unpack: (lam, s) => ({ terms: unpackTerms(lam, s, 1) }),
  pack(h: HostLambda, s) {
    if (h.terms.length !== 1 || h.A || h.B)
      throw new StructureMismatchError('block-Kron λ holds exactly one Kronecker term');
    const out = new Float64Array(blockKron.lambdaSize(s));
    packTerms(h.terms, out);
    return out;
  },
  refreshOps: (st) => kronRefreshOps(st.shape, kronViews(st, 0)),
  qDenseOps: (st, u, out, arena) => kronQDenseOps(st.shape, kronViews(st, 0), u, out, arena),
  qFactoredOps: (st: LayerState, g: FactoredGrad, out: Tensor, arena: Arena) =>
    kronQFactoredOps(st.shape, kronViews(st, 0), g, out, arena),
  gradOps(st, r, u, grad, arena) {
    const { m, p } = st.shape;
    return kronGradOps(st.shape, kronViews(st, 0), r, u, slice(grad, 0, m * m), slice(grad, m * m, p * p), arena);
  },
};
