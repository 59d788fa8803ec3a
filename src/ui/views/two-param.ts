/**
 * The math of the two-parameter teaching demo: linear regression y ≈ w·x with a Gaussian likelihood
 * (unit noise variance), weights w = (w1, w2), no bias, on a small fixed dataset whose two features are strongly
 * correlated. Its loss is an ill-conditioned quadratic, a long thin valley, and its Fisher F = (1/N) Σ x xᵀ is the
 * loss's Hessian and the same everywhere. Plain gradient descent, even at its best learning rate, bounces across
 * the valley (the steep direction's error changes sign every step) while creeping along it; natural-gradient
 * descent w ← w − η (F + γI)⁻¹ ∇L shrinks the error w − w* by the same factor in every direction, so with
 * γ → 0 it walks the straight line to the minimum.
 */
import { normalAt } from '../../engine/page.ts';

/** A 2-vector. */
export type Vec2 = readonly [number, number];
/** A symmetric 2×2 matrix [[a, b], [b, c]] stored as [a, b, c]. */
export type Sym2 = readonly [number, number, number];

/** Data of the demo: features x_i ∈ ℝ² and real targets y_i. */
export interface TwoParamData {
  x: Float64Array; // row-major N×2
  y: Float64Array;
}

/** Thrown when the damped Fisher cannot be inverted (damping 0 on a singular Fisher). */
export class SingularFisherError extends Error {
  constructor(det: number) {
    super(`The damped 2×2 Fisher has determinant ${det}; use a positive damping γ so F + γI is invertible.`);
    this.name = 'SingularFisherError';
  }
}

// A stream of our own so the demo's data never depends on the training streams' use of a seed.
const DEMO_STREAM = 0x2d;
/** The weights the targets are drawn from (plus noise): the minimum lies near them. */
const TRUE_W: Vec2 = [1.5, 0.5];

/**
 * The fixed demo dataset: N points with features (u, 0.92u + 0.39v), u, v standard normal — correlation
 * 0.92, so the Fisher's eigenvalues differ by ~30× — and targets y = w_true·x + 0.3e. Deterministic: the counter
 * RNG with a fixed seed.
 */
export function makeDemoData(n = 64, seed = 11): TwoParamData {
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = normalAt(seed, DEMO_STREAM, 3 * i);
    const v = normalAt(seed, DEMO_STREAM, 3 * i + 1);
    const e = normalAt(seed, DEMO_STREAM, 3 * i + 2);
    const x1 = u;
    const x2 = 0.92 * u + 0.39 * v;
    x[2 * i] = x1;
    x[2 * i + 1] = x2;
    y[i] = TRUE_W[0] * x1 + TRUE_W[1] * x2 + 0.3 * e;
  }
  return { x, y };
}

/** Mean negative log-likelihood up to a constant: L(w) = (1/2N) Σ (w·x_i − y_i)². */
export function loss(d: TwoParamData, w: Vec2): number {
  const n = d.y.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = w[0] * d.x[2 * i]! + w[1] * d.x[2 * i + 1]! - d.y[i]!;
    s += r * r;
  }
  return s / (2 * n);
}

/** ∇L(w) = (1/N) Σ (w·x_i − y_i) x_i. */
export function gradient(d: TwoParamData, w: Vec2): Vec2 {
  return expectedGradient(d, w, null);
}

/**
 * The gradient at `wEval` with the targets replaced by their expectation under the model at `wModel`:
 * (1/N) Σ (wEval·x_i − wModel·x_i) x_i. With wModel = null the data's targets are used (plain ∇L).
 * Its Jacobian in wEval is the Fisher — the identity the tests check.
 */
export function expectedGradient(d: TwoParamData, wEval: Vec2, wModel: Vec2 | null): Vec2 {
  const n = d.y.length;
  let g0 = 0;
  let g1 = 0;
  for (let i = 0; i < n; i++) {
    const a = d.x[2 * i]!;
    const b = d.x[2 * i + 1]!;
    const target = wModel ? wModel[0] * a + wModel[1] * b : d.y[i]!;
    const r = wEval[0] * a + wEval[1] * b - target;
    g0 += r * a;
    g1 += r * b;
  }
  return [g0 / n, g1 / n];
}

/**
 * Exact Fisher F = E_x E_{y~N(w·x, 1)}[∇ℓ ∇ℓᵀ] = (1/N) Σ x_i x_iᵀ, the same for every w. For this model it is
 * the Hessian of L, so a natural-gradient step with lr 1 and γ = 0 is Newton's and lands on the minimum.
 */
export function fisher(d: TwoParamData): Sym2 {
  const n = d.y.length;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x1 = d.x[2 * i]!;
    const x2 = d.x[2 * i + 1]!;
    a += x1 * x1;
    b += x1 * x2;
    c += x2 * x2;
  }
  return [a / n, b / n, c / n];
}

/** Solves (F + γI) d = g in closed form (Cramer's rule on the 2×2 system). */
export function solveDamped(f: Sym2, g: Vec2, damping: number): Vec2 {
  const a = f[0] + damping;
  const b = f[1];
  const c = f[2] + damping;
  const det = a * c - b * b;
  if (!(Math.abs(det) > 1e-300) || !Number.isFinite(det)) throw new SingularFisherError(det);
  return [(c * g[0] - b * g[1]) / det, (a * g[1] - b * g[0]) / det];
}

