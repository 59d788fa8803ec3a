/**
 * CPU reference of shaders/conv.wgsl: im2col (an image batch's patches as rows, so that a convolution is one
 * matmul with the weights) and col2im, its adjoint (backprop into the image from the patches' gradient).
 * Geometry and layouts: ops.ts (Im2colOp, Col2imOp), window.ts.
 */
import type { ImageGeometry, WindowGeometry } from '../ops.ts';
import { patchSize, windowOutput } from '../window.ts';
import type { FloatArray } from './types.ts';

type Geometry = ImageGeometry & WindowGeometry;

/** cols[r, (ci·kh + ky)·kw + kx] = x at the patch's pixel (0 in the padding); cols[r, c·kh·kw] = 1 when ones. */
export function im2col(
  g: Geometry,
  x: FloatArray,
  xOff: number,
  ldX: number,
  cols: FloatArray,
  colsOff: number,
  ldCols: number,
  ones: boolean,
): void {
  const { batch, h, w, c, kh, kw, strideH, strideW, padH, padW } = g;
  const { oh, ow } = windowOutput(g);
  const k = patchSize(g);
  let r = colsOff;
  for (let b = 0; b < batch; b++) {
    const img = xOff + b * ldX;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += ldCols) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padH + ky;
          const rowIn = iy >= 0 && iy < h;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padW + kx;
            const at = r + ky * kw + kx;
            if (rowIn && ix >= 0 && ix < w) {
              const px = img + (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) cols[at + ci * kh * kw] = x[px + ci]!;
            } else {
              for (let ci = 0; ci < c; ci++) cols[at + ci * kh * kw] = 0;
            }
          }
        }
        if (ones) cols[r + k] = 1;
      }
    }
  }
}

/** dx = 0, then every cols element is added back to the pixel im2col took it from (padding drops out). */
export function col2im(
  g: Geometry,
  cols: FloatArray,
  colsOff: number,
  ldCols: number,
  dx: FloatArray,
  dxOff: number,
  ldX: number,
): void {
  const { batch, h, w, c, kh, kw, strideH, strideW, padH, padW } = g;
  const { oh, ow } = windowOutput(g);
  for (let b = 0; b < batch; b++) dx.fill(0, dxOff + b * ldX, dxOff + b * ldX + h * w * c);
  let r = colsOff;
  for (let b = 0; b < batch; b++) {
    const img = dxOff + b * ldX;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += ldCols) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padH + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padW + kx;
            if (ix < 0 || ix >= w) continue;
            const px = img + (iy * w + ix) * c;
            const at = r + ky * kw + kx;
            for (let ci = 0; ci < c; ci++) dx[px + ci] = dx[px + ci]! + cols[at + ci * kh * kw]!;
          }
        }
      }
    }
  }
}
