/**
 * One training run: an MLP, its optimizer and its metrics on one backend. A step uploads the batch's row
 * indices and submits the recorded forward/backward and optimizer programs together; nothing is read back
 * until the caller asks for metrics. Training time is measured up to the GPU's completion and excludes
 * evaluation, so curves against seconds compare optimizers honestly.
 */
import type { Backend, Program } from './backend.ts';
import { imageShapeOf, type Dataset } from './data/dataset.ts';
import { batchIndices } from './data/sampler.ts';
import { parseArch } from './data/tasks.ts';
import { DeviceDataset } from './device-data.ts';
import { initParams, paramLayout, type MlpSpec, type ParamLayout } from './model/mlp.ts';
import {
  backwardOps,
  forwardOps,
  gatherInputsOp,
  inputStride,
  gatherOps,
  lossOps,
  outputGradOps,
  Workspace,
  type DeviceSplit,
} from './model/passes.ts';
import { bufferLimit, workspaceRows } from './memory.ts';
import type { Likelihood, Op } from './ops.ts';
import { curvatureRefusal } from './optim/curvature-check.ts';
import {
  OPTIMIZER_KINDS,
  OptimizerConfigError,
  settingsOfKind,
  withDefaultsForMissing,
  type OptimizerConfig,
} from './optim/config.ts';
import type { DenseLayerInverse, InverseFisherView, Optimizer, TrainingContext } from './optim/optimizer.ts';
import { createOptimizer } from './optim/registry.ts';
import { OptimizerStateError, type HostArray, type OptimizerState } from './optim/state.ts';
import { slice, type Tensor } from './tensor.ts';

export interface TrainConfig {
  /** Architecture string, e.g. '2-16t-16t-2' (src/engine/data/tasks.ts parseArch). */
  readonly arch: string;
  readonly likelihood: Likelihood;
  /** Gaussian likelihood's fixed standard deviation. */
  readonly sigma?: number;
  readonly optimizer: OptimizerConfig;
  readonly batch: number;
  readonly seed: number;
  /** Rows per evaluation chunk (default 500; fewer where a workspace buffer would pass the backend's limit). */
  readonly evalChunk?: number;
}

export interface EvalResult {
  readonly step: number;
  /** Training time so far in seconds (evaluation excluded). */
  readonly seconds: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly trainMse?: number;
  readonly testMse?: number;
}

/**
 * Everything a run needs to continue exactly as it would have (e.g. on a new device after a GPU device loss):
 * the step (which picks the batches and Adam's bias correction), the parameters and the optimizer's whole
 * state. Plain, structured-clonable data.
 */
export interface TrainerCheckpoint {
  readonly step: number;
  readonly params: HostArray;
  readonly optimizer: OptimizerState;
}

