/**
 * Sum of two Kronecker terms (docs/fishleg.md §3): Q_l(U) = Σ_{k=1,2} (R_k R_kᵀ)·U·(L_k L_kᵀ),
 * λ_l = [R_1 | L_1 | R_2 | L_2], cache = the four Grams. Term 1 starts as block-Kron's s·I and term 2
 * small and random (entries ~ N(0, (0.1·s^¼)²/dim)) so that its gradient is not zero.
 */
import type { Op } from '../ops.ts';
import { slice } from '../tensor.ts';
import {
  kronGradOps,
  kronQDenseOps,
  kronQFactoredOps,
  kronRefreshOps,
  kronViews,
  packTerms,
  scaledIdentityTerm,
  StructureMismatchError,
  unpackTerms,
  kronScratchOf,
} from './block-kron.ts';
import { type ApproxImpl, type HostLambda, type KronTerm, type LayerShape } from './types.ts';

const TERMS = 2;

/** A small random Kronecker term: entries ~ N(0, (0.1·scale^¼)²/dim) for R (dim m) and L (dim p). */
export function smallRandomTerm(s: LayerShape, scale: number, normal: () => number): KronTerm {
  const q = 0.1 * Math.pow(scale, 0.25);
  const R = Float64Array.from({ length: s.m * s.m }, () => (q / Math.sqrt(s.m)) * normal());
  const L = Float64Array.from({ length: s.p * s.p }, () => (q / Math.sqrt(s.p)) * normal());
  return { R, L };
}

const termSize = ({ m, p }: LayerShape): number => m * m + p * p;

export const sumKron: ApproxImpl = {
  name: 'sum-kron',
  terms: TERMS,
  scratch: kronScratchOf(TERMS),
  lambdaSize: (s) => TERMS * termSize(s),
  cacheSize: (s) => TERMS * termSize(s),
  init: (s, scale, normal) => ({ terms: [scaledIdentityTerm(s, scale), smallRandomTerm(s, scale, normal)] }),
  unpack: (lam, s) => ({ terms: unpackTerms(lam, s, TERMS) }),
  pack(h: HostLambda, s) {
    if (h.terms.length !== TERMS || h.A || h.B)
      throw new StructureMismatchError('sum-of-Kron λ holds exactly two Kronecker terms');
    const out = new Float64Array(TERMS * termSize(s));
    packTerms(h.terms, out);
    return out;
  },
  refreshOps: (st) => [0, 1].flatMap((t) => kronRefreshOps(st.shape, kronViews(st, t))),
  qDenseOps: (st, u, out, arena) => [0, 1].flatMap((t) => kronQDenseOps(st.shape, kronViews(st, t), u, out, arena, t)),
  qFactoredOps: (st, g, out, arena) =>
    [0, 1].flatMap((t) => kronQFactoredOps(st.shape, kronViews(st, t), g, out, arena, t)),
  gradOps(st, r, u, grad, arena): Op[] {
    const { m, p } = st.shape;
    const ts = termSize(st.shape);
    return [0, 1].flatMap((t) =>
      kronGradOps(
        st.shape,
        kronViews(st, t),
        r,
        u,
        slice(grad, t * ts, m * m),
        slice(grad, t * ts + m * m, p * p),
        arena,
      ),
    );
  },
};
