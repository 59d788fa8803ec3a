/**
 * A conv2d layer's and a pooling layer's passes as op lists, from their shapes: the pieces a conv layer module
 * assembles, as model/passes.ts does for dense layers. Pure: builders return ops over tensors the caller owns.
 *
 * A conv2d layer is a dense layer over patches: cols = im2col(x) (batch·oh·ow rows of c·kh·kw + 1, the ones
 * column last), S = cols·W̄ᵀ with W̄ = [W.reshape(C_out, c·kh·kw) | bias] (C_out × (c·kh·kw + 1), PyTorch's
 * weight order), so S, batch·oh·ow × C_out, is the output in NHWC and is also batch × oh·ow·C_out for
 * whatever reads it per example. Its weight gradient is Eᵀ·cols, as for a dense layer with cols as Ā; its
 * input gradient is col2im(E·W) without the bias column.
 */
import type { ImageGeometry, Op, PoolKind, WindowGeometry } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import { patchSize, windowMisfit, windowOutput } from '../window.ts';

/** Thrown for a conv or pooling shape that does not fit its input; the message says what to change. */
export class ConvShapeError extends RangeError {
  override readonly name = 'ConvShapeError';
}

/** A conv2d layer over `batch` images of h×w×c, with cOut output channels. */
export interface Conv2dShape extends ImageGeometry, WindowGeometry {
  readonly cOut: number;
}

/** A pooling layer over `batch` images of h×w×c. */
export interface PoolShape extends ImageGeometry, WindowGeometry {
  readonly kind: PoolKind;
}

/** Sizes, in elements, that a conv2d layer's buffers need. */
export interface Conv2dSizes {
  readonly oh: number;
  readonly ow: number;
  /** c·kh·kw: a patch without its ones column. */
  readonly patch: number;
  /** batch·oh·ow: rows of cols, S and E. */
  readonly rows: number;
  /** Parameters: cOut·(patch + 1). */
  readonly params: number;
  /** The patches with their ones column: rows·(patch + 1). */
  readonly cols: number;
  /** The patches' gradient E·W: rows·patch. */
  readonly dcols: number;
  /** One input image, h·w·c, and one output image, oh·ow·cOut. */
  readonly inPerExample: number;
  readonly outPerExample: number;
}

/** Sizes that a pooling layer's buffers need. */
export interface PoolSizes {
  readonly oh: number;
  readonly ow: number;
  readonly inPerExample: number;
  /** oh·ow·c. */
  readonly outPerExample: number;
  /** u32 elements of the argmax (batch·oh·ow·c for max, 0 for avg). */
  readonly argmax: number;
}

function fit(what: string, g: ImageGeometry & WindowGeometry, pool: boolean): { oh: number; ow: number } {
  const misfit = windowMisfit(g, pool);
  if (misfit) throw new ConvShapeError(`${what}: ${misfit}`);
  return windowOutput(g);
}

/** The sizes of a conv2d layer; throws ConvShapeError when the kernel does not fit the (padded) image. */
export function conv2dSizes(s: Conv2dShape): Conv2dSizes {
  const { oh, ow } = fit('conv2d', s, false);
  if (!Number.isSafeInteger(s.cOut) || s.cOut < 1) {
    throw new ConvShapeError(`conv2d: output channels must be a positive integer, got ${s.cOut}`);
  }
  const patch = patchSize(s);
  const rows = s.batch * oh * ow;
  return {
    oh,
    ow,
    patch,
    rows,
    params: s.cOut * (patch + 1),
    cols: rows * (patch + 1),
    dcols: rows * patch,
    inPerExample: s.h * s.w * s.c,
    outPerExample: oh * ow * s.cOut,
  };
}

/** The sizes of a pooling layer; throws ConvShapeError when the window does not fit the image. */
export function poolSizes(s: PoolShape): PoolSizes {
  const { oh, ow } = fit(`${s.kind} pooling`, s, true);
  const outPerExample = oh * ow * s.c;
  return {
    oh,
    ow,
    inPerExample: s.h * s.w * s.c,
    outPerExample,
    argmax: s.kind === 'max' ? s.batch * outPerExample : 0,
  };
}

const geometry = (s: ImageGeometry & WindowGeometry): ImageGeometry & WindowGeometry => ({
  batch: s.batch,
  h: s.h,
  w: s.w,
  c: s.c,
  kh: s.kh,
  kw: s.kw,
  strideH: s.strideH,
  strideW: s.strideW,
  padH: s.padH,
  padW: s.padW,
});

export interface Conv2dForwardTensors {
  /** The input images, one every ldX elements. */
  readonly x: Tensor;
  readonly ldX: number;
  /** W̄, cOut × (patch + 1). */
  readonly weights: Tensor;
  /** The patches (Conv2dSizes.cols); kept for the weight gradient. */
  readonly cols: Tensor;
  /** The output S, rows × cOut. */
  readonly s: Tensor;
  /** 1 adds into s (the R-op's second term). */
  readonly beta?: 0 | 1;
  /**
   * x is a tangent: its patches get no ones column and the bias is skipped, so S (+)= patches·Wᵀ is linear
   * in x (the R-op's term through the layer's input).
   */
  readonly tangent?: boolean;
  /** cols already holds im2col(x) (the forward pass's, for the R-op's term through the weights): only the product. */
  readonly reuseCols?: boolean;
}

