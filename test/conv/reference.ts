/**
 * Float64 host references for the conv and pooling ops, written from their definitions in ops.ts and
 * independent of the kernels: a direct convolution (no patches), pooling and its gradient window by window.
 * Images are dense NHWC arrays (one image of h·w·c per example); weights are [W | bias] rows, W in PyTorch's
 * (C_out, C_in, kh, kw) order.
 */
import type { ImageGeometry, PoolKind, WindowGeometry } from '../../src/engine/ops.ts';

export type Geometry = ImageGeometry & WindowGeometry;

/** The geometries the op and gradient tests run: odd sizes, strides > 1, padding, one channel and many. */
export const CONV_CASES: readonly (Geometry & { readonly cOut: number; readonly name: string })[] = [
  {
    name: '1 channel 5×5, 3×3',
    batch: 1,
    h: 5,
    w: 5,
    c: 1,
    kh: 3,
    kw: 3,
    strideH: 1,
    strideW: 1,
    padH: 0,
    padW: 0,
    cOut: 2,
  },
  {
    name: 'odd 7×6, 3×2, stride 2×1, pad 1×0',
    batch: 2,
    h: 7,
    w: 6,
    c: 3,
    kh: 3,
    kw: 2,
    strideH: 2,
    strideW: 1,
    padH: 1,
    padW: 0,
    cOut: 4,
  },
  {
    name: '9×9, 5×5, stride 2, pad 2',
    batch: 3,
    h: 9,
    w: 9,
    c: 4,
    kh: 5,
    kw: 5,
    strideH: 2,
    strideW: 2,
    padH: 2,
    padW: 2,
    cOut: 3,
  },
  { name: '1×1 kernel', batch: 2, h: 4, w: 5, c: 2, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, cOut: 5 },
  {
    // Windows at the border hold padding only: no pixel of the image.
    name: 'padding wider than the 2×2 kernel',
    batch: 2,
    h: 3,
    w: 4,
    c: 2,
    kh: 2,
    kw: 2,
    strideH: 1,
    strideW: 2,
    padH: 3,
    padW: 3,
    cOut: 2,
  },
  {
    name: '16 channels, stride 3 = kernel, pad 1',
    batch: 1,
    h: 6,
    w: 6,
    c: 16,
    kh: 3,
    kw: 3,
    strideH: 3,
    strideW: 3,
    padH: 1,
    padW: 1,
    cOut: 7,
  },
  {
    name: 'padding wider than the kernel',
    batch: 2,
    h: 3,
    w: 3,
    c: 2,
    kh: 2,
    kw: 2,
    strideH: 1,
    strideW: 1,
    padH: 2,
    padW: 1,
    cOut: 2,
  },
];

export const POOL_CASES: readonly (Geometry & { readonly name: string })[] = [
  { name: '2×2 stride 2', batch: 2, h: 4, w: 4, c: 3, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  {
    name: 'odd 7×5, 3×3 stride 2 pad 1',
    batch: 1,
    h: 7,
    w: 5,
    c: 1,
    kh: 3,
    kw: 3,
    strideH: 2,
    strideW: 2,
    padH: 1,
    padW: 1,
  },
  {
    name: 'overlapping 3×2 stride 1',
    batch: 3,
    h: 6,
    w: 6,
    c: 5,
    kh: 3,
    kw: 2,
    strideH: 1,
    strideW: 1,
    padH: 0,
    padW: 0,
  },
  {
    name: 'stride 3 > window 2, pad 1',
    batch: 2,
    h: 5,
    w: 5,
    c: 2,
    kh: 2,
    kw: 2,
    strideH: 3,
    strideW: 3,
    padH: 1,
    padW: 1,
  },
];

export function outSize(g: Geometry): { oh: number; ow: number } {
  return {
    oh: Math.floor((g.h + 2 * g.padH - g.kh) / g.strideH) + 1,
    ow: Math.floor((g.w + 2 * g.padW - g.kw) / g.strideW) + 1,
  };
}

/** x[b, iy, ix, ci] of a dense NHWC batch, 0 outside the image. */
function pixel(g: Geometry, x: ArrayLike<number>, b: number, iy: number, ix: number, ci: number): number {
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) return 0;
  return x[((b * g.h + iy) * g.w + ix) * g.c + ci]!;
}

/** out[b, oy, ox, co] = bias[co] + Σ W[co, ci, ky, kx]·x[b, oy·sh − ph + ky, ox·sw − pw + kx, ci], NHWC. */
export function directConv(g: Geometry, cOut: number, x: ArrayLike<number>, weights: ArrayLike<number>): number[] {
  const { oh, ow } = outSize(g);
  const p = g.c * g.kh * g.kw + 1;
  const out: number[] = [];
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let co = 0; co < cOut; co++) {
          let s = weights[co * p + p - 1]!;
          for (let ci = 0; ci < g.c; ci++) {
            for (let ky = 0; ky < g.kh; ky++) {
              for (let kx = 0; kx < g.kw; kx++) {
                const wgt = weights[co * p + (ci * g.kh + ky) * g.kw + kx]!;
                s += wgt * pixel(g, x, b, oy * g.strideH - g.padH + ky, ox * g.strideW - g.padW + kx, ci);
              }
            }
          }
          out.push(s);
        }
      }
    }
  }
  return out;
}

/** Each window's pixels inside the image, as (position iy·w + ix, value) in window order. */
function windowPixels(g: Geometry, x: ArrayLike<number>, b: number, oy: number, ox: number, ci: number) {
  const px: { pos: number; v: number }[] = [];
  for (let ky = 0; ky < g.kh; ky++) {
    for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.strideH - g.padH + ky;
      const ix = ox * g.strideW - g.padW + kx;
      if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) px.push({ pos: iy * g.w + ix, v: pixel(g, x, b, iy, ix, ci) });
    }
  }
  return px;
}

/** Pooled maps (dense NHWC) and, for max, the position of each window's first maximum. */
export function pool(kind: PoolKind, g: Geometry, x: ArrayLike<number>): { y: number[]; argmax: number[] } {
  const { oh, ow } = outSize(g);
  const y: number[] = [];
  const argmax: number[] = [];
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ci = 0; ci < g.c; ci++) {
          const px = windowPixels(g, x, b, oy, ox, ci);
          if (kind === 'avg') {
            y.push(px.reduce((s, p) => s + p.v, 0) / (g.kh * g.kw));
          } else {
            const best = px.reduce((a, p) => (p.v > a.v ? p : a));
            y.push(best.v);
            argmax.push(best.pos);
          }
        }
      }
    }
  }
  return { y, argmax };
}

/** ∂(Σ dy·pool(x))/∂x, dense NHWC. */
export function poolGrad(kind: PoolKind, g: Geometry, x: ArrayLike<number>, dy: ArrayLike<number>): number[] {
  const { oh, ow } = outSize(g);
  const dx = new Array<number>(g.batch * g.h * g.w * g.c).fill(0);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ci = 0; ci < g.c; ci++, o++) {
          const px = windowPixels(g, x, b, oy, ox, ci);
          const hit = kind === 'max' ? [px.reduce((a, p) => (p.v > a.v ? p : a))] : px;
          const share = kind === 'max' ? dy[o]! : dy[o]! / (g.kh * g.kw);
          for (const p of hit) {
            const i = (b * g.h * g.w + p.pos) * g.c + ci;
            dx[i] = dx[i]! + share;
          }
        }
      }
    }
  }
  return dx;
}

/** Σ_i a_i·b_i in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
