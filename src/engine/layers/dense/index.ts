/**
 * The dense (fully connected) layer: S = Ā W̄ᵀ with W̄ = [W | b], m×(n+1), at its offset in the flat
 * parameter buffer (docs/fishleg.md §2). Its Kronecker sides are the outputs (m) and the inputs with the
 * bias input (p = n + 1): FishLeg's R and L, K-FAC's G and A.
 */
import type { LayerKind } from '../types.ts';
import { denseGrammar } from './grammar.ts';
import { denseOps } from './passes.ts';

export const dense: LayerKind = {
  kind: 'dense',
  grammar: denseGrammar,
  paramSize: (n, m) => m * (n + 1),
  init(layer, uniform, out) {
    // W and b ~ U(−1/√fan_in, +1/√fan_in) (docs/benchmarks.md), in row-major order of W̄.
    const bound = 1 / Math.sqrt(layer.n);
    for (let i = 0; i < layer.size; i++) out[layer.offset + i] = (2 * uniform() - 1) * bound;
  },
  inputStride: (layer) => layer.n + 1,
  inputOnes: true,
  curvature: true,
  ops: denseOps,
  kron: (layer) => ({ m: layer.m, p: layer.n + 1 }),
  kronPositions: () => 1,
  kronRows: (_layer, rows, input, errors) => ({ rows, positions: 1, a: input, e: errors }),
  macs: (layer, rows) => ({
    forward: rows * layer.m * (layer.n + 1),
    forwardTangent: rows * layer.m * layer.n,
    inputGrad: rows * layer.m * layer.n,
    weightGrad: rows * layer.m * (layer.n + 1),
  }),
  view: {
    label: (layer) => `${layer.m}×(${layer.n}+1)`,
    unitWeights: (layer) => ({ ld: layer.n + 1 }),
    filters: null,
    maps: null,
  },
  pytorch: {
    init: String.raw`def dense_init(layer, u):
    """[W | b], m x (n+1) row-major, entries U(-1/sqrt(n), 1/sqrt(n))."""
    return (2 * u - 1) * (1 / math.sqrt(layer["n"]))`,
    module: String.raw`def dense_module(layer, flat):
    """nn.Linear holding the engine's [W | b] (m x (n+1), row-major, bias last)."""
    n, m = layer["n"], layer["m"]
    wbar = torch.from_numpy(flat.copy()).reshape(m, n + 1)
    lin = nn.Linear(n, m)
    with torch.no_grad():
        lin.weight.copy_(wbar[:, :n])
        lin.bias.copy_(wbar[:, n])
    return lin`,
    fishleg: 'nn.Linear → FishLinear',
  },
};
