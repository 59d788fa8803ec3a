/**
 * The two-parameter demo's math against independent references (the gradient against finite differences of the
 * loss, the Fisher against the Jacobian of the expected gradient, the Hessian and an exact quadrature over the
 * model's targets, the natural-gradient direction against (F + γI)·d = g), and the claim the demo's text makes,
 * at the demo's own setting: the plain gradient, at its best learning rate on the slider's grid, zig-zags and
 * needs several times the steps of the natural gradient, which goes straight.
 */
import { describe, expect, it } from 'vitest';
import {
  bestGradientRate,
  DEMO,
  descend,
  eigenvalues,
  expectedGradient,
  fisher,
  gradient,
  loss,
  makeDemoData,
  minimiser,
  pathLength,
  reversals,
  SingularFisherError,
  solveDamped,
  stepsToTarget,
  type Vec2,
} from './two-param.ts';

const data = makeDemoData();
const points: Vec2[] = [
  [0, 0],
  [-2, 1],
  [1.3, -0.7],
  [3.5, -2.2],
];
const opt = minimiser(data);
const h = 1e-5;

describe('two-parameter linear regression', () => {
  it('is deterministic and ill-conditioned', () => {
    expect(Array.from(makeDemoData().x)).toEqual(Array.from(data.x));
    const [lo, hi] = eigenvalues(fisher(data));
    expect(hi / lo).toBeGreaterThan(20);
    expect(hi / lo).toBeLessThan(60);
  });

  it.each(points)('gradient at (%f, %f) matches central differences of the loss', (a, b) => {
    const g = gradient(data, [a, b]);
    expect(g[0]).toBeCloseTo((loss(data, [a + h, b]) - loss(data, [a - h, b])) / (2 * h), 7);
    expect(g[1]).toBeCloseTo((loss(data, [a, b + h]) - loss(data, [a, b - h])) / (2 * h), 7);
  });

  it.each(points)('Fisher is the Jacobian of the expected gradient and the Hessian at (%f, %f)', (a, b) => {
    const w: Vec2 = [a, b];
    const f = fisher(data);
    const gp0 = expectedGradient(data, [a + h, b], w);
    const gm0 = expectedGradient(data, [a - h, b], w);
    const gp1 = expectedGradient(data, [a, b + h], w);
    const gm1 = expectedGradient(data, [a, b - h], w);
    expect(f[0]).toBeCloseTo((gp0[0] - gm0[0]) / (2 * h), 8);
    expect(f[1]).toBeCloseTo((gp0[1] - gm0[1]) / (2 * h), 8);
    expect(f[1]).toBeCloseTo((gp1[0] - gm1[0]) / (2 * h), 8);
    expect(f[2]).toBeCloseTo((gp1[1] - gm1[1]) / (2 * h), 8);
    const hp = gradient(data, [a + h, b]);
    const hm = gradient(data, [a - h, b]);
    expect(f[0]).toBeCloseTo((hp[0] - hm[0]) / (2 * h), 7);
    expect(f[1]).toBeCloseTo((hp[1] - hm[1]) / (2 * h), 7);
    const g0 = expectedGradient(data, w, w);
    expect(Math.hypot(g0[0], g0[1])).toBeLessThan(1e-14);
  });

  it('Fisher equals E_x E_{y~N(w·x, 1)}[∇ℓ ∇ℓᵀ] by 3-point Gauss–Hermite quadrature (exact for r²)', () => {
    const w: Vec2 = [1.3, -0.7];
    const nodes = [
      [0, 2 / 3],
      [Math.sqrt(3), 1 / 6],
      [-Math.sqrt(3), 1 / 6],
    ] as const;
    let a = 0;
    let b = 0;
    let c = 0;
    const n = data.y.length;
    for (let i = 0; i < n; i++) {
      const x1 = data.x[2 * i]!;
      const x2 = data.x[2 * i + 1]!;
      const mean = w[0] * x1 + w[1] * x2;
      for (const [z, weight] of nodes) {
        const r = mean - (mean + z); // per-example ∇ℓ = (w·x − y) x with y = mean + z
        a += (weight * r * r * x1 * x1) / n;
        b += (weight * r * r * x1 * x2) / n;
        c += (weight * r * r * x2 * x2) / n;
      }
    }
    const f = fisher(data);
    expect(f[0]).toBeCloseTo(a, 12);
    expect(f[1]).toBeCloseTo(b, 12);
    expect(f[2]).toBeCloseTo(c, 12);
  });

  it('the natural-gradient direction solves (F + γI) d = g; the minimiser is stationary', () => {
    const f = fisher(data);
    for (const w of points) {
      for (const damping of [0, 1e-3, 0.5]) {
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
    const g0 = gradient(data, opt);
    expect(Math.hypot(g0[0], g0[1])).toBeLessThan(1e-12);
    // Natural gradient with lr 1 and γ = 0 is Newton's step: one step from anywhere lands on the minimum.
    const one = descend(data, DEMO.start, { kind: 'ngd', lr: 1, damping: 0 }, 1).points[1]!;
    expect(Math.hypot(one[0] - opt[0], one[1] - opt[1])).toBeLessThan(1e-10);
  });
});

describe('the demo shows its claim at its own setting', () => {
  const direct = Math.hypot(opt[0] - DEMO.start[0], opt[1] - DEMO.start[1]);
  const rates: number[] = [];
  for (let r = DEMO.gdRates.min; r <= DEMO.gdRates.max + 1e-9; r += DEMO.gdRates.step) rates.push(+r.toFixed(2));
  const gdAt = (lr: number, steps: number) => descend(data, DEMO.start, { kind: 'gd', lr }, steps);
  const ngd = descend(data, DEMO.start, { kind: 'ngd', lr: DEMO.ngdRate, damping: DEMO.damping }, DEMO.steps);
  const gd = gdAt(DEMO.gdRate, DEMO.steps);

  it('the gradient’s default rate is its tuned best: the grid’s fastest to 5% of the start distance', () => {
    const steps = rates.map((lr) => stepsToTarget(gdAt(lr, 500).points, opt, 0.05) ?? Infinity);
    const best = rates[steps.indexOf(Math.min(...steps))]!;
    expect(best).toBe(DEMO.gdRate);
    expect(Math.abs(DEMO.gdRate - bestGradientRate(data))).toBeLessThan(DEMO.gdRates.step);
    // One grid step past the top diverges: 2/λ_max lies between.
    expect(gdAt(DEMO.gdRate + DEMO.gdRates.step, 200).losses.at(-1)!).toBeGreaterThan(loss(data, DEMO.start));
  });

  it('the plain gradient zig-zags (every step turns back, a path several times the straight line)', () => {
    expect(reversals(gd.points)).toBeGreaterThanOrEqual(DEMO.steps - 2);
    expect(pathLength(gd.points) / direct).toBeGreaterThan(3);
  });

  it('the natural gradient goes straight and arrives several times sooner', () => {
    expect(reversals(ngd.points)).toBe(0);
    expect(pathLength(ngd.points) / direct).toBeLessThan(1.01);
    const kNgd = stepsToTarget(ngd.points, opt, 0.05)!;
    const kGd = stepsToTarget(gd.points, opt, 0.05)!;
    expect(kNgd).toBeLessThanOrEqual(15);
    expect(kGd).toBeGreaterThanOrEqual(3 * kNgd);
    // Within the drawn steps both arrive, and at step 10 the natural gradient has the lower loss.
    expect(kGd).toBeLessThan(DEMO.steps);
    expect(ngd.losses[10]!).toBeLessThan(gd.losses[10]!);
  });

  it('a large γ turns the natural gradient into the plain gradient at rate η/γ', () => {
    const gamma = 1e4;
    const flat = descend(data, DEMO.start, { kind: 'ngd', lr: 0.5 * gamma, damping: gamma }, 20);
    const plain = gdAt(0.5, 20);
    const a = flat.points[20]!;
    const b = plain.points[20]!;
    expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeLessThan(1e-2);
  });
});
