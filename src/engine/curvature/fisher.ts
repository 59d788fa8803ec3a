/**
 * Fisher-vector products F·v on an auxiliary batch (docs/fishleg.md §4; K-FAC reuses the per-layer
 * errors), built from the engine's passes: `ggn` = forward, R-op (J·v), Λ·(J·v), backward (Jᵀ·) — the exact expectation over the model's
 * targets; `sampled` = targets drawn from the model, per-example gradients g_i,l = Σ_t ẽ_itᵀ ā_it over the
 * layer's Kronecker rows t (one for a dense layer, one per output pixel for a conv layer), c_i = Σ_l ⟨g_i,l, V_l⟩
 * and F v_l = (1/B') Σ_i c_i g_i,l = (1/B') Ẽ_lᵀ diag(c broadcast to the rows) Ā_l. The auxiliary batch has its
 * own workspace; training targets are never read.
 */
import type { Backend } from '../backend.ts';
import { auxBatchIndices } from '../data/sampler.ts';
import { kronShape, layerKind } from '../layers/registry.ts';
import { onesWidth, sampledShape } from './sizes.ts';
import type { KronRows } from '../layers/types.ts';
import type { ParamLayout } from '../model/mlp.ts';
import { backwardOps, forwardOps, gatherInputsOp, ropOps, Workspace, type DeviceSplit } from '../model/passes.ts';
import type { Likelihood, Op } from '../ops.ts';
import type { FisherEstimator } from '../optim/config.ts';
import { Stream } from '../rng.ts';
import { slice, type Tensor } from '../tensor.ts';
import type { Arena } from './arena.ts';
import { gemm, hadamard } from './op-builders.ts';

/** What a Fisher-vector product needs from the run. */
export interface FisherSource {
  readonly backend: Backend;
  readonly layout: ParamLayout;
  readonly params: Tensor;
  readonly likelihood: Likelihood;
  readonly sigma: number;
  readonly seed: number;
  /** Inputs the auxiliary batch is drawn from (targets unused). */
  readonly trainSplit: DeviceSplit;
}

/** Per-example output errors of layer l after a backward pass: E_l (rows×m_l, leading dim m_l). */
export function layerErrors(ws: Workspace, l: number): Tensor {
  const layers = ws.layout.layers;
  return l === layers.length - 1 && layers[l]!.act === 'identity' ? ws.gout : ws.e[l]!;
}

/**
 * Layer l's Kronecker rows in a workspace after a forward and backward pass on `rows` examples (null for a
 * layer without parameters): the per-example gradient is the sum of eᵀā over each example's positions.
 */
export function layerKronRows(ws: Workspace, l: number, rows: number): KronRows | null {
  const layer = ws.layout.layers[l]!;
  return layerKind(layer).kronRows(layer, rows, ws.a[l]!, layerErrors(ws, l), ws.scratch[l]!);
}

/** F·v on a batch of `rows` training inputs; the batch is chosen per step by `prepare`. */
export class FisherProduct {
  readonly ws: Workspace;
  /** Base counter of the model samples (u32), bumped by `prepare`. */
  private readonly counter: Tensor;
  /** A row of ones, for row sums and broadcasts as k = 1 matrix products. */
  private readonly ones: Tensor;

  constructor(
    private readonly src: FisherSource,
    readonly rows: number,
    readonly estimator: FisherEstimator,
  ) {
    const { backend, layout } = src;
    this.ws = new Workspace(backend, layout, rows, 'fishleg.aux');
    this.counter = backend.alloc(1, 'fishleg.drawCounter', 'u32');
    const width = onesWidth(layout);
    this.ones = backend.alloc(width, 'fishleg.ones');
    backend.write(this.ones, new Float32Array(width).fill(1));
  }

  /** Uploads the auxiliary batch rows for `step` and a fresh sample counter (host writes, no readback). */
  prepare(step: number): void {
    const { backend, seed, trainSplit } = this.src;
    backend.write(this.ws.idx, auxBatchIndices(seed, step, this.rows, trainSplit.n));
    if (this.estimator === 'sampled') {
      backend.write(this.counter, [(step * this.rows * this.ws.outDim) % 2 ** 32]);
    }
  }

