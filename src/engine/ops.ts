/**
 * The closed list of operations every backend implements. This is a trainer of small networks, not a tensor
 * library: each op is one of the few things a dense or convolutional network, its likelihood, its optimizers
 * and FishLeg need.
 * Model, optimizer and FishLeg code is written once as lists of these ops; each backend executes them
 * (CPU: typed-array loops, WebGPU: one WGSL dispatch each) and switches over `op.op` exhaustively.
 */
import type { Tensor } from './tensor.ts';

/** Elementwise activation after a dense layer. */
export type Activation = 'identity' | 'relu' | 'tanh' | 'sigmoid';
export const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid'] as const satisfies readonly Activation[];

/** Output likelihoods (docs/fishleg.md §8). */
export type Likelihood = 'gaussian' | 'bernoulli' | 'categorical';
export const LIKELIHOODS = ['gaussian', 'bernoulli', 'categorical'] as const satisfies readonly Likelihood[];

/** Matrix layouts of C = alpha·op(A)·op(B) + beta·C (row-major, leading dimensions given). */
export type MatmulLayout = 'nn' | 'nt' | 'tn';

/**
 * A coefficient known when the op list is recorded, optionally multiplied by scalars that live on the
 * device (e.g. a norm computed by a `reduce`), so that nothing has to be read back:
 * value = c · Π refs[i].t[0] ^ refs[i].power.
 */
export interface Coef {
  readonly c: number;
  readonly refs?: readonly { readonly t: Tensor; readonly power: 1 | -1 | 0.5 | -0.5 }[];
}

/** C (m×n) = alpha·op(A)·op(B) + beta·C. nn: A m×k, B k×n; nt: A m×k, B n×k; tn: A k×m, B k×n. */
export interface MatmulOp {
  readonly op: 'matmul';
  readonly layout: MatmulLayout;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: Tensor;
  readonly lda: number;
  readonly b: Tensor;
  readonly ldb: number;
  readonly c: Tensor;
  readonly ldc: number;
  readonly alpha: number;
  readonly beta: number;
}

/**
 * out[i, j] = f(s[i, j]) for j < cols (s has leading dim cols). out has leading dim ldOut (cols or cols + 1);
 * when ldOut = cols + 1 the column out[i, cols] is set to 1: the constant input that multiplies the bias.
 */
export interface ActForwardOp {
  readonly op: 'actForward';
  readonly act: Activation;
  readonly rows: number;
  readonly cols: number;
  readonly s: Tensor;
  readonly out: Tensor;
  readonly ldOut: number;
}

/**
 * out[i, j] = d[i, j] · f'(s[i, j]) for j < cols (backprop through an activation, and the same product
 * forward in the R-op). d has leading dim ldD, s has cols, out has ldOut; when ldOut > cols the column
 * out[i, cols] is set to `extra` (0 for a tangent of the constant bias input).
 */
export interface ActBackwardOp {
  readonly op: 'actBackward';
  readonly act: Activation;
  readonly rows: number;
  readonly cols: number;
  readonly d: Tensor;
  readonly ldD: number;
  readonly s: Tensor;
  readonly out: Tensor;
  readonly ldOut: number;
  readonly extra: number;
}

/** perExample[i] = Σ_j nll(y[i, j] | mu[i, j]) (categorical: over the row). rows×cols, dense. */
export interface NllOp {
  readonly op: 'nll';
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly mu: Tensor;
  readonly y: Tensor;
  readonly sigma: number;
  readonly perExample: Tensor;
}

/** grad[i, j] = scale · ∂ nll_i / ∂ mu[i, j] (per-example gradient times scale). */
export interface OutputGradOp {
  readonly op: 'outputGrad';
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly mu: Tensor;
  readonly y: Tensor;
  readonly sigma: number;
  readonly scale: number;
  readonly grad: Tensor;
}

/**
 * sample ~ p(y | mu) with the counter-based RNG: key (seed, stream), counter base read from
 * `counter` (u32 tensor, element 0) so a recorded op draws fresh numbers each time the host bumps it.
 * Element (i, j) uses counter (base + i·cols + j); categorical rows use (base + i·cols + j) per logit.
 */
export interface DrawOp {
  readonly op: 'draw';
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly mu: Tensor;
  readonly sigma: number;
  readonly seed: number;
  readonly stream: number;
  readonly counter: Tensor;
  readonly sample: Tensor;
}

