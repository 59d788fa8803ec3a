/**
 * The two-parameter demo's math against independent references: the Fisher against central finite
 * differences of the expected gradient and against explicit enumeration of the labels, the gradient against
 * finite differences of the loss, and the natural-gradient direction against (F + γI)·d = g.
 */
import { describe, expect, it } from 'vitest';
import {
  descend,
  eigenvalues,
  expectedGradient,
  fisher,
  gradient,
  loss,
  makeDemoData,
  minimiser,
  SingularFisherError,
  solveDamped,
  type Vec2,
} from './two-param.ts';

const data = makeDemoData();
const points: Vec2[] = [
  [0, 0],
  [-2, 1],
  [1.3, -0.7],
  [3.5, -2.2],
];

describe('two-parameter logistic regression', () => {
  it('is deterministic, balanced enough, and ill-conditioned at the minimum', () => {
    const again = makeDemoData();
    expect(Array.from(again.x)).toEqual(Array.from(data.x));
    const positives = data.t.reduce((a, b) => a + b, 0);
    expect(positives).toBeGreaterThan(0.3 * data.t.length);
    expect(positives).toBeLessThan(0.7 * data.t.length);
    const [lo, hi] = eigenvalues(fisher(data, minimiser(data)));
    expect(hi / lo).toBeGreaterThan(15);
  });

  it('has loss log 2 at w = 0 (every prediction is ½)', () => {
    expect(loss(data, [0, 0])).toBeCloseTo(Math.LN2, 12);
  });

  it.each(points)('gradient at (%f, %f) matches central differences of the loss', (a, b) => {
    const h = 1e-5;
    const g = gradient(data, [a, b]);
    expect(g[0]).toBeCloseTo((loss(data, [a + h, b]) - loss(data, [a - h, b])) / (2 * h), 8);
    expect(g[1]).toBeCloseTo((loss(data, [a, b + h]) - loss(data, [a, b - h])) / (2 * h), 8);
  });

  it.each(points)('Fisher at (%f, %f) is the Jacobian of the expected gradient (finite differences)', (a, b) => {
    const w: Vec2 = [a, b];
    const h = 1e-5;
    const f = fisher(data, w);
    const gp0 = expectedGradient(data, [a + h, b], w);
    const gm0 = expectedGradient(data, [a - h, b], w);
    const gp1 = expectedGradient(data, [a, b + h], w);
    const gm1 = expectedGradient(data, [a, b - h], w);
    // Column j of the Jacobian is ∂g/∂w_j.
    expect(f[0]).toBeCloseTo((gp0[0] - gm0[0]) / (2 * h), 8);
    expect(f[1]).toBeCloseTo((gp0[1] - gm0[1]) / (2 * h), 8);
    expect(f[1]).toBeCloseTo((gp1[0] - gm1[0]) / (2 * h), 8);
    expect(f[2]).toBeCloseTo((gp1[1] - gm1[1]) / (2 * h), 8);
    // The expected gradient vanishes where the model's own targets are used.
    const g0 = expectedGradient(data, w, w);
    expect(Math.hypot(g0[0], g0[1])).toBeLessThan(1e-14);
  });

  it('Fisher equals E_x E_{t~p}[∇ℓ ∇ℓᵀ] by enumerating t ∈ {0, 1}', () => {
    const w: Vec2 = [1.3, -0.7];
    let a = 0;
    let b = 0;
    let c = 0;
    const n = data.t.length;
    for (let i = 0; i < n; i++) {
      const x1 = data.x[2 * i]!;
      const x2 = data.x[2 * i + 1]!;
      const p = 1 / (1 + Math.exp(-(w[0] * x1 + w[1] * x2)));
      for (const t of [0, 1]) {
        const prob = t === 1 ? p : 1 - p;
        const r = p - t; // per-example ∇ℓ = (σ − t) x
        a += (prob * r * r * x1 * x1) / n;
        b += (prob * r * r * x1 * x2) / n;
        c += (prob * r * r * x2 * x2) / n;
      }
    }
    const f = fisher(data, w);
    expect(f[0]).toBeCloseTo(a, 12);
    expect(f[1]).toBeCloseTo(b, 12);
    expect(f[2]).toBeCloseTo(c, 12);
  });

  it('the natural-gradient direction solves (F + γI) d = g', () => {
    for (const w of points) {
      for (const damping of [0, 1e-3, 0.5]) {
        const f = fisher(data, w);
        const g = gradient(data, w);
        const d = solveDamped(f, g, damping);
        expect((f[0] + damping) * d[0] + f[1] * d[1]).toBeCloseTo(g[0], 12);
        expect(f[1] * d[0] + (f[2] + damping) * d[1]).toBeCloseTo(g[1], 12);
      }
    }
    // Hand-worked: [[2, 1], [1, 3]] + 1·I = [[3, 1], [1, 4]], det 11; d = (4·1 − 1·2, 3·2 − 1·1)/11.
    const d = solveDamped([2, 1, 3], [1, 2], 1);
    expect(d[0]).toBeCloseTo(2 / 11, 14);
    expect(d[1]).toBeCloseTo(5 / 11, 14);
    expect(() => solveDamped([1, 1, 1], [1, 0], 0)).toThrow(SingularFisherError);
  });

  it('natural gradient reaches the minimum by a shorter path than gradient descent', () => {
    const start: Vec2 = [-2, 1];
    const opt = minimiser(data);
    const g = descend(data, start, { kind: 'gd', lr: 3 }, 60);
    const n = descend(data, start, { kind: 'ngd', lr: 0.25, damping: 1e-2 }, 60);
    const length = (p: readonly Vec2[]): number =>
      p.slice(1).reduce((s, q, i) => s + Math.hypot(q[0] - p[i]![0], q[1] - p[i]![1]), 0);
    const direct = Math.hypot(opt[0] - start[0], opt[1] - start[1]);
    expect(length(n.points) / direct).toBeLessThan(1.1);
    expect(length(g.points) / direct).toBeGreaterThan(1.5);
    expect(n.losses.at(-1)!).toBeLessThan(g.losses.at(-1)!);
    // The minimiser is a stationary point.
    const g0 = gradient(data, opt);
    expect(Math.hypot(g0[0], g0[1])).toBeLessThan(1e-10);
  });

  it('the demo’s fair race: equal-length steps, natural gradient ends far closer; large γ turns it into the gradient', () => {
    const start: Vec2 = [-2, 1];
    const opt = minimiser(data);
    const eta = 0.3;
    const g = descend(data, start, { kind: 'gd', lr: eta, unit: true }, 20);
    const n = descend(data, start, { kind: 'ngd', lr: eta, damping: 0.01, unit: true }, 20);
    for (const p of [g, n]) {
      expect(p.points.length).toBe(21);
      p.points.slice(1).forEach((q, i) => {
        expect(Math.hypot(q[0] - p.points[i]![0], q[1] - p.points[i]![1])).toBeCloseTo(eta, 12);
      });
    }
    const dist = (p: typeof g) => Math.hypot(p.points[20]![0] - opt[0], p.points[20]![1] - opt[1]);
    expect(dist(n)).toBeLessThan(dist(g) / 2);
    // (F + γI)⁻¹g → g/γ: with a huge γ the natural-gradient path is the gradient's.
    const flat = descend(data, start, { kind: 'ngd', lr: eta, damping: 1e4, unit: true }, 20);
    expect(Math.hypot(flat.points[20]![0] - g.points[20]![0], flat.points[20]![1] - g.points[20]![1])).toBeLessThan(
      1e-2,
    );
  });
});
