/**
 * The arithmetic of a window sliding over a batch of images (ops.ts: ImageGeometry, WindowGeometry), shared
 * by the op validator, both backends' conv and pool kernels and the conv op builders, so that all of them
 * agree on output sizes and on which shapes do not fit.
 */
import type { ImageGeometry, WindowGeometry } from './ops.ts';

/** Positions of a window of size k moved by `stride` over n + 2·pad (may be ≤ 0 when it does not fit). */
export function windowPositions(n: number, k: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - k) / stride) + 1;
}

/** The output grid of a window over an image: oh × ow positions. */
export function windowOutput(g: ImageGeometry & WindowGeometry): { readonly oh: number; readonly ow: number } {
  return {
    oh: windowPositions(g.h, g.kh, g.strideH, g.padH),
    ow: windowPositions(g.w, g.kw, g.strideW, g.padW),
  };
}

/** Elements of one patch (a row of im2col without its ones column): c·kh·kw. */
export function patchSize(g: ImageGeometry & WindowGeometry): number {
  return g.c * g.kh * g.kw;
}

const NAMES: readonly (keyof ImageGeometry | keyof WindowGeometry)[] = [
  'batch',
  'h',
  'w',
  'c',
  'kh',
  'kw',
  'strideH',
  'strideW',
];

/**
 * Why a window geometry is unusable, in words a reader of the architecture can act on, or undefined when it
 * fits: sizes and strides must be positive integers, paddings non-negative integers, the window no larger than
 * the padded image, and (`pool`) the padding at most half the window, so that no window holds padding only.
 */
export function windowMisfit(g: ImageGeometry & WindowGeometry, pool: boolean): string | undefined {
  for (const name of NAMES) {
    const v = g[name];
    if (!Number.isSafeInteger(v) || v < 1) return `${name} must be a positive integer, got ${v}`;
  }
  for (const name of ['padH', 'padW'] as const) {
    const v = g[name];
    if (!Number.isSafeInteger(v) || v < 0) return `${name} must be a non-negative integer, got ${v}`;
  }
  const ph = g.h + 2 * g.padH;
  const pw = g.w + 2 * g.padW;
  if (g.kh > ph || g.kw > pw) {
    return (
      `a ${g.kh}×${g.kw} window does not fit a ${g.h}×${g.w} image` +
      (g.padH || g.padW ? ` padded by ${g.padH}×${g.padW} (${ph}×${pw})` : '')
    );
  }
  if (pool && (2 * g.padH > g.kh || 2 * g.padW > g.kw)) {
    return `pooling padding ${g.padH}×${g.padW} is more than half the ${g.kh}×${g.kw} window (a window could hold padding only)`;
  }
  return undefined;
}
