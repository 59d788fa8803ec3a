/**
 * The network's passes as op lists: forward, loss, backward (gradient), and the forward-mode
 * Jacobian-vector product (R-op) that FishLeg's Fisher-vector product needs. Activations live in one
 * workspace sized for the largest row count; every program recorded from these lists reuses it.
 * Each layer's own pieces (S_l from Ā_l, its weight gradient, dĀ_l) come from its kind (layers/<kind>/), which
 * also fixes the leading dimension of Ā_l: a dense layer's Ā_l (rows×(n+1)) carries a ones column so that
 * S = Ā W̄ᵀ includes the bias and G = Eᵀ Ā / B its gradient. The activations between layers are shared.
 */
import type { Backend } from '../backend.ts';
import { layerKind } from '../layers/registry.ts';
import type { LayerLayout, LayerScratch } from '../layers/types.ts';
import type { Likelihood, Op } from '../ops.ts';
import { slice, type Tensor } from '../tensor.ts';
import type { ParamLayout } from './mlp.ts';

/** Leading dimension of a layer's input Ā (and of dĀ), as its kind lays it out. */
export function inputStride(layer: LayerLayout): number {
  return layerKind(layer).inputStride(layer);
}

/** Every per-row buffer the passes use, allocated once for `rows` rows. */
export class Workspace {
  /** Ā_l, rows×inputStride_l, l = 0..L−1 (layer inputs; a dense layer's with the ones column). */
  readonly a: Tensor[] = [];
  /** S_l = Ā_l W̄_lᵀ, rows×m_l. */
  readonly s: Tensor[] = [];
  /** E_l, rows×m_l: backprop errors per example (and dS_l in the R-op). */
  readonly e: Tensor[] = [];
  /** dĀ_l, rows×inputStride_l, l ≥ 1: backprop into layer inputs (and dĀ_l in the R-op). */
  readonly da: Tensor[] = [];
  /** Each layer's own scratch (layers/types.ts ScratchBuffer, e.g. a conv layer's patches), by name. */
  readonly scratch: LayerScratch[] = [];
  /** Network output μ (rows×out): S_{L−1} itself when the last activation is the identity. */
  readonly mu: Tensor;
  /** ∂nll_i/∂μ (or Λ·Jv in the Fisher product), rows×out. */
  readonly gout: Tensor;
  /** Jv at the output, rows×out (R-op result). */
  readonly dmu: Tensor;
  /** Targets, rows×out. */
  readonly y: Tensor;
  /** Row indices into the dataset (u32). */
  readonly idx: Tensor;
  /** Per-example NLL. */
  readonly perExample: Tensor;
  private readonly owned: Tensor[] = [];

  constructor(
    private readonly backend: Backend,
    readonly layout: ParamLayout,
    readonly rows: number,
    label: string,
  ) {
    const L = layout.layers.length;
    const last = layout.layers[L - 1]!;
    const out = last.m;
    const own = (size: number, name: string, dtype: 'f32' | 'u32' = 'f32'): Tensor => {
      const t = backend.alloc(Math.max(1, size), `${label}.${name}`, dtype);
      this.owned.push(t);
      return t;
    };
    layout.layers.forEach((layer, l) => {
      this.a.push(own(rows * inputStride(layer), `a${l}`));
      this.s.push(own(rows * layer.m, `s${l}`));
      this.e.push(own(rows * layer.m, `e${l}`));
      if (l > 0) this.da[l] = own(rows * inputStride(layer), `da${l}`);
      const scratch: Record<string, Tensor> = {};
      for (const b of layerKind(layer).scratch?.(layer, rows) ?? [])
        scratch[b.name] = own(b.size, `${b.name}${l}`, b.dtype);
      this.scratch.push(scratch);
    });
    this.mu = last.act === 'identity' ? this.s[L - 1]! : own(rows * out, 'mu');
    this.gout = own(rows * out, 'gout');
    this.dmu = last.act === 'identity' ? this.e[L - 1]! : own(rows * out, 'dmu');
    this.y = own(rows * out, 'y');
    this.idx = own(rows, 'idx', 'u32');
    this.perExample = own(rows, 'nll');
  }

  get outDim(): number {
    return this.layout.layers[this.layout.layers.length - 1]!.m;
  }
  get inDim(): number {
    return this.layout.layers[0]!.n;
  }

  dispose(): void {
    for (const t of this.owned) this.backend.free(t);
    this.owned.length = 0;
  }
}

/** A dataset split uploaded to the backend (y may be the same tensor as x, for autoencoders). */
export interface DeviceSplit {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly n: number;
}

function rowsOf(t: Tensor, rows: number, width: number): Tensor {
  return slice(t, 0, rows * width);
}

/** Gathers the rows named by ws.idx into Ā_0 (with ones where the first layer's kind wants them) and the targets. */
export function gatherOps(ws: Workspace, split: DeviceSplit, rows: number): Op[] {
  const out = ws.outDim;
  return [
    gatherInputsOp(ws, split.x, rows),
    { op: 'gather', rows, cols: out, src: split.y, idx: ws.idx, dst: ws.y, ldDst: out, ones: false },
  ];
}

/** Rows ws.idx of the inputs `x` into Ā_0, laid out as the first layer's kind reads it (the forward pass's input). */
export function gatherInputsOp(ws: Workspace, x: Tensor, rows: number): Op {
  const n = ws.inDim;
  const first = ws.layout.layers[0]!;
  const ones = layerKind(first).inputOnes;
  return { op: 'gather', rows, cols: n, src: x, idx: ws.idx, dst: ws.a[0]!, ldDst: inputStride(first), ones };
}

