/**
 * CPU reference of shaders/likelihood.wgsl (docs/fishleg.md §4, §8). Dense rows×cols, μ = mean or logits.
 *   nll (per row, summed over j):  gaussian ½[log σ² + ((y−μ)/σ)²] (no log 2π);  bernoulli μ(1−y) + softplus(−μ),
 *     softplus(x) = max(x, 0) + log1p(exp(−|x|));  categorical Σ_j y_j (lse(μ) − μ_j), lse = max + log Σ exp(μ − max).
 *   outputGrad = scale·∂nll/∂μ:  gaussian (μ−y)/σ²;  bernoulli sigmoid(μ) − y;  categorical (Σ_j y_j)·softmax(μ) − y
 *     (= softmax(μ) − y for targets that sum to one, which is what the WGSL may assume: keep targets normalised).
 *   fisherOutput = scale·Λv:  gaussian v/σ²;  bernoulli p(1−p)v, p = sigmoid(μ);  categorical p∘v − p(pᵀv), p = softmax(μ).
 *   draw, element (i, j), c = (base + i·cols + j) mod 2³², base = counter[0], (w0, w1) = threefry2x32(seed, stream, c, 0):
 *     gaussian μ + σ·√(−2 log u1)·cos(2π u2), u1 = ((w0>>>8)+1)·2⁻²⁴, u2 = (w1>>>8)·2⁻²⁴ (rng.ts normalAt);
 *     bernoulli 1 if (w0>>>8)·2⁻²⁴ < sigmoid(μ) else 0;  categorical one-hot of argmax_j (μ_j + g_j),
 *     g_j = −log(−log(((w0>>>8)+1)·2⁻²⁴)) (Gumbel-max; ties go to the lowest j, u = 1 gives g = +∞).
 */
import type { Likelihood } from '../ops.ts';
import { threefry2x32 } from '../rng.ts';
import { sigmoid } from './activation.ts';
import type { FloatArray } from './types.ts';

const TWO_POW_M24 = 5.960464477539063e-8;

/** log(1 + eˣ) without overflow or loss of precision for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Shared shape of the likelihood kernels' dense operands. */
export interface LikShape {
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly sigma: number;
}

/** Writes softmax(μ[o : o+cols]) into p[0 : cols] (max-subtracted: no overflow). */
function softmaxRow(mu: FloatArray, o: number, cols: number, p: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, mu[o + j]!);
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const e = Math.exp(mu[o + j]! - max);
    p[j] = e;
    sum += e;
  }
  for (let j = 0; j < cols; j++) p[j] = p[j]! / sum;
}

/** log Σ_j exp(μ_j) over one row. */
function logSumExp(mu: FloatArray, o: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, mu[o + j]!);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(mu[o + j]! - max);
  return max + Math.log(sum);
}

/** perExample[i] = Σ_j nll(y[i, j] | μ[i, j]) (categorical: the row's cross-entropy). */
export function nll(
  sh: LikShape,
  mu: FloatArray,
  muOff: number,
  y: FloatArray,
  yOff: number,
  out: FloatArray,
  outOff: number,
): void {
  const { lik, rows, cols, sigma } = sh;
  const logVar = Math.log(sigma * sigma);
  for (let i = 0; i < rows; i++) {
    const mo = muOff + i * cols;
    const yo = yOff + i * cols;
    let total = 0;
    if (lik === 'gaussian') {
      for (let j = 0; j < cols; j++) {
        const r = (y[yo + j]! - mu[mo + j]!) / sigma;
        total += 0.5 * (logVar + r * r);
      }
    } else if (lik === 'bernoulli') {
      for (let j = 0; j < cols; j++) {
        const m = mu[mo + j]!;
        total += m * (1 - y[yo + j]!) + softplus(-m);
      }
    } else {
      const lse = logSumExp(mu, mo, cols);
      for (let j = 0; j < cols; j++) total += y[yo + j]! * (lse - mu[mo + j]!);
    }
    out[outOff + i] = total;
  }
}

