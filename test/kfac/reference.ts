/**
 * Float64 host references for the K-FAC and natural-gradient tests, written from the definitions in
 * docs/kfac.md and independent of the op builders: a dense tanh/identity MLP (forward, per-example output
 * errors, backprop), the Gaussian and categorical likelihoods, and K-FAC's step with exact inverses.
 */
import { addDiagonal, matmul, spdInverse } from '../../src/engine/fishleg/linalg.ts';
import type { ParamLayout } from '../../src/engine/model/mlp.ts';
import type { Likelihood } from '../../src/engine/ops.ts';
import { normalAt, Stream, threefry2x32 } from '../../src/engine/rng.ts';

export interface HostNet {
  readonly layout: ParamLayout;
  readonly lik: Extract<Likelihood, 'gaussian' | 'categorical'>;
  readonly sigma: number;
}

interface Forward {
  /** Ā_l per example (with the trailing 1). */
  readonly a: Float64Array[][];
  /** S_l per example. */
  readonly s: Float64Array[][];
  readonly mu: Float64Array[];
}

const act = (name: string, x: number): number => (name === 'tanh' ? Math.tanh(x) : x);
const dact = (name: string, x: number): number => (name === 'tanh' ? 1 - Math.tanh(x) ** 2 : 1);

export function forward(net: HostNet, theta: ArrayLike<number>, xs: readonly Float64Array[]): Forward {
  const L = net.layout.layers.length;
  const a: Float64Array[][] = [];
  const s: Float64Array[][] = [];
  const mu: Float64Array[] = [];
  for (const x of xs) {
    const ai: Float64Array[] = [];
    const si: Float64Array[] = [];
    let input = Float64Array.from([...x, 1]);
    net.layout.layers.forEach((layer, l) => {
      ai.push(input);
      const p = layer.n + 1;
      const out = new Float64Array(layer.m);
      for (let i = 0; i < layer.m; i++) {
        let acc = 0;
        for (let j = 0; j < p; j++) acc += theta[layer.offset + i * p + j]! * input[j]!;
        out[i] = acc;
      }
      si.push(out);
      const h = out.map((v) => act(layer.act, v));
      input = l === L - 1 ? h : Float64Array.from([...h, 1]);
    });
    a.push(ai);
    s.push(si);
    mu.push(input);
  }
  return { a, s, mu };
}

function softmax(mu: Float64Array): Float64Array {
  const max = Math.max(...mu);
  const e = mu.map((v) => Math.exp(v - max));
  const z = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / z);
}

export function nll(net: HostNet, mu: Float64Array, y: Float64Array): number {
  if (net.lik === 'gaussian') {
    let s = 0;
    for (let j = 0; j < mu.length; j++) s += 0.5 * (Math.log(net.sigma ** 2) + ((y[j]! - mu[j]!) / net.sigma) ** 2);
    return s;
  }
  const p = softmax(mu);
  let s = 0;
  for (let j = 0; j < mu.length; j++) s -= y[j]! * Math.log(p[j]!);
  return s;
}

/** ∂nll/∂μ. */
export function outputGrad(net: HostNet, mu: Float64Array, y: Float64Array): Float64Array {
  if (net.lik === 'gaussian') return mu.map((m, j) => (m - y[j]!) / net.sigma ** 2);
  const p = softmax(mu);
  return p.map((v, j) => v - y[j]!);
}

/** Λ(μ), the output-space Fisher, out×out. */
export function outputFisher(net: HostNet, mu: Float64Array): Float64Array {
  const k = mu.length;
  const out = new Float64Array(k * k);
  if (net.lik === 'gaussian') {
    for (let j = 0; j < k; j++) out[j * k + j] = 1 / net.sigma ** 2;
    return out;
  }
  const p = softmax(mu);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = (i === j ? p[i]! : 0) - p[i]! * p[j]!;
  return out;
}

/** Per-layer errors E_l per example from output errors `gout` (backprop through W̄ and the activations). */
export function backprop(net: HostNet, theta: ArrayLike<number>, f: Forward, gout: readonly Float64Array[]) {
  const layers = net.layout.layers;
  return gout.map((g, i) => {
    const e: Float64Array[] = new Array<Float64Array>(layers.length);
    let d = g;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l]!;
      const el = d.map((v, k) => v * dact(layer.act, f.s[i]![l]![k]!));
      e[l] = el;
      const p = layer.n + 1;
      const next = new Float64Array(layer.n);
      for (let j = 0; j < layer.n; j++) {
        let acc = 0;
        for (let k = 0; k < layer.m; k++) acc += el[k]! * theta[layer.offset + k * p + j]!;
        next[j] = acc;
      }
      d = next;
    }
    return e;
  });
}

