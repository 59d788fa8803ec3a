/**
 * A small conv net built from the op builders of model/conv-passes.ts on any backend, for the gradient
 * checks: images → conv2d → activation → pooling → conv2d → activation → flatten (a view) → dense → categorical
 * NLL. Its programs: the forward pass with the mean loss, the backward pass into the parameters' gradient and
 * the images' gradient, and the R-op (the logits' directional derivative along a parameter tangent).
 */
import type { Backend } from '../../src/engine/backend.ts';
import {
  conv2dForwardOps,
  conv2dInputGradOps,
  conv2dSizes,
  conv2dWeightGradOps,
  poolBackwardOps,
  poolForwardOps,
  poolSizes,
  type Conv2dShape,
  type PoolShape,
} from '../../src/engine/model/conv-passes.ts';
import type { Activation, Op, PoolKind, WindowGeometry } from '../../src/engine/ops.ts';
import { Rng } from '../../src/engine/rng.ts';
import { slice, type Tensor } from '../../src/engine/tensor.ts';

export interface ConvLayerSpec extends WindowGeometry {
  readonly cOut: number;
  readonly act: Activation;
}

export interface CompositeSpec {
  readonly name: string;
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly conv1: ConvLayerSpec;
  readonly pool: WindowGeometry & { readonly kind: PoolKind };
  readonly conv2: ConvLayerSpec;
  readonly classes: number;
}

const win = (s: WindowGeometry): WindowGeometry => ({
  kh: s.kh,
  kw: s.kw,
  strideH: s.strideH,
  strideW: s.strideW,
  padH: s.padH,
  padW: s.padW,
});

