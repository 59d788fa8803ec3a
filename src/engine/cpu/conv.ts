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
  const plane = kh * kw;
  let r = colsOff;
  for (let b = 0; b < batch; b++) {
    const img = xOff + b * ldX;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      for (let ox = 0; ox < ow; ox++, r += ldCols) {
        const x0 = ox * strideW - padW;
        // The columns of the window inside the image: [kx0, kx1); the rest is padding.
        const kx0 = Math.min(kw, Math.max(0, -x0));
        const kx1 = Math.max(kx0, Math.min(kw, w - x0));
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky;
          const row = r + ky * kw;
          if (iy < 0 || iy >= h) {
            for (let ci = 0; ci < c; ci++) cols.fill(0, row + ci * plane, row + ci * plane + kw);
            continue;
          }
          const px = img + (iy * w + x0) * c;
          if (c === 1) {
            // One channel: the patch row is a contiguous run of the image row.
            for (let kx = 0; kx < kx0; kx++) cols[row + kx] = 0;
            for (let kx = kx0; kx < kx1; kx++) cols[row + kx] = x[px + kx]!;
            for (let kx = kx1; kx < kw; kx++) cols[row + kx] = 0;
            continue;
          }
          // Several channels: a pixel's channels are contiguous in x, a plane apart in the patch.
          for (let kx = 0; kx < kw; kx++) {
            const at = row + kx;
            if (kx < kx0 || kx >= kx1) {
              for (let ci = 0; ci < c; ci++) cols[at + ci * plane] = 0;
              continue;
            }
            const from = px + kx * c;
            for (let ci = 0; ci < c; ci++) cols[at + ci * plane] = x[from + ci]!;
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
