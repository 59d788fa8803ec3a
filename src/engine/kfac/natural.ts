/**
 * The exact natural gradient for small networks (docs/kfac.md §5): d = (F + γI)⁻¹ g with F the Fisher of the
 * training batch, F = (1/B) Σ_i J_iᵀ Λ_i J_i (for these likelihoods the GGN with the likelihood's output
 * Hessian Λ is the Fisher), then SGD with momentum and weight decay on d.
 *
 * The solve is conjugate gradients on products F·v formed from the passes (R-op J·v, Λ·, backward Jᵀ·),
 * so F (P×P) is never built. F has rank ≤ B·out, so F + γI has at most B·out + 1 distinct eigenvalues and CG
 * is exact after min(P, B·out + 1) iterations (in exact arithmetic): the Woodbury saving, without forming the
 * B·out-wide system. All iterations are recorded into one program; the scalars stay on the device.
 */
import type { Program } from '../backend.ts';
import { axpby, coef, scale } from '../curvature/op-builders.ts';
import { backwardOps, forwardOps, inputStride, ropOps, Workspace } from '../model/passes.ts';
import { SGD_HYPER, SGD_LAYOUT } from '../hyper.ts';
import type { Op } from '../ops.ts';
import { OptimizerConfigError, validateOptimizer, type OptimizerConfig } from '../optim/config.ts';
import type { Optimizer, TrainingContext } from '../optim/optimizer.ts';
import { expectTensors, kindMismatch, readTensors, type OptimizerState } from '../optim/state.ts';
import { slice, type Tensor } from '../tensor.ts';
import { NATURAL_SPEC, type NaturalConfig } from './spec.ts';

/**
 * The largest model the exact natural gradient accepts. A step costs up to min(P, B·out + 1) conjugate-
 * gradient iterations of ~3 passes over the batch: the toy networks stay interactive on the CPU backend
 * (the 354-parameter spiral net 2-16t-16t-2 at batch 64 took ~65 ms a step on the 2-core dev box), and a
 * few times that size is where a step starts to take seconds.
 */
export const NATURAL_MAX_PARAMS = NATURAL_SPEC.maxParams!;

/** Added to CG's denominators so that a zero gradient (or a converged residual) gives 0, not 0/0. */
const TINY = 1e-30;

/** Conjugate-gradient iterations of one step: exact for F + γI after min(P, B·out + 1). */
export function naturalIterations(params: number, batch: number, outputs: number): number {
  return Math.min(params, batch * outputs + 1);
}

export class NaturalGradient implements Optimizer {
  private readonly ws: Workspace;
  private readonly x: Tensor;
  private readonly r: Tensor;
  private readonly p: Tensor;
  private readonly ap: Tensor;
  private readonly mom: Tensor;
  private readonly sgdHyper: Tensor;
  /** γ. */
  private readonly hyper: Tensor;
  /** rᵀr (two slots, alternating), pᵀ(F + γI)p. */
  private readonly scalars: Tensor;
  private readonly program: Program;
  private disposed = false;

  constructor(
    private readonly ctx: TrainingContext,
    public config: NaturalConfig,
  ) {
    validateOptimizer(config);
    const P = ctx.layout.total;
    if (P > NATURAL_MAX_PARAMS) {
      throw new OptimizerConfigError(
        `the exact natural gradient is for small networks: this model has ${P} parameters, more than NATURAL_MAX_PARAMS = ${NATURAL_MAX_PARAMS} (use K-FAC or FishLeg)`,
      );
    }
    const { backend } = ctx;
    this.ws = new Workspace(backend, ctx.layout, ctx.batch, 'natural.ws');
    this.x = backend.alloc(P, 'natural.direction');
    this.r = backend.alloc(P, 'natural.residual');
    this.p = backend.alloc(P, 'natural.search');
    this.ap = backend.alloc(P, 'natural.product');
    this.mom = backend.alloc(P, 'natural.momentum');
    this.sgdHyper = backend.alloc(SGD_HYPER, 'natural.sgdHyper');
    this.hyper = backend.alloc(1, 'natural.hyper');
    this.scalars = backend.alloc(3, 'natural.scalars');
    this.writeHyper();
    this.program = backend.record('natural.step', this.stepOps());
  }

  /** Conjugate-gradient iterations per step for this model and batch. */
  get iterations(): number {
    return naturalIterations(this.ctx.layout.total, this.ctx.batch, this.ws.outDim);
  }