/** Odd sizes, strides > 1, padding, one input channel and several, batch 1 and more, max and average pooling. */
export const COMPOSITES: readonly CompositeSpec[] = [
  {
    name: '9×8×2, conv 3×3 pad 1 (tanh), max 2×2 stride 2, conv 2×2 (relu), batch 2',
    batch: 2,
    h: 9,
    w: 8,
    c: 2,
    conv1: { cOut: 3, act: 'tanh', kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
    pool: { kind: 'max', kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
    conv2: { cOut: 4, act: 'relu', kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0 },
    classes: 3,
  },
  {
    name: '7×7×1, conv 5×5 stride 2 pad 2 (relu), avg 3×3 pad 1, conv 3×3 stride 2 (tanh), batch 1',
    batch: 1,
    h: 7,
    w: 7,
    c: 1,
    conv1: { cOut: 4, act: 'relu', kh: 5, kw: 5, strideH: 2, strideW: 2, padH: 2, padW: 2 },
    pool: { kind: 'avg', kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
    conv2: { cOut: 2, act: 'tanh', kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 0, padW: 0 },
    classes: 3,
  },
  {
    name: '6×5×3, conv 1×1 to 5 channels (sigmoid), max 3×2 stride 2 pad 1, conv 2×3 pad 1 (identity), batch 3',
    batch: 3,
    h: 6,
    w: 5,
    c: 3,
    conv1: { cOut: 5, act: 'sigmoid', kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 },
    pool: { kind: 'max', kh: 3, kw: 2, strideH: 2, strideW: 2, padH: 1, padW: 1 },
    conv2: { cOut: 2, act: 'identity', kh: 2, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
    classes: 2,
  },
];

export interface Composite {
  /** Parameters [W̄1 | W̄2 | W̄3] and their gradient, flat. */
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly tangent: Tensor;
  readonly nParams: number;
  /** The images and their gradient (dense NHWC). */
  readonly x: Tensor;
  readonly dx: Tensor;
  readonly logits: Tensor;
  /** ∂logits along `tangent` (R-op). */
  readonly dLogits: Tensor;
  readonly loss: Tensor;
  readonly forward: Op[];
  readonly backward: Op[];
  readonly rop: Op[];
  /** Seeded parameters, images, tangent and one-hot targets, the same on every backend. */
  readonly init: { params: number[]; x: number[]; tangent: number[]; targets: number[] };
}

/** Allocates the net's buffers on `be` (unfilled) and builds its op lists. */
export function buildComposite(be: Backend, spec: CompositeSpec, seed: number): Composite {
  const B = spec.batch;
  const s1: Conv2dShape = { batch: B, h: spec.h, w: spec.w, c: spec.c, ...win(spec.conv1), cOut: spec.conv1.cOut };
  const z1 = conv2dSizes(s1);
  const sp: PoolShape = { batch: B, h: z1.oh, w: z1.ow, c: s1.cOut, ...win(spec.pool), kind: spec.pool.kind };
  const zp = poolSizes(sp);
  const s2: Conv2dShape = { batch: B, h: zp.oh, w: zp.ow, c: s1.cOut, ...win(spec.conv2), cOut: spec.conv2.cOut };
  const z2 = conv2dSizes(s2);
  const K = spec.classes;
  const p3 = z2.outPerExample + 1;
  const nParams = z1.params + z2.params + K * p3;
  const alloc = (n: number, label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor =>
    be.alloc(Math.max(1, n), label, dtype);

  const params = alloc(nParams, 'params');
  const grads = alloc(nParams, 'grads');
  const tangent = alloc(nParams, 'tangent');
  const piece = (t: Tensor) => [
    slice(t, 0, z1.params),
    slice(t, z1.params, z2.params),
    slice(t, z1.params + z2.params, K * p3),
  ];
  const [w1, w2, w3] = piece(params) as [Tensor, Tensor, Tensor];
  const [g1, g2, g3] = piece(grads) as [Tensor, Tensor, Tensor];
  const [v1, v2, v3] = piece(tangent) as [Tensor, Tensor, Tensor];
  const x = alloc(B * z1.inPerExample, 'x');
  const dx = alloc(B * z1.inPerExample, 'dx');
  const cols1 = alloc(z1.cols, 'cols1');
  const pre1 = alloc(z1.rows * s1.cOut, 's1');
  const a1 = alloc(B * z1.outPerExample, 'a1');
  const y = alloc(B * zp.outPerExample, 'pooled');
  const argmax = spec.pool.kind === 'max' ? alloc(zp.argmax, 'argmax', 'u32') : undefined;
  const cols2 = alloc(z2.cols, 'cols2');
  const pre2 = alloc(z2.rows * s2.cOut, 's2');
  const a2 = alloc(B * p3, 'a2');
  const logits = alloc(B * K, 'logits');
  const targets = alloc(B * K, 'targets');
  const perExample = alloc(B, 'nll');
  const loss = alloc(1, 'loss');
  const gOut = alloc(B * K, 'gout');
  const da2 = alloc(B * z2.outPerExample, 'da2');
  const e2 = alloc(z2.rows * s2.cOut, 'e2');
  const dcols2 = alloc(z2.dcols, 'dcols2');
  const dy = alloc(B * zp.outPerExample, 'dy');
  const da1 = alloc(B * z1.outPerExample, 'da1');
  const e1 = alloc(z1.rows * s1.cOut, 'e1');
  const tPre1 = alloc(z1.rows * s1.cOut, 'ts1');
  const tA1 = alloc(B * z1.outPerExample, 'ta1');
  const tY = alloc(B * zp.outPerExample, 'tpooled');
  const tCols2 = alloc(z2.cols, 'tcols2');
  const tPre2 = alloc(z2.rows * s2.cOut, 'ts2');
  const tA2 = alloc(B * p3, 'ta2');
  const dLogits = alloc(B * K, 'dlogits');
  const arg = argmax ? { argmax } : {};

  const dense = (a: Tensor, w: Tensor, out: Tensor, beta: 0 | 1): Op => ({
    op: 'matmul',
    layout: 'nt',
    m: B,
    n: K,
    k: p3,
    a,
    lda: p3,
    b: w,
    ldb: p3,
    c: out,
    ldc: K,
    alpha: 1,
    beta,
  });
  const out1 = z1.outPerExample;
  const out2 = z2.outPerExample;
  const forward: Op[] = [
    ...conv2dForwardOps(s1, { x, ldX: z1.inPerExample, weights: w1, cols: cols1, s: pre1 }),
    { op: 'actForward', act: spec.conv1.act, rows: B, cols: out1, s: pre1, out: a1, ldOut: out1 },
    ...poolForwardOps(sp, { x: a1, ldX: out1, y, ldY: zp.outPerExample, ones: false, ...arg }),
    ...conv2dForwardOps(s2, { x: y, ldX: zp.outPerExample, weights: w2, cols: cols2, s: pre2 }),
    // Flatten is a view: the NHWC maps of one example are one row; the activation adds the ones column.
    { op: 'actForward', act: spec.conv2.act, rows: B, cols: out2, s: pre2, out: a2, ldOut: p3 },
    dense(a2, w3, logits, 0),
    { op: 'nll', lik: 'categorical', rows: B, cols: K, mu: logits, y: targets, sigma: 1, perExample },
    { op: 'reduce', kind: 'sum', n: B, x: perExample, scale: 1 / B, accumulate: false, out: loss },
  ];
  const backward: Op[] = [
    {
      op: 'outputGrad',
      lik: 'categorical',
      rows: B,
      cols: K,
      mu: logits,
      y: targets,
      sigma: 1,
      scale: 1 / B,
      grad: gOut,
    },
    {
      op: 'matmul',
      layout: 'tn',
      m: K,
      n: p3,
      k: B,
      a: gOut,
      lda: K,
      b: a2,
      ldb: p3,
      c: g3,
      ldc: p3,
      alpha: 1,
      beta: 0,
    },
    {
      op: 'matmul',
      layout: 'nn',
      m: B,
      n: out2,
      k: K,
      a: gOut,
      lda: K,
      b: w3,
      ldb: p3,
      c: da2,
      ldc: out2,
      alpha: 1,
      beta: 0,
    },
    {
      op: 'actBackward',
      act: spec.conv2.act,
      rows: B,
      cols: out2,
      d: da2,
      ldD: out2,
      s: pre2,
      out: e2,
      ldOut: out2,
      extra: 0,
    },
    ...conv2dWeightGradOps(s2, { e: e2, cols: cols2, grads: g2, scale: 1 }),
    ...conv2dInputGradOps(s2, { e: e2, weights: w2, dcols: dcols2, dx: dy, ldX: zp.outPerExample }),
    ...poolBackwardOps(sp, { dy, ldDy: zp.outPerExample, dx: da1, ldX: out1, ...arg }),
    {
      op: 'actBackward',
      act: spec.conv1.act,
      rows: B,
      cols: out1,
      d: da1,
      ldD: out1,
      s: pre1,
      out: e1,
      ldOut: out1,
      extra: 0,
    },
    ...conv2dWeightGradOps(s1, { e: e1, cols: cols1, grads: g1, scale: 1 }),
    // The patches are spent once the weight gradient has them: their gradient reuses the buffer.
    ...conv2dInputGradOps(s1, { e: e1, weights: w1, dcols: cols1, dx, ldX: z1.inPerExample }),
  ];
  const rop: Op[] = [
    ...conv2dForwardOps(s1, { x, ldX: z1.inPerExample, weights: v1, cols: cols1, s: tPre1, reuseCols: true }),
    {
      op: 'actBackward',
      act: spec.conv1.act,
      rows: B,
      cols: out1,
      d: tPre1,
      ldD: out1,
      s: pre1,
      out: tA1,
      ldOut: out1,
      extra: 0,
    },
    ...poolForwardOps(sp, { x: tA1, ldX: out1, y: tY, ldY: zp.outPerExample, ones: false, tangent: true, ...arg }),
    ...conv2dForwardOps(s2, { x: y, ldX: zp.outPerExample, weights: v2, cols: cols2, s: tPre2, reuseCols: true }),
    ...conv2dForwardOps(s2, {
      x: tY,
      ldX: zp.outPerExample,
      weights: w2,
      cols: tCols2,
      s: tPre2,
      beta: 1,
      tangent: true,
    }),
    {
      op: 'actBackward',
      act: spec.conv2.act,
      rows: B,
      cols: out2,
      d: tPre2,
      ldD: out2,
      s: pre2,
      out: tA2,
      ldOut: p3,
      extra: 0,
    },
    dense(a2, v3, dLogits, 0),
    dense(tA2, w3, dLogits, 1),
  ];

  const rng = new Rng(seed, 17);
  const uniform = (n: number, scale: number) => Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
  const fanIn = (p: number, n: number) => uniform(n, Math.sqrt(3 / p));
  const init = {
    params: [...fanIn(z1.patch + 1, z1.params), ...fanIn(z2.patch + 1, z2.params), ...fanIn(p3, K * p3)].map(
      (v) => 1.5 * v,
    ),
    x: uniform(B * z1.inPerExample, 1),
    tangent: uniform(nParams, 1),
    targets: Array.from({ length: B }, () => Math.floor(rng.uniform() * K)).flatMap((t) =>
      Array.from({ length: K }, (_, k) => (k === t ? 1 : 0)),
    ),
  };
  be.write(params, init.params);
  be.write(x, init.x);
  be.write(tangent, init.tangent);
  be.write(targets, init.targets);
  return { params, grads, tangent, nParams, x, dx, logits, dLogits, loss, forward, backward, rop, init };
}
