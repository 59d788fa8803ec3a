/**
 * Shared helpers of the FishLeg tests: an explicit-Kronecker host reference of Q_l (written from the
 * definitions in docs/fishleg.md §3, independent of the op builders and of host-q.ts), random λ, and
 * one-shot execution of a layer's op builders on a CPU backend.
 */
import { withScratch, type Arena } from '../../src/engine/curvature/arena.ts';
import type { ApproxImpl, HostLambda, LayerShape, LayerState } from '../../src/engine/fishleg/types.ts';
import type { CpuBackend } from '../../src/engine/cpu/backend.ts';
import type { Op } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

/** K = A ⊗ B for A (ma×na), B (mb×nb): K[i·mb + k, j·nb + l] = A[i,j]·B[k,l]. */
export function kron(
  a: ArrayLike<number>,
  ma: number,
  na: number,
  b: ArrayLike<number>,
  mb: number,
  nb: number,
): Float64Array {
  const rows = ma * mb;
  const cols = na * nb;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < ma; i++)
    for (let j = 0; j < na; j++)
      for (let k = 0; k < mb; k++)
        for (let l = 0; l < nb; l++) out[(i * mb + k) * cols + j * nb + l] = a[i * na + j]! * b[k * nb + l]!;
  return out;
}

/** Q_l = Σ_t diag(a)(R_t⊗L_t) diag(b²) (R_t⊗L_t)ᵀ diag(a) over row-major vec, as a dense d×d matrix. */
export function explicitQ(h: HostLambda, s: LayerShape): Float64Array {
  const d = s.m * s.p;
  const q = new Float64Array(d * d);
  for (const { R, L } of h.terms) {
    const k = kron(R, s.m, s.m, L, s.p, s.p);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += k[i * d + c]! * (h.B ? h.B[c]! ** 2 : 1) * k[j * d + c]!;
        q[i * d + j] = q[i * d + j]! + (h.A ? h.A[i]! * h.A[j]! : 1) * acc;
      }
    }
  }
  return q;
}

/** y = M x for a d×d matrix. */
export function matVec(mat: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const d = x.length;
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += mat[i * d + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

export function randomVec(n: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** Random λ of a structure: factors near the identity plus noise, A and B around 1. */
export function randomLambda(impl: ApproxImpl, s: LayerShape, rng: Rng): HostLambda {
  const base = impl.init(s, 1, () => rng.normal());
  const noisy = (x: Float64Array) => x.map((v) => v + 0.5 * rng.normal());
  return {
    terms: base.terms.map(({ R, L }) => ({ R: noisy(R), L: noisy(L) })),
    ...(base.A ? { A: noisy(base.A) } : {}),
    ...(base.B ? { B: noisy(base.B) } : {}),
  };
}

/** One layer's λ and cache on a backend, written from host form and refreshed. */
export function layerOnDevice(be: CpuBackend, impl: ApproxImpl, s: LayerShape, h: HostLambda): LayerState {
  const lam = be.alloc(impl.lambdaSize(s), 'lam');
  const cache = be.alloc(impl.cacheSize(s), 'cache');
  const st: LayerState = { shape: s, lam, cache };
  be.write(lam, impl.pack(h, s));
  run(be, () => impl.refreshOps(st));
  return st;
}

/** Records, runs once and releases ops built over a fresh scratch. */
export function run(be: CpuBackend, build: (arena: Arena) => Op[]): void {
  const { result, scratch } = withScratch(be, 'test.scratch', build);
  const p = be.record('test', result);
  be.run(p);
  be.release(p);
  be.free(scratch);
}

export function tensorOf(be: CpuBackend, data: ArrayLike<number>, label = 't'): Tensor {
  const t = be.alloc(Math.max(1, data.length), label);
  be.write(t, data);
  return t;
}

export async function readF64(be: CpuBackend, t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await be.read(t));
}

/** max |a − b| / max(1, max |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}
