/**
 * Max and average pooling over NHWC images: no parameters; max pooling keeps its argmax in the layer's
 * scratch for the backward pass and the R-op. Its output feeds the next layer as it is (no activation).
 */
import { poolBackwardOps, poolForwardOps, poolSizes } from '../../model/conv-passes.ts';
import type { LayerKind, LayerScratch } from '../types.ts';
import { poolShape } from '../conv2d/shape.ts';
import { formatImage } from '../image-grammar.ts';
import { poolGrammar } from './grammar.ts';

const argmaxOf = (scratch: LayerScratch) => (scratch.argmax ? { argmax: scratch.argmax } : {});

export const pool: LayerKind = {
  kind: 'pool',
  grammar: poolGrammar,
  paramSize: () => 0,
  scratch(layer, rows) {
    const size = poolSizes(poolShape(layer, rows)).argmax;
    return size > 0 ? [{ name: 'argmax', size, dtype: 'u32' }] : [];
  },
  // Nothing to precondition: the curvature methods skip it, and their passes go through it.
  curvature: true,
  init() {},
  inputStride: (layer) => layer.n,
  inputOnes: false,
  ops: {
    forward: (layer, rows, input, _weights, out, _beta, scratch) =>
      poolForwardOps(poolShape(layer, rows), {
        x: input,
        ldX: layer.n,
        y: out,
        ldY: layer.m,
        ones: false,
        ...argmaxOf(scratch),
      }),
    weightGrad: () => [],
    inputGrad: (layer, rows, e, _params, dInput, scratch) =>
      poolBackwardOps(poolShape(layer, rows), { dy: e, ldDy: layer.m, dx: dInput, ldX: layer.n, ...argmaxOf(scratch) }),
    tangent: (layer, rows, _input, dInput, _params, _v, out, scratch) =>
      dInput
        ? poolForwardOps(poolShape(layer, rows), {
            x: dInput,
            ldX: layer.n,
            y: out,
            ldY: layer.m,
            ones: false,
            tangent: true,
            ...argmaxOf(scratch),
          })
        : // Pooling data: the output does not move with the parameters.
          [{ op: 'fill', n: rows * layer.m, value: 0, out }],
  },
  kron: () => ({ m: 0, p: 0 }),
  kronPositions: () => 0,
  kronRows: () => null,
  macs: () => ({ forward: 0, forwardTangent: 0, inputGrad: 0, weightGrad: 0 }),
  view: {
    label(layer) {
      const im = layer.image!;
      return `${im.pool} pool ${im.window.kh}×${im.window.kw} → ${formatImage(im.output)}`;
    },
    unitWeights: null,
    filters: null,
    maps: (layer) => layer.image!.output,
  },
  // The engine's max pool skips the padding (PyTorch pads with −inf) and its average divides by kh·kw,
  // padding included (count_include_pad, PyTorch's default): the same numbers.
  pytorch: {
    init: String.raw`def pool_init(layer, u):
    """No parameters."""
    return u[:0]`,
    module: String.raw`def pool_module(layer, flat):
    """nn.MaxPool2d or nn.AvgPool2d between the engine's flat NHWC rows (NHWC)."""
    im, win = layer["image"], layer["image"]["window"]
    kind = nn.MaxPool2d if im["pool"] == "max" else nn.AvgPool2d
    return NHWC(im["input"], kind((win["kh"], win["kw"]), stride=(win["strideH"], win["strideW"]),
                                  padding=(win["padH"], win["padW"])))`,
    fishleg: null,
  },
};
