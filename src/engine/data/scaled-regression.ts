/**
 * A badly scaled linear regression: the task where curvature verifiably matters (BENCHMARKS.md, "A task where
 * curvature matters"). x = z·diag(σ)·Rᵀ with z standard normal, R a random rotation and σ log-spaced from 1 down
 * to 1/√κ, so E[xxᵀ] has condition number κ and no axis-aligned (diagonal, Adam-like) rescaling removes it;
 * y = z·B + noise, so every input direction carries as much of the target as every other, and a method that
 * cannot take large steps along the flat directions cannot fit it. For a linear model with a Gaussian likelihood
 * the Fisher is E[x̄x̄ᵀ] ⊗ I exactly: a Kronecker product, which K-FAC and FishLeg's block-Kron Q can represent.
 * The rotation, σ, B and every row come from one counter RNG on the seed, so a seed always gives the same data.
 */
import type { Dataset } from './dataset.ts';
import { Rng } from '../rng.ts';

export interface ScaledRegressionOptions {
  seed?: number;
  /** Input dimension. */
  inputs?: number;
  /** Target dimension. */
  targets?: number;
  /** Condition number of the input covariance E[xxᵀ]. */
  kappa?: number;
  /** Training rows; the test split has a quarter as many (rounded up). */
  rows?: number;
  /** Standard deviation of the Gaussian noise on each target. */
  noise?: number;
}

export const SCALED_REGRESSION_DEFAULTS: Readonly<Required<ScaledRegressionOptions>> = {
  seed: 1,
  inputs: 16,
  targets: 4,
  kappa: 1e4,
  rows: 2000,
  noise: 0.05,
};

/** Thrown for options the generator cannot honour. */
export class ScaledRegressionError extends Error {
  override name = 'ScaledRegressionError';
}

/** Most rows (train + test) and widest input: beyond them the generator's O(rows·d²) work is a typo, not a task. */
const MAX_ROWS = 1_000_000;
const MAX_INPUTS = 256;

/** A random rotation: Gram–Schmidt on a Gaussian matrix (columns orthonormal), row-major n×n. */
function rotation(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[r * n + c]! * q[r * n + p]!;
      for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! - dot * q[r * n + p]!;
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + c]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! / norm;
  }
  return q;
}

function check(o: Required<ScaledRegressionOptions>): void {
  const { inputs, targets, rows, kappa, noise, seed } = o;
  if (!Number.isInteger(inputs) || inputs < 1 || inputs > MAX_INPUTS)
    throw new ScaledRegressionError(`inputs must be an integer from 1 to ${MAX_INPUTS}, got ${inputs}`);
  if (!Number.isInteger(targets) || targets < 1 || targets > MAX_INPUTS)
    throw new ScaledRegressionError(`targets must be an integer from 1 to ${MAX_INPUTS}, got ${targets}`);
  if (!Number.isInteger(rows) || rows < 1 || rows + Math.ceil(rows / 4) > MAX_ROWS)
    throw new ScaledRegressionError(
      `rows must be a positive integer with train + test at most ${MAX_ROWS}, got ${rows}`,
    );
  if (!(kappa >= 1 && kappa <= 1e12)) throw new ScaledRegressionError(`kappa must be from 1 to 1e12, got ${kappa}`);
  if (!(noise >= 0 && noise <= 1000)) throw new ScaledRegressionError(`noise must be from 0 to 1000, got ${noise}`);
  if (!Number.isInteger(seed)) throw new ScaledRegressionError(`seed must be an integer, got ${seed}`);
}

/**
 * The rows in float64, train then test, as the generator draws them (the bench's CSV writer prints these).
 * The draw order (rotation, B, then each row's z and noise) is fixed: it is what makes a seed's data.
 */
export function scaledRegressionRows(options: ScaledRegressionOptions = {}): {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly trainRows: number;
  readonly testRows: number;
  readonly options: Readonly<Required<ScaledRegressionOptions>>;
} {
  const o = { ...SCALED_REGRESSION_DEFAULTS, ...stripUndefined(options) };
  check(o);
  const { inputs: d, targets: k, kappa, noise } = o;
  const rng = new Rng(o.seed, 0);
  const rot = rotation(d, rng);
  const sigma = Array.from({ length: d }, (_, i) => kappa ** (-(0.5 * i) / Math.max(1, d - 1)));
  const b = Array.from({ length: d * k }, () => rng.normal() / Math.sqrt(d));
  const testRows = Math.ceil(o.rows / 4);
  const n = o.rows + testRows;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n * k);
  const z = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) z[c] = rng.normal();
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += rot[i * d + c]! * sigma[c]! * z[c]!;
      x[r * d + i] = s;
    }
    for (let j = 0; j < k; j++) {
      let s = noise * rng.normal();
      for (let c = 0; c < d; c++) s += z[c]! * b[c * k + j]!;
      y[r * k + j] = s;
    }
  }
  return { x, y, trainRows: o.rows, testRows, options: o };
}

/** The task's dataset: the same options (seed included) always give bit-identical arrays. */
export function scaledRegressionDataset(options: ScaledRegressionOptions = {}): Dataset {
  const { x, y, trainRows, options: o } = scaledRegressionRows(options);
  const { inputs: d, targets: k } = o;
  const x32 = Float32Array.from(x);
  const y32 = Float32Array.from(y);
  return {
    name: 'scaled-regression',
    inputDim: d,
    outputDim: k,
    kind: 'regression',
    featureNames: Array.from({ length: d }, (_, i) => `x${i}`),
    targetNames: Array.from({ length: k }, (_, j) => `y${j}`),
    train: { x: x32.slice(0, trainRows * d), y: y32.slice(0, trainRows * k), n: trainRows },
    test: { x: x32.slice(trainRows * d), y: y32.slice(trainRows * k), n: x.length / d - trainRows },
  };
}

function stripUndefined(o: ScaledRegressionOptions): ScaledRegressionOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
