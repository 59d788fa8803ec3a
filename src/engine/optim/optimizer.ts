/**
 * First-order optimizers as recorded programs over the flat parameter buffer: one fused dispatch per step
 * (tinygrad-style), with the few scalars that change per step (Adam's bias corrections) uploaded into a
 * small hyper tensor rather than re-recording anything.
 */
import type { Backend, Program } from '../backend.ts';
import type { HostLambda } from '../fishleg/types.ts';
import type { ParamLayout } from '../model/mlp.ts';
import type { DeviceSplit, Workspace } from '../model/passes.ts';
import { ADAM_HYPER, ADAM_LAYOUT, SGD_HYPER, SGD_LAYOUT } from '../hyper.ts';
import type { Likelihood } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import { validateOptimizer, type AdamConfig, type OptimizerConfig, type SgdConfig } from './config.ts';
import { expectTensors, kindMismatch, readTensors, type OptimizerState } from './state.ts';

export type { OptimizerState } from './state.ts';

/** What every optimizer steps: the flat parameters and the gradient the backward pass wrote. */
export interface ParamSet {
  readonly backend: Backend;
  readonly params: Tensor;
  readonly grads: Tensor;
}

/**
 * What a second-order optimizer (FishLeg) needs beyond ParamSet: the model's layout, the train workspace
 * (E_l and Ā_l of the current batch after the backward pass), the likelihood and the data to draw
 * auxiliary batches from. Trainer implements it.
 */
export interface TrainingContext extends ParamSet {
  readonly layout: ParamLayout;
  readonly ws: Workspace;
  readonly likelihood: Likelihood;
  /** Gaussian likelihood's σ. */
  readonly sigma: number;
  /** Training batch size (rows of ws that hold the current batch). */
  readonly batch: number;
  readonly seed: number;
  readonly trainSplit: DeviceSplit;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Programs to run after the backward pass of step `step` (0 for the first step). */
  stepPrograms(step: number): readonly Program[];
  /**
   * Layers whose dense batch gradient step `step` reads (default 'all'); the backward pass skips forming
   * the others' G = EᵀĀ/B, which an optimizer applying Q·G in factored form never needs.
   */
  gradientLayers?(step: number): ReadonlySet<number> | 'all';
  /** Changes hyperparameters live; the kind must stay the same. */
  update(config: OptimizerConfig): void;
  /**
   * The whole state (settings, device buffers, host counters) after the work submitted so far. Call at a step
   * boundary; what the state does not hold is derived from the trainer's step count (Adam's t).
   */
  saveState(): Promise<OptimizerState>;
  /**
   * Replaces the whole state with a saved one, of the same kind and model (throws OptimizerStateError, having
   * changed nothing, otherwise); the next step continues as the saved run's would.
   */
  loadState(state: OptimizerState): void;
  dispose(): void;

  // ---- capabilities: optional, so that the trainer, the worker and the UI never test an optimizer's class ----

  /**
   * The mean auxiliary loss since the last call (FishLeg's A, fishleg.md §5.6), or null without an update
   * since then. One readback; called once per evaluation.
   */
  readAuxLoss?(): Promise<number | null>;
  /**
   * Switches the structure of a setting whose `live` is 'switch' (FishLeg's approximation, fishleg.md §9)
   * before the next step. Rejects with OptimizerConfigError for an unknown value.
   */
  switchApprox?(value: string): Promise<void>;
  /** The learned inverse Fisher, for the Inside views (materialised Q, its error against F⁻¹). */
  readonly inverseFisher?: InverseFisherView;
  /**
   * Layer l's block of the optimizer's own (F + γI)⁻¹ approximation as a dense matrix (K-FAC's Ĝ⁻¹ ⊗ Â⁻¹), for
   * the Inside view's side-by-side comparison. One readback; never per step.
   */
  denseLayerInverse?(layer: number): Promise<DenseLayerInverse>;
}

/** One layer's preconditioner block, dense, over row-major vec(W̄_l) (index i·(n+1) + j, FishLeg's views' order). */
export interface DenseLayerInverse {
  /** What the matrix is, e.g. 'K-FAC (G ⊗ A)⁻¹'. */
  readonly label: string;
  /** γ of the F + γI it approximates the inverse of. */
  readonly damping: number;
  /** (m·(n+1))² values, row-major. */
  readonly matrix: Float64Array;
}

