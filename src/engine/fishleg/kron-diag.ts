/**
 * Kronecker + diagonal approximation (docs/fishleg.md §3): Q_l(U) = A∘[R (B² ∘ (Rᵀ (A∘U) L)) Lᵀ],
 * i.e. A(R⊗L)B²(Rᵀ⊗Lᵀ)A. λ_l = [R (m×m) | L (p×p) | A (m×p) | B (m×p)], cache = [B∘B]. The elementwise
 * A∘ breaks the factored form of Q·G, so the parameter step applies Q to the dense gradient.
 */
import type { Op } from '../ops.ts';
import { slice, type Tensor } from '../tensor.ts';
import { eye } from './linalg.ts';
import { axpby, gemm, hadamard } from '../curvature/op-builders.ts';
import { StructureMismatchError } from './block-kron.ts';
import type { ApproxImpl, HostLambda, LayerShape, LayerState } from './types.ts';

interface KdViews {
  readonly R: Tensor;
  readonly L: Tensor;
  readonly A: Tensor;
  readonly B: Tensor;
  readonly B2: Tensor;
}

function views(st: LayerState): KdViews {
  const { m, p } = st.shape;
  const mp = m * p;
  return {
    R: slice(st.lam, 0, m * m),
    L: slice(st.lam, m * m, p * p),
    A: slice(st.lam, m * m + p * p, mp),
    B: slice(st.lam, m * m + p * p + mp, mp),
    B2: slice(st.cache, 0, mp),
  };
}

/** What v = Q·u leaves for ∇λS in `keep` (4·m·p): H_u L, Z_u, R M_u, R M_u Lᵀ. */
interface KeptViews {
  readonly hl: Tensor;
  readonly z: Tensor;
  readonly rm: Tensor;
  readonly rml: Tensor;
}

function keptViews(keep: Tensor, mp: number): KeptViews {
  return { hl: slice(keep, 0, mp), z: slice(keep, mp, mp), rm: slice(keep, 2 * mp, mp), rml: slice(keep, 3 * mp, mp) };
}

function size({ m, p }: LayerShape): number {
  return m * m + p * p + 2 * m * p;
}