/** Mean loss over the rows. */
export function meanLoss(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  ys: readonly Float64Array[],
) {
  const f = forward(net, theta, xs);
  return f.mu.reduce((s, mu, i) => s + nll(net, mu, ys[i]!), 0) / xs.length;
}

/** The batch-mean gradient, flat like θ. */
export function gradient(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  ys: readonly Float64Array[],
) {
  const f = forward(net, theta, xs);
  const e = backprop(
    net,
    theta,
    f,
    f.mu.map((mu, i) => outputGrad(net, mu, ys[i]!)),
  );
  const g = new Float64Array(net.layout.total);
  net.layout.layers.forEach((layer, l) => {
    const p = layer.n + 1;
    for (let i = 0; i < xs.length; i++)
      for (let k = 0; k < layer.m; k++)
        for (let j = 0; j < p; j++) g[layer.offset + k * p + j]! += (e[i]![l]![k]! * f.a[i]![l]![j]!) / xs.length;
  });
  return g;
}

/** Targets drawn from the model as the draw op documents (docs/kfac.md §2), counter base `base`. */
export function drawTargets(net: HostNet, mu: readonly Float64Array[], seed: number, base: number): Float64Array[] {
  const cols = mu[0]!.length;
  return mu.map((m, i) => {
    if (net.lik === 'gaussian')
      return m.map((v, j) => v + net.sigma * normalAt(seed, Stream.kfacDraw, base + i * cols + j));
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < cols; j++) {
      const w0 = threefry2x32(seed, Stream.kfacDraw, (base + i * cols + j) >>> 0, 0)[0];
      const z = m[j]! - Math.log(-Math.log(((w0 >>> 8) + 1) * 5.960464477539063e-8));
      if (z > best || j === 0) [best, arg] = [z, j];
    }
    return m.map((_, j) => (j === arg ? 1 : 0));
  });
}

/** K-FAC's per-step factors Â_l = (1/B) Σ ā āᵀ and Ĝ_l = (1/B) Σ ẽ ẽᵀ with model-drawn targets. */
export function batchFactors(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  seed: number,
  base: number,
) {
  const f = forward(net, theta, xs);
  const y = drawTargets(net, f.mu, seed, base);
  const e = backprop(
    net,
    theta,
    f,
    f.mu.map((mu, i) => outputGrad(net, mu, y[i]!)),
  );
  const B = xs.length;
  return net.layout.layers.map((layer, l) => {
    const p = layer.n + 1;
    const A = new Float64Array(p * p);
    const G = new Float64Array(layer.m * layer.m);
    for (let i = 0; i < B; i++) {
      const a = f.a[i]![l]!;
      const ei = e[i]![l]!;
      for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) A[r * p + c]! += (a[r]! * a[c]!) / B;
      for (let r = 0; r < layer.m; r++) for (let c = 0; c < layer.m; c++) G[r * layer.m + c]! += (ei[r]! * ei[c]!) / B;
    }
    return { A, G };
  });
}

export function trace(m: ArrayLike<number>, d: number): number {
  let t = 0;
  for (let i = 0; i < d; i++) t += m[i * d + i]!;
  return t;
}

/** The π-split damped inverses (A + π√γ I)⁻¹, (G + √γ/π I)⁻¹ in float64. */
export function dampedInverses(A: Float64Array, G: Float64Array, p: number, m: number, gamma: number) {
  const pi = Math.sqrt(trace(A, p) / p / (trace(G, m) / m));
  return {
    aInv: spdInverse(addDiagonal(A, p, pi * Math.sqrt(gamma)), p),
    gInv: spdInverse(addDiagonal(G, m, Math.sqrt(gamma) / pi), m),
  };
}

/** P = G⁻¹ ∇W̄ A⁻¹ for one layer (∇W̄ m×p). */
export function precondition(gInv: Float64Array, grad: ArrayLike<number>, aInv: Float64Array, m: number, p: number) {
  return matmul(matmul(gInv, grad, m, m, p), aInv, m, p, p);
}