/** out[i, :] = scale · Λ(mu_i) v[i, :], Λ the output-space Fisher of the likelihood (docs/fishleg.md §4). */
export interface FisherOutputOp {
  readonly op: 'fisherOutput';
  readonly lik: Likelihood;
  readonly rows: number;
  readonly cols: number;
  readonly mu: Tensor;
  readonly v: Tensor;
  readonly sigma: number;
  readonly scale: number;
  readonly out: Tensor;
}

/** dst[i, :cols] = src[idx[i], :cols] (src rows of length cols); dst has leading dim ldDst; if ones, dst[i, cols] = 1. */
export interface GatherOp {
  readonly op: 'gather';
  readonly rows: number;
  readonly cols: number;
  readonly src: Tensor;
  readonly idx: Tensor;
  readonly dst: Tensor;
  readonly ldDst: number;
  readonly ones: boolean;
}

/** out[0] (+)= scale · Σ x (sum), Σ x·y (dot) or Σ x² (sumsq) over n elements. */
export interface ReduceOp {
  readonly op: 'reduce';
  readonly kind: 'sum' | 'dot' | 'sumsq';
  readonly n: number;
  readonly x: Tensor;
  readonly y?: Tensor;
  readonly scale: number;
  readonly accumulate: boolean;
  readonly out: Tensor;
}

/** out = a·x + b·y over n elements (y optional). out may alias x or y. */
export interface AxpbyOp {
  readonly op: 'axpby';
  readonly n: number;
  readonly a: Coef;
  readonly x: Tensor;
  readonly b?: Coef;
  readonly y?: Tensor;
  readonly out: Tensor;
}

/** out = a · x ∘ y (elementwise) over n elements. out may alias x or y. */
export interface HadamardOp {
  readonly op: 'hadamard';
  readonly n: number;
  readonly a: Coef;
  readonly x: Tensor;
  readonly y: Tensor;
  readonly out: Tensor;
}

/** out[:n] = value. */
export interface FillOp {
  readonly op: 'fill';
  readonly n: number;
  readonly value: number;
  readonly out: Tensor;
}

/**
 * SGD with momentum (PyTorch semantics), one dispatch over a flat parameter buffer.
 * hyper: struct SgdHyper of shaders/optimizer.wgsl (engine/hyper.ts): g ← g + wd·θ; m ← μ·m + g; θ ← θ − lr·m.
 */
export interface SgdOp {
  readonly op: 'sgd';
  readonly n: number;
  readonly param: Tensor;
  readonly grad: Tensor;
  readonly mom: Tensor;
  readonly hyper: Tensor;
}

/**
 * Adam / AdamW, one dispatch. hyper: struct AdamHyper of shaders/optimizer.wgsl (engine/hyper.ts), with
 * bc1 = 1 − beta1^t, bc2 = 1 − beta2^t written by the host each step.
 * Adam: g ← g + wd·θ. AdamW: θ ← θ − lr·wd·θ. Then m, v moments and θ ← θ − lr·(m/bc1)/(√(v/bc2) + eps).
 */
export interface AdamOp {
  readonly op: 'adam';
  readonly n: number;
  readonly param: Tensor;
  readonly grad: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
  readonly hyper: Tensor;
}

/**
 * out = (M + c·I)⁻¹ of a symmetric positive semi-definite d×d M (row-major, only its lower triangle is read),
 * c > 0 evaluated at run time. Exact: a float64 Cholesky factorisation on the CPU backend. WebGPU has no
 * kernel for it (a sequential factorisation is the wrong shape for a GPU); K-FAC inverts there by
 * Newton–Schulz from matmuls (kfac/newton-schulz.ts). A pivot that is not positive (M not PSD, c ≤ 0 or
 * NaN input) writes NaN, which the divergence guard reports.
 */
export interface SpdInverseOp {
  readonly op: 'spdInverse';
  readonly d: number;
  readonly m: Tensor;
  readonly c: Coef;
  readonly out: Tensor;
}

/**
 * A batch of images in NHWC order: example b's image starts at element b·ld of its tensor (ld ≥ h·w·c, named
 * per op) and pixel (y, x), channel ci, is its element (y·w + x)·c + ci. NHWC because a product of patches
 * (one row per output position) by weights writes a convolution's rows×C_out result in exactly this order: a
 * layer's output is the next layer's input as it stands, and flattening it for a dense layer is a view.
 */