/** cols = im2col(x) (with the ones column unless tangent), then s (+)= cols·W̄ᵀ. */
export function conv2dForwardOps(shape: Conv2dShape, t: Conv2dForwardTensors): Op[] {
  const z = conv2dSizes(shape);
  const p = z.patch + 1;
  const k = t.tangent ? z.patch : p;
  const patches: Op[] = t.reuseCols
    ? []
    : [{ op: 'im2col', ...geometry(shape), x: t.x, ldX: t.ldX, cols: t.cols, ldCols: p, ones: !t.tangent }];
  return [
    ...patches,
    {
      op: 'matmul',
      layout: 'nt',
      m: z.rows,
      n: shape.cOut,
      k,
      a: t.cols,
      lda: p,
      b: t.weights,
      ldb: p,
      c: t.s,
      ldc: shape.cOut,
      alpha: 1,
      beta: t.beta ?? 0,
    },
  ];
}

export interface Conv2dWeightGradTensors {
  /** E = ∂/∂S, rows × cOut. */
  readonly e: Tensor;
  /** The forward pass's patches. */
  readonly cols: Tensor;
  /** The layer's gradient, cOut × (patch + 1), in W̄'s layout. */
  readonly grads: Tensor;
  readonly scale: number;
  readonly beta?: number;
}

/** grads (+)= scale·Eᵀ·cols: the dense weight gradient with the patches as the layer's input. */
export function conv2dWeightGradOps(shape: Conv2dShape, t: Conv2dWeightGradTensors): Op[] {
  const z = conv2dSizes(shape);
  const p = z.patch + 1;
  return [
    {
      op: 'matmul',
      layout: 'tn',
      m: shape.cOut,
      n: p,
      k: z.rows,
      a: t.e,
      lda: shape.cOut,
      b: t.cols,
      ldb: p,
      c: t.grads,
      ldc: p,
      alpha: t.scale,
      beta: t.beta ?? 0,
    },
  ];
}

export interface Conv2dInputGradTensors {
  readonly e: Tensor;
  readonly weights: Tensor;
  /** The patches' gradient (Conv2dSizes.dcols); may be the forward's cols once the weight gradient is done. */
  readonly dcols: Tensor;
  /** ∂/∂x, one image every ldX elements (overwritten; the elements between images are left alone). */
  readonly dx: Tensor;
  readonly ldX: number;
}

/** dcols = E·W (the bias column skipped), then dx = col2im(dcols). */
export function conv2dInputGradOps(shape: Conv2dShape, t: Conv2dInputGradTensors): Op[] {
  const z = conv2dSizes(shape);
  return [
    {
      op: 'matmul',
      layout: 'nn',
      m: z.rows,
      n: z.patch,
      k: shape.cOut,
      a: t.e,
      lda: shape.cOut,
      b: t.weights,
      ldb: z.patch + 1,
      c: t.dcols,
      ldc: z.patch,
      alpha: 1,
      beta: 0,
    },
    { op: 'col2im', ...geometry(shape), cols: t.dcols, ldCols: z.patch, dx: t.dx, ldX: t.ldX },
  ];
}

export interface PoolForwardTensors {
  readonly x: Tensor;
  readonly ldX: number;
  readonly y: Tensor;
  readonly ldY: number;
  /** y[b, oh·ow·c] = 1: the pooled maps feed a dense layer. */
  readonly ones: boolean;
  /** max only (PoolSizes.argmax u32 elements). */
  readonly argmax?: Tensor;
  /** x is a tangent (the R-op): max reads the forward pass's argmax; the ones column gets 0. */
  readonly tangent?: boolean;
}

/** y = pool(x) (and, for max, argmax; or, for a tangent, x at the forward pass's argmax). */
export function poolForwardOps(shape: PoolShape, t: PoolForwardTensors): Op[] {
  poolSizes(shape);
  const arg = shape.kind === 'max' && t.argmax ? { argmax: t.argmax } : {};
  return [
    {
      op: 'poolForward',
      kind: shape.kind,
      ...geometry(shape),
      x: t.x,
      ldX: t.ldX,
      y: t.y,
      ldY: t.ldY,
      ones: t.ones,
      tangent: t.tangent ?? false,
      ...arg,
    },
  ];
}

export interface PoolBackwardTensors {
  readonly dy: Tensor;
  readonly ldDy: number;
  readonly argmax?: Tensor;
  readonly dx: Tensor;
  readonly ldX: number;
}

/** dx = ∂⟨dy, pool(x)⟩/∂x through the forward pass's argmax (max) or its windows (avg). */
export function poolBackwardOps(shape: PoolShape, t: PoolBackwardTensors): Op[] {
  poolSizes(shape);
  const arg = shape.kind === 'max' && t.argmax ? { argmax: t.argmax } : {};
  return [
    { op: 'poolBackward', kind: shape.kind, ...geometry(shape), dy: t.dy, ldDy: t.ldDy, dx: t.dx, ldX: t.ldX, ...arg },
  ];
}