  stepPrograms(): readonly Program[] {
    this.assertLive();
    return [this.program];
  }

  update(config: OptimizerConfig): void {
    this.assertLive();
    if (config.kind !== 'natural') throw new Error(`cannot change a natural-gradient run into ${config.kind}`);
    validateOptimizer(config);
    this.config = config;
    this.writeHyper();
  }

  async saveState(): Promise<OptimizerState> {
    this.assertLive();
    const config = this.config;
    return { config, tensors: await readTensors(this.ctx.backend, { momentum: this.mom }), counters: {} };
  }

  loadState(state: OptimizerState): void {
    this.assertLive();
    const c = state.config;
    if (c.kind !== 'natural') throw kindMismatch(state, 'natural');
    validateOptimizer(c);
    const t = expectTensors(state, { momentum: this.mom.size });
    this.config = c;
    this.writeHyper();
    this.ctx.backend.write(this.mom, t.momentum);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const { backend } = this.ctx;
    backend.release(this.program);
    this.ws.dispose();
    for (const t of [this.x, this.r, this.p, this.ap, this.mom, this.sgdHyper, this.hyper, this.scalars])
      backend.free(t);
  }

  private writeHyper(): void {
    const c = this.config;
    this.ctx.backend.write(
      this.sgdHyper,
      SGD_LAYOUT.pack({ lr: c.lr, momentum: c.momentum, weight_decay: c.weightDecay }),
    );
    this.ctx.backend.write(this.hyper, [c.damping]);
  }

  /** Forward pass on a copy of the batch, CG on (F + γI)x = g from x = 0, then SGD on x. */
  private stepOps(): Op[] {
    const { params, grads, ws: train, batch: B, likelihood: lik, sigma, layout } = this.ctx;
    const ws = this.ws;
    const n = params.size;
    const p0 = inputStride(layout.layers[0]!);
    const sc = (i: number) => slice(this.scalars, i, 1);
    const gamma = { t: this.hyper, power: 1 as const };
    const { x, r, p, ap } = this;
    const ops: Op[] = [
      scale(B * p0, 1, slice(train.a[0]!, 0, B * p0), slice(ws.a[0]!, 0, B * p0)),
      ...forwardOps(ws, params, B),
      { op: 'fill', n, value: 0, out: x },
      scale(n, 1, grads, r),
      scale(n, 1, grads, p),
      { op: 'fill', n: 1, value: TINY, out: sc(0) },
      { op: 'reduce', kind: 'sumsq', n, x: r, scale: 1, accumulate: true, out: sc(0) },
    ];
    const K = this.iterations;
    for (let k = 0; k < K; k++) {
      const rr = sc(k % 2);
      const rrNext = sc((k + 1) % 2);
      const pAp = sc(2);
      ops.push(
        ...ropOps(ws, params, p, B),
        { op: 'fisherOutput', lik, rows: B, cols: ws.outDim, mu: ws.mu, v: ws.dmu, sigma, scale: 1, out: ws.gout },
        ...backwardOps(ws, params, ap, B, 1 / B),
        axpby(n, 1, ap, coef(1, gamma), p, ap),
        { op: 'fill', n: 1, value: TINY, out: pAp },
        { op: 'reduce', kind: 'dot', n, x: p, y: ap, scale: 1, accumulate: true, out: pAp },
        // α = rᵀr / pᵀAp: x += αp, r −= αAp.
        axpby(n, 1, x, coef(1, { t: rr, power: 1 }, { t: pAp, power: -1 }), p, x),
      );
      if (k === K - 1) break;
      ops.push(
        axpby(n, 1, r, coef(-1, { t: rr, power: 1 }, { t: pAp, power: -1 }), ap, r),
        { op: 'fill', n: 1, value: TINY, out: rrNext },
        { op: 'reduce', kind: 'sumsq', n, x: r, scale: 1, accumulate: true, out: rrNext },
        // p = r + (r'ᵀr'/rᵀr)·p.
        axpby(n, 1, r, coef(1, { t: rrNext, power: 1 }, { t: rr, power: -1 }), p, p),
      );
    }
    ops.push({ op: 'sgd', n, param: params, grad: x, mom: this.mom, hyper: this.sgdHyper });
    return ops;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this natural-gradient optimizer has been disposed');
  }
}
