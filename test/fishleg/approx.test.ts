/**
 * The three inverse-Fisher structures on the CPU reference (float64): Q·U and the factored Q·G against an
 * explicit Kronecker reference, ∇_λ⟨r, Q(λ)u⟩ against central finite differences, Q symmetric PSD, and
 * Q₀ = initScale·I. Non-square layers and the bias column included.
 */
import { describe, expect, it } from 'vitest';
import { kronGradForm } from '../../src/engine/fishleg/cost.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { APPROX } from '../../src/engine/fishleg/approx.ts';
import { hostApplyQ, hostTraceQ, materializeHostQ } from '../../src/engine/fishleg/host-q.ts';
import { cholesky } from '../../src/engine/fishleg/linalg.ts';
import type { HostLambda, LayerShape } from '../../src/engine/fishleg/types.ts';
import { FISHLEG_APPROXES } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import {
  explicitQ,
  layerOnDevice,
  matVec,
  maxRelDiff,
  randomLambda,
  randomVec,
  readF64,
  run,
  tensorOf,
} from './helpers.ts';

// Between them these shapes take every association of block-Kron's ∂S/∂R and ∂S/∂L (cost.ts kronGradForm):
// 'sym' for R at (3, 5) and (1, 3), 'both' for L at (3, 5) and R at (4, 2), 'outer' for L at (1, 3) and R at (5, 2).
const shapes: LayerShape[] = [
  { m: 3, p: 5 },
  { m: 4, p: 2 },
  { m: 1, p: 3 },
  { m: 5, p: 2 },
];

it('the shapes above cover every association of the Kronecker gradient', () => {
  const forms = new Set(shapes.flatMap(({ m, p }) => [kronGradForm(m, p), kronGradForm(p, m)]));
  expect([...forms].sort()).toEqual(['both', 'outer', 'sym']);
});

