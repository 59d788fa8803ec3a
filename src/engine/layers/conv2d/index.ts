/**
 * The conv2d layer: W̄ = [W.reshape(C_out, c·kh·kw) | b], C_out × (c·kh·kw + 1) (PyTorch's weight order, bias
 * last), over NHWC images; its input has no ones column (the patches carry it). Its Kronecker sides are the
 * output channels and the patch with its bias input, the FishConv2d / KFC structure: one Kronecker row per
 * output pixel (docs/fishleg.md, "Conv layers"). In the PyTorch export it is an nn.Conv2d between NHWC rows.
 */
import { patchSize, windowOutput } from '../../window.ts';
import type { LayerKind, LayerLayout } from '../types.ts';
import { formatImage } from '../image-grammar.ts';
import { conv2dGrammar } from './grammar.ts';
import { conv2dOps } from './passes.ts';
import { convShape, imageOfLayer } from './shape.ts';

/** c·kh·kw of the layer (its patch without the ones column) and its output positions per example. */
function patchOf(layer: LayerLayout): { patch: number; positions: number } {
  const g = convShape(layer, 1);
  const { oh, ow } = windowOutput(g);
  return { patch: patchSize(g), positions: oh * ow };
}

export const conv2d: LayerKind = {
  kind: 'conv2d',
  grammar: conv2dGrammar,
  paramSize(_n, _m, image) {
    if (!image) throw new RangeError('a conv2d layer needs its image geometry');
    return image.output.c * (image.input.c * image.window.kh * image.window.kw + 1);
  },
  scratch(layer, rows) {
    const { patch, positions } = patchOf(layer);
    return [
      { name: 'cols', size: rows * positions * (patch + 1) },
      { name: 'work', size: rows * positions * (patch + 1) },
    ];
  },
  curvature: true,
  init(layer, uniform, out) {
    // U(−1/√fan_in, +1/√fan_in) with fan_in = c·kh·kw, PyTorch's Conv2d default bound, row-major in W̄.
    const bound = 1 / Math.sqrt(patchOf(layer).patch);
    for (let i = 0; i < layer.size; i++) out[layer.offset + i] = (2 * uniform() - 1) * bound;
  },
  inputStride: (layer) => layer.n,
  inputOnes: false,
  ops: conv2dOps,
  kron: (layer) => ({ m: imageOfLayer(layer).output.c, p: patchOf(layer).patch + 1 }),
  // The forward pass's patches (ones column included) and the NHWC errors, whose rows are output pixels.
  kronPositions: (layer) => patchOf(layer).positions,
  kronRows: (layer, rows, _input, errors, scratch) => {
    const { positions } = patchOf(layer);
    return { rows: rows * positions, positions, a: scratch.cols!, e: errors };
  },
  macs(layer, rows) {
    const { patch, positions } = patchOf(layer);
    const r = rows * positions;
    const c = imageOfLayer(layer).output.c;
    return {
      forward: r * c * (patch + 1),
      forwardTangent: r * c * patch,
      inputGrad: r * c * patch,
      weightGrad: r * c * (patch + 1),
    };
  },
  view: {
    label(layer) {
      const im = imageOfLayer(layer);
      return `conv ${im.output.c}×(${im.input.c}·${im.window.kh}·${im.window.kw}+1) → ${formatImage(im.output)}`;
    },
    unitWeights: null,
    // Row o of W̄ holds filter o plane by plane (ci·kh·kw + ky·kw + kx, as im2col lays out a patch), bias last.
    filters(layer) {
      const im = imageOfLayer(layer);
      const { kh, kw } = im.window;
      return { count: im.output.c, channels: im.input.c, h: kh, w: kw, ld: patchOf(layer).patch + 1 };
    },
    maps: (layer) => imageOfLayer(layer).output,
  },
  pytorch: {
    init: String.raw`def conv2d_init(layer, u):
    """[W.reshape(C_out, c*kh*kw) | b] row-major, entries U(-1/sqrt(c*kh*kw), 1/sqrt(c*kh*kw))."""
    im = layer["image"]
    return (2 * u - 1) * (1 / math.sqrt(im["input"]["c"] * im["window"]["kh"] * im["window"]["kw"]))`,
    module: String.raw`def conv2d_module(layer, flat):
    """nn.Conv2d holding the engine's W-bar (its rows are PyTorch's weight.reshape(C_out, -1), bias last),
    between the engine's flat NHWC rows (NHWC)."""
    im, win = layer["image"], layer["image"]["window"]
    c, out = im["input"]["c"], im["output"]["c"]
    wbar = torch.from_numpy(flat.copy()).reshape(out, -1)
    conv = nn.Conv2d(c, out, (win["kh"], win["kw"]), stride=(win["strideH"], win["strideW"]),
                     padding=(win["padH"], win["padW"]))
    with torch.no_grad():
        conv.weight.copy_(wbar[:, :-1].reshape(conv.weight.shape))
        conv.bias.copy_(wbar[:, -1])
    return NHWC(im["input"], conv)`,
    fishleg: 'nn.Conv2d → FishConv2d (the same A, L, R structure over [W.reshape(C_out, -1) | b])',
  },
};