/** Thrown for a configuration that cannot train on the given data. */
export class TrainConfigError extends Error {
  override readonly name = 'TrainConfigError';
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Trainer implements TrainingContext {
  readonly spec: MlpSpec;
  readonly layout: ParamLayout;
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly ws: Workspace;
  private readonly optimizer: Optimizer;
  private readonly evalAcc: Tensor;
  /** Train-step programs by the set of layers whose dense gradient is formed ('all' for every layer). */
  private readonly trainPrograms = new Map<string, Program>();
  private lastLayers: ReadonlySet<number> | 'all' | null = null;
  private lastProgram: Program | null = null;
  private readonly evalPrograms = new Map<string, Program>();
  private readonly ownsData: boolean;
  private clockStart: number | null = null;
  private trainMs = 0;
  private disposed = false;
  /** Steps taken so far. */
  stepCount = 0;

  private constructor(
    readonly backend: Backend,
    readonly data: DeviceDataset,
    readonly config: TrainConfig,
    ownsData: boolean,
  ) {
    this.ownsData = ownsData;
    const d = data.data;
    if (!Number.isInteger(config.batch) || config.batch < 1) {
      throw new TrainConfigError(`batch size must be a positive integer (got ${config.batch})`);
    }
    if (d.train.n < 1) throw new TrainConfigError(`dataset ${d.name} has no training rows`);
    if (config.likelihood === 'categorical' && d.kind !== 'classification') {
      throw new TrainConfigError(`the categorical likelihood needs class labels; ${d.name} has none`);
    }
    if (config.likelihood === 'gaussian' && !(config.sigma === undefined || config.sigma > 0)) {
      throw new TrainConfigError(`gaussian sigma must be positive (got ${config.sigma})`);
    }
    this.spec = parseArch(config.arch, d.inputDim, d.outputDim);
    const image = imageShapeOf(d);
    const archImage = this.spec.image;
    if (archImage && image && (archImage.h !== image.h || archImage.w !== image.w || archImage.c !== image.c)) {
      const show = (s: typeof image) => `${s.h}×${s.w}×${s.c}`;
      throw new TrainConfigError(
        `architecture '${config.arch}' reads ${show(archImage)} images, but ${d.name}'s images are ${show(image)}`,
      );
    }
    this.layout = paramLayout(this.spec);
    const refusal = curvatureRefusal(config.optimizer.kind, this.layout.layers);
    if (refusal) throw new TrainConfigError(refusal);
    const rows = workspaceRows(
      this.layout,
      config.batch,
      Math.max(d.train.n, d.test.n),
      config.evalChunk,
      bufferLimit(backend).bytes,
    );
    this.ws = new Workspace(backend, this.layout, rows, 'ws');
    this.params = backend.alloc(this.layout.total, 'params');
    this.grads = backend.alloc(this.layout.total, 'grads');
    this.evalAcc = backend.alloc(2, 'metrics.eval');
    backend.write(this.params, initParams(this.spec, config.seed));
    try {
      this.optimizer = createOptimizer(this, config.optimizer);
    } catch (e) {
      // An optimizer may refuse the model (the natural gradient's size cap): free what this run made.
      for (const t of [this.params, this.grads, this.evalAcc]) backend.free(t);
      this.ws.dispose();
      throw e;
    }
  }

  /**
   * The recorded forward/backward pass that forms the dense gradient of `layers` only (others get E_l alone).
   * No loss: the output gradient does not need it, and the reported train loss comes from evaluate().
   */
  private trainProgram(layers: ReadonlySet<number> | 'all'): Program {
    if (layers === this.lastLayers && this.lastProgram) return this.lastProgram;
    const key = layers === 'all' ? 'all' : [...layers].sort((a, b) => a - b).join(',');
    let p = this.trainPrograms.get(key);
    if (!p) {
      const B = this.config.batch;
      const lik = this.config.likelihood;
      const skip = new Set(layers === 'all' ? [] : this.layout.layers.map((_, l) => l).filter((l) => !layers.has(l)));
      p = this.backend.record(`train-step[${key}]`, [
        ...gatherOps(this.ws, this.data.train, B),
        ...forwardOps(this.ws, this.params, B),
        ...outputGradOps(this.ws, lik, this.sigma, B),
        ...backwardOps(this.ws, this.params, this.grads, B, 1 / B, 0, skip),
      ]);
      this.trainPrograms.set(key, p);
    }
    this.lastLayers = layers;
    this.lastProgram = p;
    return p;
  }

  /** Builds a run; a Dataset is uploaded for this run alone, a DeviceDataset is shared and not disposed with it. */
  static create(backend: Backend, data: Dataset | DeviceDataset, config: TrainConfig): Trainer {
    const owns = !(data instanceof DeviceDataset);
    const device = data instanceof DeviceDataset ? data : new DeviceDataset(backend, data);
    try {
      return new Trainer(backend, device, config, owns);
    } catch (e) {
      if (owns) device.dispose();
      throw e;
    }
  }

  get sigma(): number {
    return this.config.sigma ?? 1;
  }

  get likelihood(): Likelihood {
    return this.config.likelihood;
  }

  get batch(): number {
    return this.config.batch;
  }

  get seed(): number {
    return this.config.seed;
  }

  get trainSplit(): DeviceSplit {
    return this.data.train;
  }

  /**
   * The run's optimizer when it is an instance of `cls` (tests and benchmarks of one optimizer reach its own
   * read-outs this way; generic code asks the Optimizer capabilities instead), else null.
   */
  optimizerAs<T extends Optimizer>(cls: abstract new (...args: never[]) => T): T | null {
    return this.optimizer instanceof cls ? this.optimizer : null;
  }

  /** Layer l's block of the optimizer's own inverse-Fisher approximation, dense, or null when it offers none. */
  async denseLayerInverse(layer: number): Promise<DenseLayerInverse | null> {
    this.assertLive();
    return this.optimizer.denseLayerInverse ? this.optimizer.denseLayerInverse(layer) : null;
  }

  /** The optimizer's learned inverse Fisher, or null when it has none (views: materialised Q, its error). */
  get inverseFisher(): InverseFisherView | null {
    return this.optimizer.inverseFisher ?? null;
  }

  /** The optimizer's mean auxiliary loss since the last call (null when it has none, or no update since). */
  async readAuxLoss(): Promise<number | null> {
    this.assertLive();
    return this.optimizer.readAuxLoss ? this.optimizer.readAuxLoss() : null;
  }

  /** Switches the optimizer's structure before the next step (FishLeg's approximation, docs/fishleg.md §9). */
  async switchApprox(approx: string): Promise<void> {
    this.assertLive();
    if (!this.optimizer.switchApprox) {
      throw new OptimizerConfigError(
        `switching approximation needs ${switchableKinds().join(' or ')}, not ${this.optimizer.config.kind}`,
      );
    }
    await this.optimizer.switchApprox(approx);
  }

  get optimizerConfig(): OptimizerConfig {
    return this.optimizer.config;
  }

  /** Changes the optimizer's hyperparameters at the next step (same optimizer kind). */
  updateOptimizer(config: OptimizerConfig): void {
    this.optimizer.update(config);
  }

  /** Takes `count` training steps. Submits work only; no readback. */
  step(count = 1): void {
    this.assertLive();
    if (this.clockStart === null) this.clockStart = now();
    const { batch, seed } = this.config;
    for (let i = 0; i < count; i++) {
      this.backend.write(this.ws.idx, batchIndices(seed, this.stepCount, batch, this.data.train.n));
      const layers = this.optimizer.gradientLayers?.(this.stepCount) ?? 'all';
      this.backend.run(this.trainProgram(layers), ...this.optimizer.stepPrograms(this.stepCount));
      this.stepCount++;
    }
  }

  /** Waits for submitted steps and stops the training clock (call before pausing). */
  async settle(): Promise<void> {
    await this.backend.sync();
    if (this.clockStart !== null) {
      this.trainMs += now() - this.clockStart;
      this.clockStart = null;
    }
  }

  /** Training seconds so far (evaluation and pauses excluded; call after settle() for an exact figure). */
  get seconds(): number {
    return this.trainMs / 1000;
  }

  /** Loss, accuracy or MSE over the whole train and test splits at the current parameters. */
  async evaluate(): Promise<EvalResult> {
    this.assertLive();
    await this.settle();
    const train = await this.evaluateSplit('train', this.data.train);
    const test = this.data.test.n > 0 ? await this.evaluateSplit('test', this.data.test) : null;
    const result: EvalResult = {
      step: this.stepCount,
      seconds: this.seconds,
      trainLoss: train.loss,
      testLoss: test?.loss ?? Number.NaN,
      ...(train.accuracy !== undefined
        ? { trainAccuracy: train.accuracy, testAccuracy: test?.accuracy ?? Number.NaN }
        : {}),
      ...(train.mse !== undefined ? { trainMse: train.mse, testMse: test?.mse ?? Number.NaN } : {}),
    };
    return result;
  }

  /** Network outputs μ for arbitrary input rows (decision boundaries, reconstructions). */
  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    return (await this.#forwardRows('predict', x, rows, 0)).mu;
  }

  /**
   * Outputs μ and the activations of the first `units` units of every hidden layer (the network view): hidden[h]
   * is unit-major, unit u's value on row r at u·rows + r. The same forward pass as predict, read back per chunk.
   */
  async activations(
    x: Float32Array,
    rows: number,
    units: number,
  ): Promise<{ mu: Float32Array; hidden: Float32Array[] }> {
    return this.#forwardRows('activations', x, rows, Math.max(1, Math.floor(units)));
  }

  async #forwardRows(
    name: string,
    x: Float32Array,
    rows: number,
    units: number,
  ): Promise<{ mu: Float32Array; hidden: Float32Array[] }> {
    this.assertLive();
    const inDim = this.ws.inDim;
    const out = this.ws.outDim;
    if (x.length !== rows * inDim)
      throw new TrainConfigError(`${name}: expected ${rows}×${inDim} inputs, got ${x.length} values`);
    const hiddenLayers = units > 0 ? this.layout.layers.slice(0, -1) : [];
    const hidden = hiddenLayers.map((l) => new Float32Array(Math.min(units, l.m) * rows));
    const src = this.backend.alloc(Math.max(1, x.length), `${name}.x`);
    const result = new Float32Array(rows * out);
    try {
      this.backend.write(src, x);
      const split: DeviceSplit = { x: src, y: src, n: rows };
      const chunk = this.ws.rows;
      for (let start = 0; start < rows; start += chunk) {
        const r = Math.min(chunk, rows - start);
        const p = this.backend.record(name, [
          gatherInputsOp(this.ws, split.x, r),
          ...forwardOps(this.ws, this.params, r),
        ]);
        this.backend.write(this.ws.idx, range(start, r));
        this.backend.run(p);
        // Hidden layer h's activations are Ā_{h+1}'s first m_h columns (a dense next layer adds a ones column).
        const strides = hiddenLayers.map((_, h) => inputStride(this.layout.layers[h + 1]!));
        const reads = hiddenLayers.map((_, h) => this.backend.read(slice(this.ws.a[h + 1]!, 0, r * strides[h]!)));
        const [mu, ...acts] = await Promise.all([this.backend.read(slice(this.ws.mu, 0, r * out)), ...reads]);
        this.backend.release(p);
        result.set(mu, start * out);
        acts.forEach((a, h) => {
          const ld = strides[h]!;
          const dst = hidden[h]!;
          const shown = dst.length / rows;
          for (let u = 0; u < shown; u++) for (let i = 0; i < r; i++) dst[u * rows + start + i] = a[i * ld + u]!;
        });
      }
    } finally {
      this.backend.free(src);
    }
    return { mu: result, hidden };
  }