  /** Ops computing out = F·v, or out += F·v when `accumulate` (both laid out like the parameters), on the prepared batch. */
  ops(v: Tensor, out: Tensor, arena: Arena, accumulate = false): Op[] {
    const beta = accumulate ? 1 : 0;
    const { params, likelihood: lik, sigma, trainSplit } = this.src;
    const ws = this.ws;
    const B = this.rows;
    const cols = ws.outDim;
    const head: Op[] = [gatherInputsOp(ws, trainSplit.x, B), ...forwardOps(ws, params, B)];
    if (this.estimator === 'ggn') {
      return [
        ...head,
        ...ropOps(ws, params, v, B),
        { op: 'fisherOutput', lik, rows: B, cols, mu: ws.mu, v: ws.dmu, sigma, scale: 1, out: ws.gout },
        ...backwardOps(ws, params, out, B, 1 / B, beta),
      ];
    }
    const { seed } = this.src;
    return [
      ...head,
      {
        op: 'draw',
        lik,
        rows: B,
        cols,
        mu: ws.mu,
        sigma,
        seed,
        stream: Stream.draw,
        counter: this.counter,
        sample: ws.y,
      },
      { op: 'outputGrad', lik, rows: B, cols, mu: ws.mu, y: ws.y, sigma, scale: 1, grad: ws.gout },
      // Only the per-layer errors are needed: drop the backward pass's weight-gradient products.
      ...backwardOps(ws, params, out, B, 1 / B).filter(
        (op) => !(op.op === 'matmul' && op.c.storage.id === out.storage.id),
      ),
      ...this.sampledProducts(v, out, arena, beta),
    ];
  }

  private sampledProducts(v: Tensor, out: Tensor, arena: Arena, beta: number): Op[] {
    const ws = this.ws;
    const B = this.rows;
    const layers = ws.layout.layers;
    const kr = layers.map((_, l) => layerKronRows(ws, l, B));
    return arena.scoped(() => {
      const c = arena.take(B);
      // The sizes the memory estimate counts (sizes.ts sampledScratch).
      const { positions, width } = sampledShape(ws.layout);
      // c per Kronecker row, summed over an example's positions into c (and broadcast back for F·v).
      const cRows = positions > 1 ? arena.take(B * positions) : c;
      const t = arena.take(B * positions * width);
      const ones = this.ones;
      const ops: Op[] = [];
      let first = true;
      // c_i = Σ_l Σ_t rowdot(Ẽ_l V_l, Ā_l) over example i's rows t: its per-example gradient's inner product with v.
      layers.forEach((layer, l) => {
        const k = kr[l];
        if (!k) return;
        const { m, p } = kronShape(layer);
        const R = k.rows;
        const tl = slice(t, 0, R * p);
        const beta = first ? 0 : 1;
        first = false;
        ops.push(gemm('nn', R, p, m, k.e, slice(v, layer.offset, layer.size), tl));
        ops.push(hadamard(R * p, tl, k.a, tl));
        if (k.positions === 1) {
          ops.push(gemm('nn', B, 1, p, tl, ones, c, 1, beta));
        } else {
          ops.push(gemm('nn', R, 1, p, tl, ones, cRows), gemm('nn', B, 1, k.positions, cRows, ones, c, 1, beta));
        }
      });
      // F v_l = (1/B) Ẽ_lᵀ diag(c) Ā_l, c repeated over each example's rows, scaling the narrower of Ẽ_l and Ā_l.
      layers.forEach((layer, l) => {
        const k = kr[l];
        if (!k) return;
        const { m, p } = kronShape(layer);
        const R = k.rows;
        const o = slice(out, layer.offset, layer.size);
        const w = Math.min(m, p);
        const tl = slice(t, 0, R * w);
        if (k.positions === 1) {
          ops.push(gemm('nn', B, w, 1, c, ones, tl));
        } else {
          ops.push(gemm('nn', B, k.positions, 1, c, ones, cRows), gemm('nn', R, w, 1, cRows, ones, tl));
        }
        if (m <= p) {
          ops.push(hadamard(R * m, tl, k.e, tl), gemm('tn', m, p, R, tl, k.a, o, 1 / B, beta));
        } else {
          ops.push(hadamard(R * p, tl, k.a, tl), gemm('tn', m, p, R, k.e, tl, o, 1 / B, beta));
        }
      });
      return ops;
    });
  }

  dispose(): void {
    this.ws.dispose();
    this.src.backend.free(this.counter);
    this.src.backend.free(this.ones);
  }
}
