/**
 * A conv2d layer's pass pieces: a dense layer over its patches (model/conv-passes.ts). The forward pass keeps
 * the patches in the layer's `cols` scratch for the weight gradient and the R-op; `work` holds the transient
 * patches of a tangent input and the patches' gradient E·W.
 */
import type { Op } from '../../ops.ts';
import { slice } from '../../tensor.ts';
import { conv2dForwardOps, conv2dInputGradOps, conv2dWeightGradOps } from '../../model/conv-passes.ts';
import type { LayerOps } from '../types.ts';
import { convShape } from './shape.ts';

const params = (t: Parameters<LayerOps['forward']>[3], layer: Parameters<LayerOps['forward']>[0]) =>
  slice(t, layer.offset, layer.size);

const inputLd = (layer: Parameters<LayerOps['forward']>[0]): number => layer.n;

export const conv2dOps: LayerOps = {
  forward: (layer, rows, input, weights, out, beta, scratch) =>
    conv2dForwardOps(convShape(layer, rows), {
      x: input,
      ldX: inputLd(layer),
      weights: params(weights, layer),
      cols: scratch.cols!,
      s: out,
      beta,
    }),
  weightGrad: (layer, rows, e, _input, grads, scale, beta, scratch) =>
    conv2dWeightGradOps(convShape(layer, rows), {
      e,
      cols: scratch.cols!,
      grads: params(grads, layer),
      scale,
      beta,
    }),
  inputGrad: (layer, rows, e, weights, dInput, scratch) =>
    conv2dInputGradOps(convShape(layer, rows), {
      e,
      weights: params(weights, layer),
      dcols: scratch.work!,
      dx: dInput,
      ldX: inputLd(layer),
    }),
  tangent(layer, rows, input, dInput, weights, v, out, scratch) {
    const shape = convShape(layer, rows);
    // Ā Vᵀ from the forward pass's patches, then dĀ W̄ᵀ from the tangent's own (no ones column: no bias).
    const ops: Op[] = conv2dForwardOps(shape, {
      x: input,
      ldX: inputLd(layer),
      weights: params(v, layer),
      cols: scratch.cols!,
      s: out,
      reuseCols: true,
    });
    if (dInput) {
      ops.push(
        ...conv2dForwardOps(shape, {
          x: dInput,
          ldX: inputLd(layer),
          weights: params(weights, layer),
          cols: scratch.work!,
          s: out,
          beta: 1,
          tangent: true,
        }),
      );
    }
    return ops;
  },
};