export const kronDiag: ApproxImpl = {
  name: 'kron-diag',
  terms: 1,
  scratch: ({ m, p }) => 7 * m * p,
  lambdaSize: size,
  cacheSize: ({ m, p }) => m * p,
  init: (s, scale) => ({
    terms: [{ R: eye(s.m), L: eye(s.p) }],
    A: new Float64Array(s.m * s.p).fill(Math.sqrt(scale)),
    B: new Float64Array(s.m * s.p).fill(1),
  }),
  unpack(lam, s) {
    const { m, p } = s;
    const at = (o: number, n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => lam[o + i]!);
    return {
      terms: [{ R: at(0, m * m), L: at(m * m, p * p) }],
      A: at(m * m + p * p, m * p),
      B: at(m * m + p * p + m * p, m * p),
    };
  },
  pack(h: HostLambda, s) {
    if (h.terms.length !== 1 || !h.A || !h.B)
      throw new StructureMismatchError('Kron+diag λ holds one Kronecker term, A and B');
    const { m, p } = s;
    const out = new Float64Array(size(s));
    out.set(h.terms[0]!.R, 0);
    out.set(h.terms[0]!.L, m * m);
    out.set(h.A, m * m + p * p);
    out.set(h.B, m * m + p * p + m * p);
    return out;
  },
  refreshOps(st) {
    const v = views(st);
    const mp = st.shape.m * st.shape.p;
    return [hadamard(mp, v.B, v.B, v.B2)];
  },
  keepSize: ({ m, p }) => 4 * m * p,
  qDenseOps(st, u, out, arena, keep) {
    const { m, p } = st.shape;
    const mp = m * p;
    const v = views(st);
    return arena.scoped(() => {
      const h = arena.take(mp);
      const t = arena.take(mp);
      if (keep) {
        // The u side of ∇λS (gradOps): H_u L, Z_u, R M_u and R M_u Lᵀ stay in `keep`.
        const k = keptViews(keep, mp);
        return [
          hadamard(mp, v.A, u, h),
          gemm('nn', m, p, p, h, v.L, k.hl),
          gemm('tn', m, p, m, v.R, k.hl, k.z), // Z = Rᵀ(A∘U)L
          hadamard(mp, v.B2, k.z, h),
          gemm('nn', m, p, m, v.R, h, k.rm),
          gemm('nt', m, p, p, k.rm, v.L, k.rml),
          hadamard(mp, v.A, k.rml, out),
        ];
      }
      return [
        hadamard(mp, v.A, u, h),
        gemm('nn', m, p, p, h, v.L, t),
        gemm('tn', m, p, m, v.R, t, h), // Z = Rᵀ(A∘U)L
        hadamard(mp, v.B2, h, h),
        gemm('nn', m, p, m, v.R, h, t),
        gemm('nt', m, p, p, t, v.L, h),
        hadamard(mp, v.A, h, out),
      ];
    });
  },
  qFactoredOps: null,
  gradOps(st, r, u, grad, arena, keep) {
    // With H_x = A∘x, Z_x = Rᵀ H_x L and M_x = B²∘Z_x, S = Σ B²∘Z_r∘Z_u (docs/fishleg.md §5):
    // ∂S/∂B = 2B∘Z_r∘Z_u, ∂S/∂A = u∘(R M_r Lᵀ) + r∘(R M_u Lᵀ),
    // ∂S/∂R = H_u L M_rᵀ + H_r L M_uᵀ, ∂S/∂L = H_uᵀ R M_r + H_rᵀ R M_u.
    // The u side comes from `keep` when v = Q·u left it there; otherwise it is computed here.
    const { m, p } = st.shape;
    const mp = m * p;
    const v = views(st);
    const gR = slice(grad, 0, m * m);
    const gL = slice(grad, m * m, p * p);
    const gA = slice(grad, m * m + p * p, mp);
    const gB = slice(grad, m * m + p * p + mp, mp);
    return arena.scoped(() => {
      const [hr, hu, hrl, zr, rmr, t, mu] = Array.from({ length: 7 }, () => arena.take(mp));
      const ops: Op[] = [hadamard(mp, v.A, r, hr!), hadamard(mp, v.A, u, hu!)];
      let k: KeptViews;
      if (keep) {
        k = keptViews(keep, mp);
      } else {
        k = { hl: arena.take(mp), z: arena.take(mp), rm: arena.take(mp), rml: arena.take(mp) };
        ops.push(
          gemm('nn', m, p, p, hu!, v.L, k.hl),
          gemm('tn', m, p, m, v.R, k.hl, k.z),
          hadamard(mp, v.B2, k.z, mu!),
          gemm('nn', m, p, m, v.R, mu!, k.rm),
          gemm('nt', m, p, p, k.rm, v.L, k.rml),
        );
      }
      ops.push(
        gemm('nn', m, p, p, hr!, v.L, hrl!),
        gemm('tn', m, p, m, v.R, hrl!, zr!),
        hadamard(mp, zr!, k.z, t!),
        hadamard(mp, v.B, t!, gB, 2),
        hadamard(mp, v.B2, zr!, zr!), // zr ← M_r
        hadamard(mp, v.B2, k.z, mu!), // M_u
        gemm('nn', m, p, m, v.R, zr!, rmr!),
        gemm('nt', m, p, p, rmr!, v.L, t!),
        hadamard(mp, u, t!, gA),
        hadamard(mp, r, k.rml, t!),
        axpby(mp, 1, gA, 1, t!, gA),
        gemm('nt', m, m, p, k.hl, zr!, gR),
        gemm('nt', m, m, p, hrl!, mu!, gR, 1, 1),
        gemm('tn', p, p, m, hu!, rmr!, gL),
        gemm('tn', p, p, m, hr!, k.rm, gL, 1, 1),
      );
      return ops;
    });
  },
};
