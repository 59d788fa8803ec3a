/**
 * First-order optimizers as recorded programs over the flat parameter buffer: one fused dispatch per step
 * (tinygrad-style), with the few scalars that change per step (Adam's bias corrections) uploaded into a
 * small hyper tensor rather than re-recording anything.
 */
import type { Backend, Program } from '../backend.ts';
import { FishLeg } from '../fishleg/fishleg.ts';
import { Kfac } from '../kfac/kfac.ts';
import { NaturalGradient } from '../kfac/natural.ts';
import type { ParamLayout } from '../model/mlp.ts';
import type { DeviceSplit, Workspace } from '../model/passes.ts';
import { ADAM_HYPER, SGD_HYPER, type Likelihood } from '../ops.ts';
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
}

class Sgd implements Optimizer {
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
    this.p.backend.write(this.hyper, [c.lr, c.momentum, c.weightDecay]);
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

class Adam implements Optimizer {
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
    this.p.backend.write(this.hyper, [
      c.lr,
      c.beta1,
      c.beta2,
      c.eps,
      c.weightDecay,
      decoupled,
      1 - c.beta1 ** t,
      1 - c.beta2 ** t,
    ]);
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

/** Allocates the optimizer's state and records its update. */
export function createOptimizer(p: TrainingContext, config: OptimizerConfig): Optimizer {
  validateOptimizer(config);
  switch (config.kind) {
    case 'fishleg':
      return new FishLeg(p, config);
    case 'kfac':
      return new Kfac(p, config);
    case 'natural':
      return new NaturalGradient(p, config);
    case 'sgd':
      return new Sgd(p, config);
    case 'adam':
    case 'adamw':
      return new Adam(p, config);
    default:
      return config satisfies never;
  }
}