/** Eigenvalues (ascending) of a symmetric 2×2 matrix. */
export function eigenvalues(f: Sym2): Vec2 {
  const mean = (f[0] + f[2]) / 2;
  const r = Math.hypot((f[0] - f[2]) / 2, f[1]);
  return [mean - r, mean + r];
}

/**
 * Plain gradient descent's best constant learning rate on this quadratic, 2 / (λ_min + λ_max): it minimises the
 * slowest contraction factor max |1 − ηλ| = (κ − 1)/(κ + 1). The tests check that a grid of rates agrees.
 */
export function bestGradientRate(d: TwoParamData): number {
  const [lo, hi] = eigenvalues(fisher(d));
  return 2 / (lo + hi);
}

/**
 * The demo's setting, shared by the page and the tests that check its claim: the window drawn, the start (across
 * the valley from the minimum), the steps drawn, the gradient's learning-rate grid (its top, 0.75, is the best
 * rate rounded: 0.8 diverges) and the natural gradient's default rate and damping.
 */
export const DEMO = {
  extent: [-3, 4, -2.5, 4.5] as [number, number, number, number],
  start: [-2, 3] as Vec2,
  steps: 60,
  gdRates: { min: 0.05, max: 0.75, step: 0.05 },
  gdRate: 0.75,
  ngdRates: { min: 0.05, max: 1, step: 0.05 },
  ngdRate: 0.25,
  logDamping: { min: -3, max: 0, step: 0.25 },
  damping: 0.01,
} as const;

/** A descent path: the iterates w_0..w_K and their losses. */
export interface Path {
  points: Vec2[];
  losses: number[];
}

/** How a path steps: plain gradient w ← w − η g, or natural gradient w ← w − η (F + γI)⁻¹ g. */
export type StepRule = { kind: 'gd'; lr: number } | { kind: 'ngd'; lr: number; damping: number };

/** One step of `rule` from w. */
export function step(d: TwoParamData, w: Vec2, rule: StepRule): Vec2 {
  const g = gradient(d, w);
  const dir = rule.kind === 'gd' ? g : solveDamped(fisher(d), g, rule.damping);
  return [w[0] - rule.lr * dir[0], w[1] - rule.lr * dir[1]];
}

/** `steps` steps of `rule` from `start`; stops early if an iterate is not finite. */
export function descend(d: TwoParamData, start: Vec2, rule: StepRule, steps: number): Path {
  const points: Vec2[] = [start];
  const losses: number[] = [loss(d, start)];
  let w = start;
  for (let k = 0; k < steps; k++) {
    w = step(d, w, rule);
    if (!Number.isFinite(w[0]) || !Number.isFinite(w[1])) break;
    points.push(w);
    losses.push(loss(d, w));
  }
  return { points, losses };
}

/** The minimiser of L: the normal equations F w = (1/N) Σ y_i x_i, solved exactly. */
export function minimiser(d: TwoParamData): Vec2 {
  return solveDamped(fisher(d), gradient(d, [0, 0]).map((v) => -v) as unknown as Vec2, 0);
}

/** Total length of a path's polyline. */
export function pathLength(points: readonly Vec2[]): number {
  let s = 0;
  for (let i = 1; i < points.length; i++) {
    s += Math.hypot(points[i]![0] - points[i - 1]![0], points[i]![1] - points[i - 1]![1]);
  }
  return s;
}

/**
 * The first step k at which the path is within `fraction` of its starting distance to `target`, or null if it
 * never gets there.
 */
export function stepsToTarget(points: readonly Vec2[], target: Vec2, fraction: number): number | null {
  const dist = (w: Vec2) => Math.hypot(w[0] - target[0], w[1] - target[1]);
  const goal = fraction * dist(points[0]!);
  const k = points.findIndex((w) => dist(w) <= goal);
  return k < 0 ? null : k;
}

/** How many consecutive pairs of steps turn back (the angle between them exceeds 90°): the zig-zags. */
export function reversals(points: readonly Vec2[]): number {
  let n = 0;
  for (let i = 2; i < points.length; i++) {
    const a0 = points[i - 1]![0] - points[i - 2]![0];
    const a1 = points[i - 1]![1] - points[i - 2]![1];
    const b0 = points[i]![0] - points[i - 1]![0];
    const b1 = points[i]![1] - points[i - 1]![1];
    if (a0 * b0 + a1 * b1 < 0) n++;
  }
  return n;
}

/** Loss on a row-major ny×nx grid over extent [xmin, xmax, ymin, ymax]; row 0 is w2 = ymin. */
export function lossGrid(
  d: TwoParamData,
  extent: readonly [number, number, number, number],
  nx: number,
  ny: number,
): Float64Array {
  const [x0, x1, y0, y1] = extent;
  const out = new Float64Array(nx * ny);
  for (let r = 0; r < ny; r++) {
    const w2 = y0 + ((y1 - y0) * r) / (ny - 1);
    for (let c = 0; c < nx; c++) out[r * nx + c] = loss(d, [x0 + ((x1 - x0) * c) / (nx - 1), w2]);
  }
  return out;
}
