/**
 * FishLeg's Q(λ) on the host in float64, from λ in host form (types.ts HostLambda): Q·U, the
 * materialised Q_l for small layers, and trace(Q_l) in closed form. The views and the switching of
 * approximations use it; it is written from the definition, independently of the op builders.
 */
import { hadamard, matmul } from './linalg.ts';
import type { HostLambda, LayerShape } from './types.ts';

/** Q(U) = Σ_t A∘[R_t (B² ∘ (R_tᵀ (A∘U) L_t)) L_tᵀ] for one m×p matrix U. */
export function hostApplyQ(h: HostLambda, s: LayerShape, u: ArrayLike<number>): Float64Array {
  const { m, p } = s;
  const au = h.A ? hadamard(h.A, u) : Float64Array.from(u);
  const b2 = h.B ? hadamard(h.B, h.B) : null;
  const out = new Float64Array(m * p);
  for (const { R, L } of h.terms) {
    let z = matmul(matmul(R, au, m, m, p, true), L, m, p, p);
    if (b2) z = hadamard(b2, z);
    const y = matmul(matmul(R, z, m, m, p), L, m, p, p, false, true);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + y[i]!;
  }
  return h.A ? hadamard(h.A, out) : out;
}

/** Q_l as a dense (m·p)×(m·p) matrix acting on row-major vec(U): column j is Q·e_j. */
export function materializeHostQ(h: HostLambda, s: LayerShape): Float64Array {
  const d = s.m * s.p;
  const q = new Float64Array(d * d);
  const e = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    const col = hostApplyQ(h, s, e);
    for (let i = 0; i < d; i++) q[i * d + j] = col[i]!;
  }
  return q;
}

/**
 * trace(Q_l) without materialising it: the (ij, ij) entry is A_ij² Σ_ab R_ia² B_ab² L_jb², so
 * trace = Σ_t Σ_ij A² ∘ [(R_t∘R_t)(B∘B)(L_t∘L_t)ᵀ] (= Σ_t ‖R_t‖²‖L_t‖² when A = B = 1).
 */
export function hostTraceQ(h: HostLambda, s: LayerShape): number {
  const { m, p } = s;
  const b2 = h.B ? hadamard(h.B, h.B) : new Float64Array(m * p).fill(1);
  const a2 = h.A ? hadamard(h.A, h.A) : null;
  let tr = 0;
  for (const { R, L } of h.terms) {
    const t = matmul(matmul(hadamard(R, R), b2, m, m, p), hadamard(L, L), m, p, p, false, true);
    for (let i = 0; i < t.length; i++) tr += a2 ? a2[i]! * t[i]! : t[i]!;
  }
  return tr;
}