  /** Reads the flat parameters (tests, checkpoints). */
  async readParams(): Promise<Float32Array> {
    return Float32Array.from(await this.backend.read(this.params));
  }

  /**
   * Overwrites the parameters (and the step count, which picks the batches) and nothing else: the optimizer
   * keeps its own state. To continue a run exactly, use checkpoint() and restore().
   */
  loadParams(values: Float32Array, step: number = this.stepCount): void {
    this.assertLive();
    if (values.length !== this.layout.total) {
      throw new TrainConfigError(`loadParams: expected ${this.layout.total} parameters, got ${values.length}`);
    }
    checkStep('loadParams', step);
    this.backend.write(this.params, values);
    this.stepCount = step;
  }

  /**
   * The run's whole state after the steps submitted so far. Call at a step boundary: the reads go out
   * together, and no step may be submitted until the promise resolves.
   */
  async checkpoint(): Promise<TrainerCheckpoint> {
    this.assertLive();
    const step = this.stepCount;
    // Promise.all: when the device is lost every read rejects, and none may go unhandled.
    const [p, optimizer] = await Promise.all([this.backend.read(this.params), this.optimizer.saveState()]);
    if (this.stepCount !== step) throw new Error('checkpoint: steps were submitted while it was being taken');
    if (p instanceof Uint32Array) throw new Error('checkpoint: the parameter buffer is not float');
    return { step, params: p, optimizer };
  }