/** An optimizer's learned Q ≈ F_γ⁻¹ in host form (FishLeg's λ; docs/fishleg.md §3). */
export interface InverseFisherView {
  /** The current structure (FishLeg's approximation). */
  readonly approx: string;
  /** γ of F_γ = F + γI, the Fisher Q approximates the inverse of. */
  readonly damping: number;
  /** Every layer's Q factors. One readback. */
  hostLambda(): Promise<{ readonly approx: string; readonly layers: readonly HostLambda[] }>;
}

export class Sgd implements Optimizer {
  private readonly mom: Tensor;
  private readonly hyper: Tensor;
  private readonly program: Program;
  constructor(
    private readonly p: ParamSet,
    public config: SgdConfig,
  ) {
    const n = p.params.size;
    this.mom = p.backend.alloc(n, 'sgd.momentum');
    this.hyper = p.backend.alloc(SGD_HYPER, 'sgd.hyper');
    this.program = p.backend.record('sgd', [
      { op: 'sgd', n, param: p.params, grad: p.grads, mom: this.mom, hyper: this.hyper },
    ]);
    this.writeHyper();
  }
  private writeHyper(): void {
    const c = this.config;
    this.p.backend.write(this.hyper, SGD_LAYOUT.pack({ lr: c.lr, momentum: c.momentum, weight_decay: c.weightDecay }));
  }
  stepPrograms(): readonly Program[] {
    return [this.program];
  }
  update(config: OptimizerConfig): void {
    if (config.kind !== 'sgd') throw new Error(`cannot change an SGD run into ${config.kind}`);
    validateOptimizer(config);
    this.config = config;
    this.writeHyper();
  }
  async saveState(): Promise<OptimizerState> {
    const config = this.config;
    return { config, tensors: await readTensors(this.p.backend, { momentum: this.mom }), counters: {} };
  }
  loadState(state: OptimizerState): void {
    const c = state.config;
    if (c.kind !== 'sgd') throw kindMismatch(state, 'sgd');
    validateOptimizer(c);
    const t = expectTensors(state, { momentum: this.mom.size });
    this.config = c;
    this.writeHyper();
    this.p.backend.write(this.mom, t.momentum);
  }
  dispose(): void {
    this.p.backend.release(this.program);
    this.p.backend.free(this.mom);
    this.p.backend.free(this.hyper);
  }
}

export class Adam implements Optimizer {
  private readonly m: Tensor;
  private readonly v: Tensor;
  private readonly hyper: Tensor;
  private readonly program: Program;
  constructor(
    private readonly p: ParamSet,
    public config: AdamConfig,
  ) {
    const n = p.params.size;
    this.m = p.backend.alloc(n, `${config.kind}.m`);
    this.v = p.backend.alloc(n, `${config.kind}.v`);
    this.hyper = p.backend.alloc(ADAM_HYPER, `${config.kind}.hyper`);
    this.program = p.backend.record(config.kind, [
      { op: 'adam', n, param: p.params, grad: p.grads, m: this.m, v: this.v, hyper: this.hyper },
    ]);
  }
  stepPrograms(step: number): readonly Program[] {
    const c = this.config;
    const t = step + 1;
    const decoupled = c.kind === 'adamw' ? 1 : 0;
    this.p.backend.write(
      this.hyper,
      ADAM_LAYOUT.pack({
        lr: c.lr,
        beta1: c.beta1,
        beta2: c.beta2,
        eps: c.eps,
        weight_decay: c.weightDecay,
        decoupled,
        bc1: 1 - c.beta1 ** t,
        bc2: 1 - c.beta2 ** t,
      }),
    );
    return [this.program];
  }
  update(config: OptimizerConfig): void {
    if (config.kind !== this.config.kind)
      throw new Error(`cannot change an ${this.config.kind} run into ${config.kind}`);
    validateOptimizer(config);
    this.config = config;
  }
  /** m and v; t is not saved: stepPrograms derives it from the step, which the trainer restores with them. */
  async saveState(): Promise<OptimizerState> {
    const config = this.config;
    return { config, tensors: await readTensors(this.p.backend, { m: this.m, v: this.v }), counters: {} };
  }
  loadState(state: OptimizerState): void {
    const c = state.config;
    if ((c.kind !== 'adam' && c.kind !== 'adamw') || c.kind !== this.config.kind) {
      throw kindMismatch(state, this.config.kind);
    }
    validateOptimizer(c);
    const t = expectTensors(state, { m: this.m.size, v: this.v.size });
    this.config = c;
    this.p.backend.write(this.m, t.m);
    this.p.backend.write(this.v, t.v);
  }
  dispose(): void {
    this.p.backend.release(this.program);
    for (const t of [this.m, this.v, this.hyper]) this.p.backend.free(t);
  }
}
