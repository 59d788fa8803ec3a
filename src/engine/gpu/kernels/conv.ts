/**
 * Plans of im2col and col2im (shaders/conv.wgsl ↔ cpu/conv.ts): one invocation per element written, so
 * col2im gathers each pixel's terms instead of scattering into it (WGSL has no f32 atomics).
 */
import type { Col2imOp, Im2colOp, ImageGeometry, WindowGeometry } from '../../ops.ts';
import { patchSize, windowOutput } from '../../window.ts';
import { grid1d, WG_1D, type OpPlan } from './types.ts';

/** The geometry members of conv.wgsl's and pool.wgsl's Params. */
export function windowParams(g: ImageGeometry & WindowGeometry): Record<string, number> {
  const { oh, ow } = windowOutput(g);
  return {
    batch: g.batch,
    h: g.h,
    w: g.w,
    c: g.c,
    kh: g.kh,
    kw: g.kw,
    stride_h: g.strideH,
    stride_w: g.strideW,
    pad_h: g.padH,
    pad_w: g.padW,
    oh,
    ow,
  };
}

export function planIm2col(op: Im2colOp): OpPlan {
  const { oh, ow } = windowOutput(op);
  const width = patchSize(op) + (op.ones ? 1 : 0);
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'conv',
        entry: 'im2col',
        params: {
          ...windowParams(op),
          x_off: op.x.offset,
          ld_x: op.ldX,
          cols_off: op.cols.offset,
          ld_cols: op.ldCols,
          width,
        },
        f32: { x: op.x, cols: op.cols },
        constants: { wg: WG_1D },
        grid: grid1d(op.batch * oh * ow * width),
      },
    ],
  };
}

export function planCol2im(op: Col2imOp): OpPlan {
  return {
    scratch: 0,
    dispatches: [
      {
        shader: 'conv',
        entry: 'col2im',
        params: {
          ...windowParams(op),
          x_off: op.dx.offset,
          ld_x: op.ldX,
          cols_off: op.cols.offset,
          ld_cols: op.ldCols,
          width: 0,
        },
        f32: { x: op.dx, cols: op.cols },
        constants: { wg: WG_1D },
        grid: grid1d(op.batch * op.h * op.w * op.c),
      },
    ],
  };
}