/** Ā_0 → μ through every layer. */
export function forwardOps(ws: Workspace, params: Tensor, rows: number): Op[] {
  const ops: Op[] = [];
  const layers = ws.layout.layers;
  layers.forEach((layer, l) => {
    ops.push(...layerKind(layer).ops.forward(layer, rows, ws.a[l]!, params, ws.s[l]!, 0, ws.scratch[l]!));
    const isLast = l === layers.length - 1;
    if (!isLast) {
      ops.push({
        op: 'actForward',
        act: layer.act,
        rows,
        cols: layer.m,
        s: ws.s[l]!,
        out: ws.a[l + 1]!,
        ldOut: inputStride(layers[l + 1]!),
      });
    } else if (layer.act !== 'identity') {
      ops.push({ op: 'actForward', act: layer.act, rows, cols: layer.m, s: ws.s[l]!, out: ws.mu, ldOut: layer.m });
    }
  });
  return ops;
}

/** Per-example NLL into ws.perExample, and out[0] (+)= scale · Σ_i nll_i. */
export function lossOps(
  ws: Workspace,
  lik: Likelihood,
  sigma: number,
  rows: number,
  out: Tensor,
  scale: number,
  accumulate: boolean,
): Op[] {
  const cols = ws.outDim;
  return [
    {
      op: 'nll',
      lik,
      rows,
      cols,
      mu: rowsOf(ws.mu, rows, cols),
      y: rowsOf(ws.y, rows, cols),
      sigma,
      perExample: ws.perExample,
    },
    { op: 'reduce', kind: 'sum', n: rows, x: slice(ws.perExample, 0, rows), scale, accumulate, out },
  ];
}

/** ws.gout = ∂nll_i/∂μ_i per example (the "E" at the output, before the last activation's derivative). */
export function outputGradOps(ws: Workspace, lik: Likelihood, sigma: number, rows: number): Op[] {
  const cols = ws.outDim;
  return [{ op: 'outputGrad', lik, rows, cols, mu: ws.mu, y: ws.y, sigma, scale: 1, grad: ws.gout }];
}

/**
 * Backpropagates ws.gout (per-example output errors) into grads: G_l = scale · E_lᵀ Ā_l, so scale = 1/rows gives
 * the batch-mean gradient. `beta` = 1 accumulates into grads instead of overwriting. Layers in `skipGrad`
 * get only their errors E_l (an optimizer that applies Q·G in factored form needs no dense G).
 */
export function backwardOps(
  ws: Workspace,
  params: Tensor,
  grads: Tensor,
  rows: number,
  scale: number,
  beta = 0,
  skipGrad: ReadonlySet<number> = new Set(),
): Op[] {
  const ops: Op[] = [];
  const layers = ws.layout.layers;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const isLast = l === layers.length - 1;
    let e: Tensor;
    if (isLast && layer.act === 'identity') {
      e = ws.gout;
    } else {
      const d = isLast ? ws.gout : ws.da[l + 1]!;
      const ldD = isLast ? layer.m : inputStride(layers[l + 1]!);
      e = ws.e[l]!;
      ops.push({
        op: 'actBackward',
        act: layer.act,
        rows,
        cols: layer.m,
        d,
        ldD,
        s: ws.s[l]!,
        out: e,
        ldOut: layer.m,
        extra: 0,
      });
    }
    const kind = layerKind(layer);
    const scratch = ws.scratch[l]!;
    if (!skipGrad.has(l)) ops.push(...kind.ops.weightGrad(layer, rows, e, ws.a[l]!, grads, scale, beta, scratch));
    if (l > 0) ops.push(...kind.ops.inputGrad(layer, rows, e, params, ws.da[l]!, scratch));
  }
  return ops;
}

/**
 * Forward-mode product J·v of the network output with a tangent v laid out like the parameters:
 * dS_l = dĀ_l W̄_lᵀ + Ā_l V_lᵀ, dĀ_{l+1} = f'(S_l) ∘ dS_l (bias-input column 0). Result in ws.dmu.
 * Needs the forward pass's Ā and S in the workspace.
 */
export function ropOps(ws: Workspace, params: Tensor, tangent: Tensor, rows: number): Op[] {
  const ops: Op[] = [];
  const layers = ws.layout.layers;
  layers.forEach((layer, l) => {
    const ds = ws.e[l]!;
    const dInput = l > 0 ? ws.da[l]! : null;
    ops.push(...layerKind(layer).ops.tangent(layer, rows, ws.a[l]!, dInput, params, tangent, ds, ws.scratch[l]!));
    const isLast = l === layers.length - 1;
    // Tangent of the activation: into the next layer's input (a constant column gets 0), or into dμ at the output.
    if (!isLast || layer.act !== 'identity') {
      const [out, ldOut] = isLast ? [ws.dmu, layer.m] : [ws.da[l + 1]!, inputStride(layers[l + 1]!)];
      ops.push({
        op: 'actBackward',
        act: layer.act,
        rows,
        cols: layer.m,
        d: ds,
        ldD: layer.m,
        s: ws.s[l]!,
        out,
        ldOut,
        extra: 0,
      });
    }
  });
  return ops;
}