  /**
   * Continues from a checkpoint of a run with the same model and optimizer kind (possibly on another
   * backend): the next step is the one the checkpointed run would have taken next, bit for bit on the same
   * backend. Throws TrainConfigError, having changed nothing, when the checkpoint does not fit this run.
   */
  restore(cp: TrainerCheckpoint): void {
    this.assertLive();
    if (cp.params.length !== this.layout.total) {
      throw new TrainConfigError(
        `restore: the checkpoint holds ${cp.params.length} parameters; this ${this.config.arch} model has ${this.layout.total}`,
      );
    }
    checkStep('restore', cp.step);
    try {
      // A checkpoint saved before a setting existed takes that setting's default.
      this.optimizer.loadState({ ...cp.optimizer, config: withDefaultsForMissing(cp.optimizer.config) });
    } catch (e) {
      if (e instanceof OptimizerStateError) throw new TrainConfigError(`restore: ${e.message}`, { cause: e });
      throw e;
    }
    this.backend.write(this.params, cp.params);
    this.stepCount = cp.step;
  }

  /** Frees every buffer and program the run made. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.trainPrograms.values()) this.backend.release(p);
    for (const p of this.evalPrograms.values()) this.backend.release(p);
    this.optimizer.dispose();
    for (const t of [this.params, this.grads, this.evalAcc]) this.backend.free(t);
    this.ws.dispose();
    if (this.ownsData) this.data.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this training run has been disposed');
  }

  private evalProgram(name: string, split: DeviceSplit, rows: number): Program {
    const key = `${name}:${rows}`;
    let p = this.evalPrograms.get(key);
    if (!p) {
      const lik = this.config.likelihood;
      const out = this.ws.outDim;
      const n = rows * out;
      const ops: Op[] = [
        ...gatherOps(this.ws, split, rows),
        ...forwardOps(this.ws, this.params, rows),
        ...lossOps(this.ws, lik, this.sigma, rows, slice(this.evalAcc, 0, 1), 1, true),
      ];
      const tmp = slice(this.ws.gout, 0, n);
      const y = slice(this.ws.y, 0, n);
      if (lik === 'bernoulli') {
        // Reconstruction error of the mean sigmoid(μ), the autoencoder's reported MSE.
        ops.push({ op: 'actForward', act: 'sigmoid', rows, cols: out, s: this.ws.mu, out: tmp, ldOut: out });
        ops.push({ op: 'axpby', n, a: { c: 1 }, x: tmp, b: { c: -1 }, y, out: tmp });
      } else if (lik === 'gaussian') {
        ops.push({ op: 'axpby', n, a: { c: 1 }, x: slice(this.ws.mu, 0, n), b: { c: -1 }, y, out: tmp });
      }
      if (lik !== 'categorical') {
        ops.push({
          op: 'reduce',
          kind: 'sumsq',
          n,
          x: tmp,
          scale: 1,
          accumulate: true,
          out: slice(this.evalAcc, 1, 1),
        });
      }
      p = this.backend.record(`eval-${key}`, ops);
      this.evalPrograms.set(key, p);
    }
    return p;
  }

  private async evaluateSplit(
    name: 'train' | 'test',
    split: DeviceSplit,
  ): Promise<{ loss: number; accuracy?: number; mse?: number }> {
    const lik = this.config.likelihood;
    const out = this.ws.outDim;
    const hostY = this.data.data[name].y;
    const chunk = this.ws.rows;
    this.backend.write(this.evalAcc, [0, 0]);
    let correct = 0;
    for (let start = 0; start < split.n; start += chunk) {
      const r = Math.min(chunk, split.n - start);
      this.backend.write(this.ws.idx, range(start, r));
      this.backend.run(this.evalProgram(name, split, r));
      if (lik === 'categorical') {
        const mu = await this.backend.read(slice(this.ws.mu, 0, r * out));
        for (let i = 0; i < r; i++) {
          if (argmax(mu, i * out, out) === argmax(hostY, (start + i) * out, out)) correct++;
        }
      }
    }
    const acc = await this.backend.read(this.evalAcc);
    const loss = acc[0]! / split.n;
    if (lik === 'categorical') return { loss, accuracy: correct / split.n };
    return { loss, mse: acc[1]! / (split.n * out) };
  }
}

function checkStep(what: string, step: number): void {
  if (!Number.isInteger(step) || step < 0)
    throw new TrainConfigError(`${what}: step must be an integer ≥ 0 (got ${step})`);
}

function range(start: number, count: number): Uint32Array {
  const r = new Uint32Array(count);
  for (let i = 0; i < count; i++) r[i] = start + i;
  return r;
}

function argmax(v: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

/** The optimizers with a setting that changes by a structure switch (FishLeg's approximation). */
const switchableKinds = () => OPTIMIZER_KINDS.filter((k) => settingsOfKind(k).some((s) => s.live === 'switch'));
