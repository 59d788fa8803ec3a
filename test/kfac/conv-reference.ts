/**
 * Float64 host references for K-FAC (KFC, docs/kfac.md §6) and the natural gradient on conv nets, written from
 * the definitions and independent of the op builders and the im2col kernels: a net of conv2d, pooling and
 * dense layers over NHWC images, each conv layer seen as T output positions with a patch ā_t (c·kh·kw values
 * in PyTorch's unfold order, then 1) and an error e_t; its per-example gradient is Σ_t e_t ā_tᵀ.
 */
import { makeSplit, oneHot, type Dataset } from '../../src/engine/data/dataset.ts';
import type { LayerLayout } from '../../src/engine/layers/types.ts';
import type { ParamLayout } from '../../src/engine/model/mlp.ts';
import type { Activation } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import { outSize, pool, poolGrad, type Geometry } from '../conv/reference.ts';
import { drawTargets, outputFisher, outputGrad, type HostNet } from './reference.ts';

/** One parameter layer's rows for one example: T positions of ā (p wide) and of S (m wide). */
interface LayerRows {
  readonly t: number;
  /** T×p, the patches (conv) or the input (dense), each with its trailing 1. */
  readonly a: Float64Array;
  /** T×m pre-activations. */
  readonly s: Float64Array;
}

/** One example's pass: per layer its input (flat NHWC or features) and, for a parameter layer, its rows. */
interface ExampleForward {
  readonly inputs: Float64Array[];
  readonly rows: (LayerRows | null)[];
  readonly mu: Float64Array;
}

const act = (a: Activation, x: number): number =>
  a === 'tanh' ? Math.tanh(x) : a === 'relu' ? Math.max(0, x) : a === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : x;
const dact = (a: Activation, x: number): number => {
  if (a === 'tanh') return 1 - Math.tanh(x) ** 2;
  if (a === 'relu') return x > 0 ? 1 : 0;
  if (a === 'sigmoid') {
    const y = 1 / (1 + Math.exp(-x));
    return y * (1 - y);
  }
  return 1;
};

const geometry = (layer: LayerLayout): Geometry => {
  const im = layer.image!;
  return { batch: 1, ...im.input, ...im.window };
};

/**
 * For a conv layer, the input index of every patch entry: index[t·(p−1) + j] (−1 in the padding), with
 * j = (ci·kh + ky)·kw + kx and t = oy·ow + ox.
 */
function patchIndex(layer: LayerLayout): { t: number; q: number; index: Int32Array } {
  const g = geometry(layer);
  const { oh, ow } = outSize(g);
  const q = g.c * g.kh * g.kw;
  const index = new Int32Array(oh * ow * q);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let ci = 0; ci < g.c; ci++)
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const iy = oy * g.strideH - g.padH + ky;
            const ix = ox * g.strideW - g.padW + kx;
            const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            index[(oy * ow + ox) * q + (ci * g.kh + ky) * g.kw + kx] = inside ? (iy * g.w + ix) * g.c + ci : -1;
          }
  return { t: oh * ow, q, index };
}

function forwardOne(layout: ParamLayout, theta: ArrayLike<number>, x: Float64Array): ExampleForward {
  const inputs: Float64Array[] = [];
  const rows: (LayerRows | null)[] = [];
  let h = x;
  for (const layer of layout.layers) {
    inputs.push(h);
    if (layer.kind === 'pool') {
      rows.push(null);
      h = Float64Array.from(pool(layer.image!.pool!, geometry(layer), h).y);
      continue;
    }
    let t: number;
    let a: Float64Array;
    let m: number;
    if (layer.kind === 'conv2d') {
      const pi = patchIndex(layer);
      t = pi.t;
      m = layer.image!.output.c;
      const p = pi.q + 1;
      a = new Float64Array(t * p);
      for (let r = 0; r < t; r++) {
        for (let j = 0; j < pi.q; j++) {
          const i = pi.index[r * pi.q + j]!;
          a[r * p + j] = i < 0 ? 0 : h[i]!;
        }
        a[r * p + pi.q] = 1;
      }
    } else {
      t = 1;
      m = layer.m;
      a = Float64Array.from([...h, 1]);
    }
    const p = a.length / t;
    const s = new Float64Array(t * m);
    for (let r = 0; r < t; r++)
      for (let o = 0; o < m; o++) {
        let acc = 0;
        for (let j = 0; j < p; j++) acc += theta[layer.offset + o * p + j]! * a[r * p + j]!;
        s[r * m + o] = acc;
      }
    rows.push({ t, a, s });
    // NHWC: position-major, channel-minor, as the next layer reads it.
    h = s.map((v) => act(layer.act, v));
  }
  return { inputs, rows, mu: h };
}

export function convForward(layout: ParamLayout, theta: ArrayLike<number>, xs: readonly Float64Array[]) {
  return xs.map((x) => forwardOne(layout, theta, x));
}

