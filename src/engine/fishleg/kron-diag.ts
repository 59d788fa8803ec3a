/**
 * Kronecker + diagonal approximation (docs/fishleg.md §3): Q_l(U) = A∘[R (B² ∘ (Rᵀ (A∘U) L)) Lᵀ],
 * i.e. A(R⊗L)B²(Rᵀ⊗Lᵀ)A. λ_l = [R (m×m) | L (p×p) | A (m×p) | B (m×p)], cache = [B∘B]. The elementwise
 * A∘ breaks the factored form of Q·G, so the parameter step applies Q to the dense gradient.
 */
import { slice, type Tensor } from '../tensor.ts';
import { eye } from './linalg.ts';
import { axpby, gemm, hadamard } from './ops-util.ts';
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

function size({ m, p }: LayerShape): number {
  return m * m + p * p + 2 * m * p;
}

export const kronDiag: ApproxImpl = {
  name: 'kron-diag',
  terms: 1,
  scratch: ({ m, p }) => 9 * m * p,
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
  qDenseOps(st, u, out, arena) {
    const { m, p } = st.shape;
    const mp = m * p;
    const v = views(st);
    return arena.scoped(() => {
      const h = arena.take(mp);
      const t = arena.take(mp);
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
  gradOps(st, r, u, grad, arena) {
    // With H_x = A∘x, Z_x = Rᵀ H_x L and M_x = B²∘Z_x, S = Σ B²∘Z_r∘Z_u (docs/fishleg.md §5):
    // ∂S/∂B = 2B∘Z_r∘Z_u, ∂S/∂A = u∘(R M_r Lᵀ) + r∘(R M_u Lᵀ),
    // ∂S/∂R = H_u L M_rᵀ + H_r L M_uᵀ, ∂S/∂L = H_uᵀ R M_r + H_rᵀ R M_u.
    const { m, p } = st.shape;
    const mp = m * p;
    const v = views(st);
    const gR = slice(grad, 0, m * m);
    const gL = slice(grad, m * m, p * p);
    const gA = slice(grad, m * m + p * p, mp);
    const gB = slice(grad, m * m + p * p + mp, mp);
    return arena.scoped(() => {
      const [hr, hu, hrl, hul, zr, zu, rmr, rmu, t] = Array.from({ length: 9 }, () => arena.take(mp));
      return [
        hadamard(mp, v.A, r, hr!),
        hadamard(mp, v.A, u, hu!),
        gemm('nn', m, p, p, hr!, v.L, hrl!),
        gemm('nn', m, p, p, hu!, v.L, hul!),
        gemm('tn', m, p, m, v.R, hrl!, zr!),
        gemm('tn', m, p, m, v.R, hul!, zu!),
        hadamard(mp, zr!, zu!, t!),
        hadamard(mp, v.B, t!, gB, 2),
        hadamard(mp, v.B2, zr!, zr!), // zr ← M_r
        hadamard(mp, v.B2, zu!, zu!), // zu ← M_u
        gemm('nn', m, p, m, v.R, zr!, rmr!),
        gemm('nn', m, p, m, v.R, zu!, rmu!),
        gemm('nt', m, p, p, rmr!, v.L, t!),
        hadamard(mp, u, t!, gA),
        gemm('nt', m, p, p, rmu!, v.L, t!),
        hadamard(mp, r, t!, t!),
        axpby(mp, 1, gA, 1, t!, gA),
        gemm('nt', m, m, p, hul!, zr!, gR),
        gemm('nt', m, m, p, hrl!, zu!, gR, 1, 1),
        gemm('tn', p, p, m, hu!, rmr!, gL),
        gemm('tn', p, p, m, hr!, rmu!, gL, 1, 1),
      ];
    });
  },
};
