/**
 * Fisher-vector products F·v on an auxiliary batch (docs/fishleg.md §4; K-FAC reuses the per-layer
 * errors), built from the engine's passes: `ggn` = forward, R-op (J·v), Λ·(J·v), backward (Jᵀ·) — the exact expectation over the model's
 * targets; `sampled` = targets drawn from the model, per-example errors Ẽ_l, c_i = Σ_l ẽ_iᵀ V_l ā_i and
 * F v_l = (1/B') Ẽ_lᵀ diag(c) Ā_l. The auxiliary batch has its own workspace; training targets are never read.
 */
import type { Backend } from '../backend.ts';
import { auxBatchIndices } from '../data/sampler.ts';
import { kronShape } from '../layers/registry.ts';
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
    const width = Math.max(...layout.layers.map(kronShape).map(({ m, p }) => Math.max(m, p)));
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
    return arena.scoped(() => {
      const c = arena.take(B);
      const width = Math.max(...layers.map(kronShape).map(({ m, p }) => Math.max(m, p)));
      const t = arena.take(B * width);
      const ops: Op[] = [];
      // c_i = Σ_l rowdot(Ẽ_l V_l, Ā_l): the per-example gradient's inner product with v.
      layers.forEach((layer, l) => {
        const { p } = kronShape(layer);
        const tl = slice(t, 0, B * p);
        ops.push(
          gemm('nn', B, p, layer.m, layerErrors(ws, l), slice(v, layer.offset, layer.size), tl),
          hadamard(B * p, tl, ws.a[l]!, tl),
          gemm('nn', B, 1, p, tl, this.ones, c, 1, l === 0 ? 0 : 1),
        );
      });
      // F v_l = (1/B) Ẽ_lᵀ diag(c) Ā_l, scaling the narrower of Ẽ_l and Ā_l.
      layers.forEach((layer, l) => {
        const { m, p } = kronShape(layer);
        const e = layerErrors(ws, l);
        const o = slice(out, layer.offset, layer.size);
        const w = Math.min(m, p);
        const tl = slice(t, 0, B * w);
        ops.push(gemm('nn', B, w, 1, c, this.ones, tl));
        if (m <= p) {
          ops.push(hadamard(B * m, tl, e, tl), gemm('tn', m, p, B, tl, ws.a[l]!, o, 1 / B, beta));
        } else {
          ops.push(hadamard(B * p, tl, ws.a[l]!, tl), gemm('tn', m, p, B, e, tl, o, 1 / B, beta));
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