/** Per parameter layer the errors ∂/∂S (T×m) of one example from its output gradient (null for pooling). */
function backpropOne(
  layout: ParamLayout,
  theta: ArrayLike<number>,
  f: ExampleForward,
  gout: Float64Array,
): (Float64Array | null)[] {
  const layers = layout.layers;
  const errors: (Float64Array | null)[] = new Array<Float64Array | null>(layers.length).fill(null);
  let d = gout;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const input = f.inputs[l]!;
    if (layer.kind === 'pool') {
      d = Float64Array.from(poolGrad(layer.image!.pool!, geometry(layer), input, d));
      continue;
    }
    const rows = f.rows[l]!;
    const e = d.map((v, k) => v * dact(layer.act, rows.s[k]!));
    errors[l] = e;
    const m = e.length / rows.t;
    const p = rows.a.length / rows.t;
    const next = new Float64Array(input.length);
    const pi = layer.kind === 'conv2d' ? patchIndex(layer) : null;
    for (let r = 0; r < rows.t; r++)
      for (let j = 0; j < p - 1; j++) {
        const i = pi ? pi.index[r * (p - 1) + j]! : j;
        if (i < 0) continue;
        let acc = 0;
        for (let o = 0; o < m; o++) acc += e[r * m + o]! * theta[layer.offset + o * p + j]!;
        next[i] = next[i]! + acc;
      }
    d = next;
  }
  return errors;
}

/** Σ_t e_t ā_tᵀ of one example and layer, m×p row-major, added into out at `offset`. */
function addLayerGrad(rows: LayerRows, e: Float64Array, out: Float64Array, offset: number, w: number): void {
  const m = e.length / rows.t;
  const p = rows.a.length / rows.t;
  for (let r = 0; r < rows.t; r++)
    for (let o = 0; o < m; o++) {
      const eo = w * e[r * m + o]!;
      if (eo === 0) continue;
      for (let j = 0; j < p; j++) out[offset + o * p + j]! += eo * rows.a[r * p + j]!;
    }
}

/** The batch-mean gradient of the NLL, flat like θ. */
export function convGradient(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  ys: readonly Float64Array[],
): Float64Array {
  const g = new Float64Array(net.layout.total);
  convForward(net.layout, theta, xs).forEach((f, i) => {
    const e = backpropOne(net.layout, theta, f, outputGrad(net, f.mu, ys[i]!));
    net.layout.layers.forEach((layer, l) => {
      if (f.rows[l]) addLayerGrad(f.rows[l], e[l]!, g, layer.offset, 1 / xs.length);
    });
  });
  return g;
}

/**
 * KFC's per-step factors with targets drawn from the model (counter base `base`): per parameter layer
 * Â = (1/B) Σ_i Σ_t ā_it ā_itᵀ and Ĝ = (1/(B·T)) Σ_i Σ_t e_it e_itᵀ; null for pooling.
 */
export function kfcFactors(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  seed: number,
  base: number,
): ({ A: Float64Array; G: Float64Array } | null)[] {
  const fs = convForward(net.layout, theta, xs);
  const y = drawTargets(
    net,
    fs.map((f) => f.mu),
    seed,
    base,
  );
  const es = fs.map((f, i) => backpropOne(net.layout, theta, f, outputGrad(net, f.mu, y[i]!)));
  const B = xs.length;
  return net.layout.layers.map((_, l) => {
    const r0 = fs[0]!.rows[l];
    if (!r0) return null;
    const T = r0.t;
    const p = r0.a.length / T;
    const m = r0.s.length / T;
    const A = new Float64Array(p * p);
    const G = new Float64Array(m * m);
    fs.forEach((f, i) => {
      const { a } = f.rows[l]!;
      const e = es[i]![l]!;
      for (let t = 0; t < T; t++) {
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) A[r * p + c]! += (a[t * p + r]! * a[t * p + c]!) / B;
        for (let r = 0; r < m; r++)
          for (let c = 0; c < m; c++) G[r * m + c]! += (e[t * m + r]! * e[t * m + c]!) / (B * T);
      }
    });
    return { A, G };
  });
}

/**
 * The exact Fisher of the batch restricted to the parameters [from, from + d): (1/B) Σ_i J_iᵀ Λ_i J_i with
 * J_i = ∂μ_i/∂θ (one backward pass per output), d×d row-major. The whole Fisher with from = 0, d = P.
 */
export function convFisher(
  net: HostNet,
  theta: ArrayLike<number>,
  xs: readonly Float64Array[],
  from = 0,
  d = net.layout.total,
): Float64Array {
  const F = new Float64Array(d * d);
  convForward(net.layout, theta, xs).forEach((f) => {
    const k = f.mu.length;
    const J = Array.from({ length: k }, (_, c) => {
      const unit = new Float64Array(k);
      unit[c] = 1;
      const e = backpropOne(net.layout, theta, f, unit);
      const row = new Float64Array(net.layout.total);
      net.layout.layers.forEach((layer, l) => {
        if (f.rows[l]) addLayerGrad(f.rows[l], e[l]!, row, layer.offset, 1);
      });
      return row.subarray(from, from + d);
    });
    const lam = outputFisher(net, f.mu);
    for (let c = 0; c < k; c++)
      for (let c2 = 0; c2 < k; c2++) {
        const w = lam[c * k + c2]! / xs.length;
        if (w === 0) continue;
        const jc = J[c]!;
        const jc2 = J[c2]!;
        for (let a = 0; a < d; a++) {
          const x = w * jc[a]!;
          if (x === 0) continue;
          for (let b = 0; b < d; b++) F[a * d + b]! += x * jc2[b]!;
        }
      }
  });
  return F;
}

/** n seeded random images h×w×c with random labels among `classes`, the same rows as train and test split. */
export function images(h: number, w: number, c: number, classes: number, n: number, seed: number): Dataset {
  const rng = new Rng(seed, 7);
  const d = h * w * c;
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const y = oneHot(
    Array.from({ length: n }, () => rng.int(classes)),
    classes,
  );
  const split = makeSplit(x, y, n, d, classes);
  return {
    name: 'images',
    inputDim: d,
    outputDim: classes,
    kind: 'classification',
    numClasses: classes,
    train: split,
    test: split,
  };
}