describe.each(FISHLEG_APPROXES)('%s', (name) => {
  const impl = APPROX[name];

  it.each(shapes)('Q·U matches the explicit Kronecker form (m=$m, p=$p)', async (s) => {
    const be = new CpuBackend({ precision: 'f64' });
    const rng = new Rng(11, 1);
    const h = randomLambda(impl, s, rng);
    const st = layerOnDevice(be, impl, s, h);
    const u = randomVec(s.m * s.p, rng);
    const ut = tensorOf(be, u);
    const out = be.alloc(u.length, 'out');
    run(be, (arena) => impl.qDenseOps(st, ut, out, arena));
    const want = matVec(explicitQ(h, s), u);
    expect(maxRelDiff(await readF64(be, out), want)).toBeLessThan(1e-12);
    // The host form used by views and switching agrees too.
    expect(maxRelDiff(hostApplyQ(h, s, u), want)).toBeLessThan(1e-12);
    be.dispose();
  });

  it.each(shapes)('factored Q·G from E and Ā matches Q applied to G = EᵀĀ/B (m=$m, p=$p)', async (s) => {
    if (!impl.qFactoredOps) return; // Kron+diag needs the dense G by design
    const be = new CpuBackend({ precision: 'f64' });
    const rng = new Rng(12, 1);
    const h = randomLambda(impl, s, rng);
    const st = layerOnDevice(be, impl, s, h);
    const B = 7;
    const e = randomVec(B * s.m, rng);
    const a = randomVec(B * s.p, rng);
    for (let i = 0; i < B; i++) a[i * s.p + s.p - 1] = 1; // the bias input
    const g = new Float64Array(s.m * s.p);
    for (let i = 0; i < B; i++)
      for (let r = 0; r < s.m; r++)
        for (let c = 0; c < s.p; c++) g[r * s.p + c] = g[r * s.p + c]! + (e[i * s.m + r]! * a[i * s.p + c]!) / B;
    const out = be.alloc(g.length, 'out');
    const grad = { e: tensorOf(be, e), a: tensorOf(be, a), rows: B, scale: 1 / B };
    run(be, (arena) => impl.qFactoredOps!(st, grad, out, arena));
    expect(maxRelDiff(await readF64(be, out), matVec(explicitQ(h, s), g))).toBeLessThan(1e-12);
    be.dispose();
  });

  it.each(shapes)('∇_λ⟨r, Q(λ)u⟩ matches central finite differences (m=$m, p=$p)', async (s) => {
    const be = new CpuBackend({ precision: 'f64' });
    const rng = new Rng(13, 1);
    const h = randomLambda(impl, s, rng);
    const st = layerOnDevice(be, impl, s, h);
    const d = s.m * s.p;
    const r = randomVec(d, rng);
    const u = randomVec(d, rng);
    const grad = be.alloc(impl.lambdaSize(s), 'grad');
    run(be, (arena) => impl.gradOps(st, tensorOf(be, r), tensorOf(be, u), grad, arena));
    const analytic = await readF64(be, grad);
    const lam = impl.pack(h, s);
    const surrogate = (x: Float64Array): number => {
      const q = matVec(explicitQ(impl.unpack(x, s), s), u);
      return q.reduce((acc, v, i) => acc + v * r[i]!, 0);
    };
    const eps = 1e-5;
    const fd = lam.map((_, k) => {
      const plus = Float64Array.from(lam);
      const minus = Float64Array.from(lam);
      plus[k] = plus[k]! + eps;
      minus[k] = minus[k]! - eps;
      return (surrogate(plus) - surrogate(minus)) / (2 * eps);
    });
    expect(maxRelDiff(analytic, fd)).toBeLessThan(1e-7);
    if (impl.keepSize) {
      // The auxiliary update's path: v = Q·u leaves its u-side products for ∇λS, which must not change either.
      const keep = be.alloc(impl.keepSize(s), 'keep');
      const v = be.alloc(d, 'v');
      const grad2 = be.alloc(impl.lambdaSize(s), 'grad2');
      const ut = tensorOf(be, u);
      run(be, (arena) => [
        ...impl.qDenseOps(st, ut, v, arena, keep),
        ...impl.gradOps(st, tensorOf(be, r), ut, grad2, arena, keep),
      ]);
      expect(maxRelDiff(await readF64(be, grad2), fd)).toBeLessThan(1e-7);
      expect(maxRelDiff(await readF64(be, v), matVec(explicitQ(h, s), u))).toBeLessThan(1e-10);
    }
    be.dispose();
  });

  it('Q is symmetric positive semi-definite (materialised from the device products)', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const s = { m: 3, p: 4 };
    const h = randomLambda(impl, s, new Rng(14, 1));
    const st = layerOnDevice(be, impl, s, h);
    const d = s.m * s.p;
    const q = new Float64Array(d * d);
    const basis = be.alloc(d, 'e');
    const out = be.alloc(d, 'out');
    for (let j = 0; j < d; j++) {
      be.write(
        basis,
        Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)),
      );
      run(be, (arena) => impl.qDenseOps(st, basis, out, arena));
      const col = await readF64(be, out);
      for (let i = 0; i < d; i++) q[i * d + j] = col[i]!;
    }
    let asym = 0;
    let maxDiag = 0;
    for (let i = 0; i < d; i++) {
      maxDiag = Math.max(maxDiag, q[i * d + i]!);
      for (let j = 0; j < d; j++) asym = Math.max(asym, Math.abs(q[i * d + j]! - q[j * d + i]!));
    }
    expect(asym).toBeLessThan(1e-12 * maxDiag);
    // PSD: Q + εI admits a Cholesky factor for a tiny ε (a negative eigenvalue below −ε would break it).
    const shifted = q.map((v, k) => (k % (d + 1) === 0 ? v + 1e-9 * maxDiag : v));
    expect(() => cholesky(shifted, d)).not.toThrow();
    expect(maxRelDiff(q, materializeHostQ(h, s))).toBeLessThan(1e-12);
    be.dispose();
  });

  it('Q₀ = initScale·I and the closed-form trace matches the materialised one', () => {
    const s = { m: 3, p: 4 };
    const d = s.m * s.p;
    const scale = 7.5;
    const rng = new Rng(15, 1);
    const h: HostLambda = impl.init(s, scale, () => rng.normal());
    const q = explicitQ(impl.unpack(impl.pack(h, s), s), s);
    const eye = Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? scale : 0));
    const diff = maxRelDiff(q, eye);
    if (name === 'sum-kron') {
      // Term 2 is small and random: near s·I but not exactly.
      expect(diff).toBeGreaterThan(1e-8);
      expect(diff).toBeLessThan(0.01);
    } else {
      expect(diff).toBeLessThan(1e-14);
    }
    let trace = 0;
    for (let i = 0; i < d; i++) trace += q[i * d + i]!;
    expect(hostTraceQ(h, s)).toBeCloseTo(trace, 10);
    const r = randomLambda(impl, s, rng);
    const qr = explicitQ(r, s);
    let tr2 = 0;
    for (let i = 0; i < d; i++) tr2 += qr[i * d + i]!;
    expect(hostTraceQ(r, s) / tr2).toBeCloseTo(1, 12);
  });
});