export interface ImageGeometry {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * A kh×kw window moved by strideH rows and strideW columns over an image zero-padded by padH rows and padW
 * columns on each side; it stops at oh = ⌊(h + 2·padH − kh)/strideH⌋ + 1 rows and ow likewise (window.ts).
 */
export interface WindowGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
}

/**
 * Patches of x as rows: cols[r, (ci·kh + ky)·kw + kx] = x[b, oy·strideH − padH + ky, ox·strideW − padW + kx, ci]
 * (0 where that falls in the padding) for output position r = (b·oh + oy)·ow + ox. The patch is in PyTorch's
 * unfold order (channel, row, column), so with W̄ = [W.reshape(C_out, c·kh·kw) | bias] the matmul
 * S = cols·W̄ᵀ is a convolution with the output in NHWC. cols has leading dimension ldCols; with `ones` its
 * column c·kh·kw is 1, the input that multiplies the bias. x holds one image per ldX elements.
 */
export interface Im2colOp extends ImageGeometry, WindowGeometry {
  readonly op: 'im2col';
  readonly x: Tensor;
  readonly ldX: number;
  readonly cols: Tensor;
  readonly ldCols: number;
  readonly ones: boolean;
}

/**
 * The adjoint of im2col: dx[b, iy, ix, ci] = the sum of every cols element that im2col would fill from
 * x[b, iy, ix, ci] (backprop into a convolution's input from dcols = E·W). Columns of cols past c·kh·kw are
 * not read. dx (one image per ldX elements) is overwritten, h·w·c values per example.
 */
export interface Col2imOp extends ImageGeometry, WindowGeometry {
  readonly op: 'col2im';
  readonly cols: Tensor;
  readonly ldCols: number;
  readonly dx: Tensor;
  readonly ldX: number;
}

/** Pooling over a window, channel by channel. */
export type PoolKind = 'max' | 'avg';
export const POOL_KINDS = ['max', 'avg'] as const satisfies readonly PoolKind[];

/**
 * y[b, oy, ox, ci] = the max, or the mean, of x[b, ·, ·, ci] over the window at (oy, ox). max takes the
 * window's pixels inside the image and writes, into the u32 tensor argmax (dense, b·oh·ow·c + (oy·ow + ox)·c
 * + ci), the position iy·w + ix of its first maximum in window order; avg is the window's sum / (kh·kw),
 * padding counted as zeros (PyTorch's count_include_pad). Padding is at most half the window, so every window
 * holds a pixel. y holds one image per ldY elements; with `ones`, y[b, oh·ow·c] = 1: the bias input of a dense
 * layer reading the pooled maps flattened.
 */
export interface PoolForwardOp extends ImageGeometry, WindowGeometry {
  readonly op: 'poolForward';
  readonly kind: PoolKind;
  readonly x: Tensor;
  readonly ldX: number;
  readonly y: Tensor;
  readonly ldY: number;
  readonly ones: boolean;
  /** max only: where each maximum came from (written; read instead when tangent). */
  readonly argmax?: Tensor;
  /**
   * x is a tangent (the R-op): max reads the forward pass's argmax instead of writing it, y[b, oy, ox, ci] =
   * x[b, argmax's pixel, ci]; average pooling is linear and pools as it is. The ones column gets 0, the
   * tangent of a constant.
   */
  readonly tangent?: boolean;
}

/**
 * Backprop through poolForward (same geometry): max: dx[b, iy, ix, ci] = Σ dy over the windows whose argmax is
 * (iy, ix); avg: Σ dy / (kh·kw) over the windows that contain it. dy holds one image of oh·ow·c per ldDy
 * elements; dx (one per ldX) is overwritten, h·w·c values per example.
 */
export interface PoolBackwardOp extends ImageGeometry, WindowGeometry {
  readonly op: 'poolBackward';
  readonly kind: PoolKind;
  readonly dy: Tensor;
  readonly ldDy: number;
  /** max only: poolForward's argmax. */
  readonly argmax?: Tensor;
  readonly dx: Tensor;
  readonly ldX: number;
}

export type Op =
  | MatmulOp
  | ActForwardOp
  | ActBackwardOp
  | NllOp
  | OutputGradOp
  | DrawOp
  | FisherOutputOp
  | GatherOp
  | ReduceOp
  | AxpbyOp
  | HadamardOp
  | FillOp
  | SgdOp
  | AdamOp
  | SpdInverseOp
  | Im2colOp
  | Col2imOp
  | PoolForwardOp
  | PoolBackwardOp;

export type OpName = Op['op'];
