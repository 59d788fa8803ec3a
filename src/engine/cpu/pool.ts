/**
 * CPU reference of shaders/pool.wgsl: max and average pooling over a window, channel by channel, and their
 * backward passes. Geometry and layouts: ops.ts (PoolForwardOp, PoolBackwardOp), window.ts.
 * A max-pool argmax that is not a pixel of its own window throws PoolIndexError (the WGSL gathers by
 * window and so ignores it: never trust it).
 */
import type { ImageGeometry, PoolKind, WindowGeometry } from '../ops.ts';
import { windowOutput } from '../window.ts';
import type { FloatArray } from './types.ts';

type Geometry = ImageGeometry & WindowGeometry;

/** Thrown at run time when a max-pool argmax does not point into its window. */
export class PoolIndexError extends RangeError {
  override readonly name = 'PoolIndexError';
}

/** y = max or mean of each window; max also writes argmax (iy·w + ix of the first maximum); ones column = onesValue. */
export function poolForward(
  kind: PoolKind,
  g: Geometry,
  x: FloatArray,
  xOff: number,
  ldX: number,
  y: FloatArray,
  yOff: number,
  ldY: number,
  ones: boolean,
  onesValue: number,
  argmax: Uint32Array | undefined,
  argOff: number,
): void {
  const { batch, h, w, c, kh, kw, strideH, strideW, padH, padW } = g;
  const { oh, ow } = windowOutput(g);
  const area = kh * kw;
  const max = kind === 'max';
  // An average accumulates in float64 per channel; a max runs in y itself (its values are x's). Window pixel
  // by pixel, channels innermost, so that the NHWC reads are contiguous.
  const sum = max ? null : new Float64Array(c);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    const img = xOff + b * ldX;
    const out = yOff + b * ldY;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      const ya = Math.max(0, y0);
      const yb = Math.min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++, o += c) {
        const x0 = ox * strideW - padW;
        const xa = Math.max(0, x0);
        const xb = Math.min(w, x0 + kw);
        const to = out + (oy * ow + ox) * c;
        if (sum) {
          sum.fill(0);
          for (let iy = ya; iy < yb; iy++) {
            for (let ix = xa; ix < xb; ix++) {
              const px = img + (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) sum[ci] = sum[ci]! + x[px + ci]!;
            }
          }
          for (let ci = 0; ci < c; ci++) y[to + ci] = sum[ci]! / area;
          continue;
        }
        // No pixel (a window of padding only, which windowMisfit rules out): 0, and an argmax of -1 (u32).
        if (ya >= yb || xa >= xb) {
          y.fill(0, to, to + c);
          if (argmax) argmax.fill(-1 >>> 0, argOff + o, argOff + o + c);
        }
        let first = true;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const idx = iy * w + ix;
            const px = img + idx * c;
            for (let ci = 0; ci < c; ci++) {
              const v = x[px + ci]!;
              if (first || v > y[to + ci]!) {
                y[to + ci] = v;
                if (argmax) argmax[argOff + o + ci] = idx;
              }
            }
            first = false;
          }
        }
      }
    }
    if (ones) y[out + oh * ow * c] = onesValue;
  }
}

/** y = the tangent x at each window's recorded argmax (the R-op of max pooling); its ones column gets 0. */
export function poolTangent(
  g: Geometry,
  x: FloatArray,
  xOff: number,
  ldX: number,
  y: FloatArray,
  yOff: number,
  ldY: number,
  ones: boolean,
  argmax: Uint32Array,
  argOff: number,
): void {
  const { batch, c } = g;
  const { oh, ow } = windowOutput(g);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ci = 0; ci < c; ci++, o++) {
          const at = checkedArgmax('poolForward (tangent)', g, argmax[argOff + o]!, o, oy, ox);
          y[yOff + b * ldY + (oy * ow + ox) * c + ci] = x[xOff + b * ldX + at * c + ci]!;
        }
      }
    }
    if (ones) y[yOff + b * ldY + oh * ow * c] = 0;
  }
}

/** `at` when it is a pixel of window (oy, ox); PoolIndexError otherwise. */
function checkedArgmax(what: string, g: Geometry, at: number, o: number, oy: number, ox: number): number {
  const { h, w, kh, kw } = g;
  const y0 = oy * g.strideH - g.padH;
  const x0 = ox * g.strideW - g.padW;
  const iy = Math.floor(at / w);
  const ix = at % w;
  if (iy >= h || iy < y0 || iy >= y0 + kh || ix < x0 || ix >= x0 + kw) {
    throw new PoolIndexError(
      `${what}: argmax[${o}] = ${at} is not a pixel of its ${kh}×${kw} window at (${oy}, ${ox}) ` +
        `of a ${h}×${w} image: it was not written by poolForward with this geometry`,
    );
  }
  return at;
}

/** dx = 0, then each dy goes back to its window's argmax (max) or, divided by kh·kw, to its whole window (avg). */
export function poolBackward(
  kind: PoolKind,
  g: Geometry,
  dy: FloatArray,
  dyOff: number,
  ldDy: number,
  argmax: Uint32Array | undefined,
  argOff: number,
  dx: FloatArray,
  dxOff: number,
  ldX: number,
): void {
  const { batch, h, w, c, kh, kw, strideH, strideW, padH, padW } = g;
  const { oh, ow } = windowOutput(g);
  const area = kh * kw;
  for (let b = 0; b < batch; b++) dx.fill(0, dxOff + b * ldX, dxOff + b * ldX + h * w * c);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    const img = dxOff + b * ldX;
    const grad = dyOff + b * ldDy;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * strideW - padW;
        for (let ci = 0; ci < c; ci++, o++) {
          const d = dy[grad + (oy * ow + ox) * c + ci]!;
          if (kind === 'max') {
            const at = checkedArgmax('poolBackward', g, argmax![argOff + o]!, o, oy, ox);
            const px = img + at * c + ci;
            dx[px] = dx[px]! + d;
            continue;
          }
          const share = d / area;
          for (let iy = Math.max(0, y0); iy < Math.min(h, y0 + kh); iy++) {
            for (let ix = Math.max(0, x0); ix < Math.min(w, x0 + kw); ix++) {
              const px = img + (iy * w + ix) * c + ci;
              dx[px] = dx[px]! + share;
            }
          }
        }
      }
    }
  }
}
