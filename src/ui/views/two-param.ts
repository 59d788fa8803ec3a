/**
 * The math of the two-parameter teaching demo: logistic regression p(t=1 | x, w) = σ(w·x) with weights
 * w = (w1, w2) and no bias, on a small fixed dataset whose two features are strongly correlated and differently
 * scaled, so the loss valley is long and thin. Plain gradient descent zig-zags across it; natural-gradient
 * descent with the exact damped 2×2 Fisher (solved in closed form) heads for the minimum. The demo races them
 * with steps of equal length (`unit`), so only the direction differs.
 */
import { normalAt } from '../../engine/page.ts';

/** A 2-vector. */
export type Vec2 = readonly [number, number];
/** A symmetric 2×2 matrix [[a, b], [b, c]] stored as [a, b, c]. */
export type Sym2 = readonly [number, number, number];

/** Data of the demo: features x_i ∈ ℝ² and labels t_i ∈ {0, 1}. */
export interface TwoParamData {
  x: Float64Array; // row-major N×2
  t: Uint8Array;
}

/** Thrown when the damped Fisher cannot be inverted (damping 0 on a singular Fisher). */
export class SingularFisherError extends Error {
  constructor(det: number) {
    super(`The damped 2×2 Fisher has determinant ${det}; use a positive damping γ so F + γI is invertible.`);
    this.name = 'SingularFisherError';
  }
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^z) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

// A stream of our own so the demo's data never depends on the training streams' use of a seed.
const DEMO_STREAM = 0x2d;

/**
 * The fixed demo dataset: N points with features (3u, 3(0.95u + 0.31v)) — correlation 0.95, so the Fisher's
 * eigenvalues differ by ~40× — and labels from a noisy linear rule so the data is not separable and the
 * loss has a finite minimum. Deterministic: the counter RNG with a fixed seed.
 */
export function makeDemoData(n = 64, seed = 11): TwoParamData {
  const x = new Float64Array(2 * n);
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = normalAt(seed, DEMO_STREAM, 3 * i);
    const v = normalAt(seed, DEMO_STREAM, 3 * i + 1);
    const e = normalAt(seed, DEMO_STREAM, 3 * i + 2);
    const x1 = 1.5 * u;
    const x2 = 1.5 * (0.95 * u + 0.312 * v);
    x[2 * i] = x1;
    x[2 * i + 1] = x2;
    t[i] = 1.2 * x1 - 0.4 * x2 + 0.9 * e > 0 ? 1 : 0;
  }
  return { x, t };
}

/** Mean negative log-likelihood L(w) = (1/N) Σ softplus(z_i) − t_i z_i, z_i = w·x_i. */
export function loss(d: TwoParamData, w: Vec2): number {
  const n = d.t.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = w[0] * d.x[2 * i]! + w[1] * d.x[2 * i + 1]!;
    s += softplus(z) - d.t[i]! * z;
  }
  return s / n;
}

/** ∇L(w) = (1/N) Σ (σ(z_i) − t_i) x_i. */
export function gradient(d: TwoParamData, w: Vec2): Vec2 {
  return expectedGradient(d, w, null);
}

/**
 * The gradient at `wEval` with the targets replaced by their expectation under the model at `wModel`:
 * (1/N) Σ (σ(wEval·x_i) − σ(wModel·x_i)) x_i. With wModel = null the data's labels are used (plain ∇L).
 * Its Jacobian in wEval at wEval = wModel is the Fisher — the identity the tests check.
 */
export function expectedGradient(d: TwoParamData, wEval: Vec2, wModel: Vec2 | null): Vec2 {
  const n = d.t.length;
  let g0 = 0;
  let g1 = 0;
  for (let i = 0; i < n; i++) {
    const a = d.x[2 * i]!;
    const b = d.x[2 * i + 1]!;
    const target = wModel ? sigmoid(wModel[0] * a + wModel[1] * b) : d.t[i]!;
    const r = sigmoid(wEval[0] * a + wEval[1] * b) - target;
    g0 += r * a;
    g1 += r * b;
  }
  return [g0 / n, g1 / n];
}

/**
 * Exact Fisher F(w) = E_x E_{t~p(t|x,w)}[∇ℓ ∇ℓᵀ] = (1/N) Σ σ(z_i)(1 − σ(z_i)) x_i x_iᵀ. For logistic
 * regression it equals the Hessian of L (canonical link), so a natural-gradient step with lr 1 is Newton's.
 */
export function fisher(d: TwoParamData, w: Vec2): Sym2 {
  const n = d.t.length;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x1 = d.x[2 * i]!;
    const x2 = d.x[2 * i + 1]!;
    const p = sigmoid(w[0] * x1 + w[1] * x2);
    const s = p * (1 - p);
    a += s * x1 * x1;
    b += s * x1 * x2;
    c += s * x2 * x2;
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

/** A descent path: the iterates w_0..w_K and their losses. */
export interface Path {
  points: Vec2[];
  losses: number[];
}

/**
 * How a path steps: plain gradient w ← w − η g, or natural gradient w ← w − η (F + γI)⁻¹ g. With `unit` the
 * direction is normalised first, so every step has length η whichever the method: a race of directions alone.
 */
export type StepRule =
  { kind: 'gd'; lr: number; unit?: boolean } | { kind: 'ngd'; lr: number; damping: number; unit?: boolean };

/** One step of `rule` from w (a unit step from a stationary point stays there). */
export function step(d: TwoParamData, w: Vec2, rule: StepRule): Vec2 {
  const g = gradient(d, w);
  const dir = rule.kind === 'gd' ? g : solveDamped(fisher(d, w), g, rule.damping);
  const norm = Math.hypot(dir[0], dir[1]);
  const scale = rule.unit ? (norm > 0 ? rule.lr / norm : 0) : rule.lr;
  return [w[0] - scale * dir[0], w[1] - scale * dir[1]];
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

/** The minimiser of L by undamped Newton (= natural gradient, lr 1) from 0: the demo's target marker. */
export function minimiser(d: TwoParamData, iterations = 30): Vec2 {
  let w: Vec2 = [0, 0];
  for (let k = 0; k < iterations; k++) w = step(d, w, { kind: 'ngd', lr: 1, damping: 1e-12 });
  return w;
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