/** grad[i, j] = scale·∂nll_i/∂μ[i, j]. `p` is scratch of at least cols doubles. */
export function outputGrad(
  sh: LikShape,
  scale: number,
  mu: FloatArray,
  muOff: number,
  y: FloatArray,
  yOff: number,
  grad: FloatArray,
  gOff: number,
  p: Float64Array,
): void {
  const { lik, rows, cols, sigma } = sh;
  const n = rows * cols;
  if (lik === 'gaussian') {
    const f = scale / (sigma * sigma);
    for (let e = 0; e < n; e++) grad[gOff + e] = f * (mu[muOff + e]! - y[yOff + e]!);
  } else if (lik === 'bernoulli') {
    for (let e = 0; e < n; e++) grad[gOff + e] = scale * (sigmoid(mu[muOff + e]!) - y[yOff + e]!);
  } else {
    for (let i = 0; i < rows; i++) {
      const mo = muOff + i * cols;
      const yo = yOff + i * cols;
      softmaxRow(mu, mo, cols, p);
      let ySum = 0;
      for (let j = 0; j < cols; j++) ySum += y[yo + j]!;
      for (let j = 0; j < cols; j++) grad[gOff + i * cols + j] = scale * (ySum * p[j]! - y[yo + j]!);
    }
  }
}

/** out[i, :] = scale·Λ(μ_i)·v[i, :]. `p` is scratch of at least cols doubles. */
export function fisherOutput(
  sh: LikShape,
  scale: number,
  mu: FloatArray,
  muOff: number,
  v: FloatArray,
  vOff: number,
  out: FloatArray,
  outOff: number,
  p: Float64Array,
): void {
  const { lik, rows, cols, sigma } = sh;
  const n = rows * cols;
  if (lik === 'gaussian') {
    const f = scale / (sigma * sigma);
    for (let e = 0; e < n; e++) out[outOff + e] = f * v[vOff + e]!;
  } else if (lik === 'bernoulli') {
    for (let e = 0; e < n; e++) {
      const q = sigmoid(mu[muOff + e]!);
      out[outOff + e] = scale * q * (1 - q) * v[vOff + e]!;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const vo = vOff + i * cols;
      softmaxRow(mu, muOff + i * cols, cols, p);
      let pv = 0;
      for (let j = 0; j < cols; j++) pv += p[j]! * v[vo + j]!;
      for (let j = 0; j < cols; j++) out[outOff + i * cols + j] = scale * p[j]! * (v[vo + j]! - pv);
    }
  }
}

/** sample ~ p(y | μ) with counters base + i·cols + j (see the header for the exact formulas). */
export function draw(
  sh: LikShape,
  seed: number,
  stream: number,
  base: number,
  mu: FloatArray,
  muOff: number,
  sample: FloatArray,
  sOff: number,
): void {
  const { lik, rows, cols, sigma } = sh;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    if (lik === 'categorical') {
      let best = -Infinity;
      let arg = 0;
      for (let j = 0; j < cols; j++) {
        const w0 = threefry2x32(seed, stream, (base + row + j) >>> 0, 0)[0];
        const u = ((w0 >>> 8) + 1) * TWO_POW_M24;
        const z = mu[muOff + row + j]! - Math.log(-Math.log(u));
        // Strict >: ties keep the lowest index (the first +∞ when u = 1).
        if (z > best || j === 0) {
          best = z;
          arg = j;
        }
      }
      for (let j = 0; j < cols; j++) sample[sOff + row + j] = j === arg ? 1 : 0;
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const [w0, w1] = threefry2x32(seed, stream, (base + row + j) >>> 0, 0);
      const m = mu[muOff + row + j]!;
      if (lik === 'gaussian') {
        const u1 = ((w0 >>> 8) + 1) * TWO_POW_M24;
        const u2 = (w1 >>> 8) * TWO_POW_M24;
        sample[sOff + row + j] = m + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      } else {
        sample[sOff + row + j] = (w0 >>> 8) * TWO_POW_M24 < sigmoid(m) ? 1 : 0;
      }
    }
  }
}
