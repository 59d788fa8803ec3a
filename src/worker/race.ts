/**
 * A race: one dataset uploaded once (DeviceDataset) and several runs built with the same seed — so the same
 * initial weights and the same batches — advanced in lock-step by the TrainingLoop. It applies live changes
 * at step boundaries, marks runs whose loss is no longer finite as diverged (they stop, the others go on),
 * computes view frames every few evaluations, and keeps parameter checkpoints to rebuild after a device loss.
 */
import type { Backend } from '../engine/backend.ts';
import { archForData, likelihoodFor, paramCount } from '../engine/data/tasks.ts';
import type { Dataset } from '../engine/data/dataset.ts';
import { DeviceDataset } from '../engine/device-data.ts';
import type { FishLegApprox, OptimizerConfig } from '../engine/optim/config.ts';
import { OptimizerConfigError } from '../engine/optim/config.ts';
import { Trainer } from '../engine/trainer.ts';
import type { LoopTrainer } from './loop.ts';
import type {
  DataInfo,
  FishLegFrame,
  InspectSpec,
  MetricPoint,
  RaceSpec,
  RunSpec,
  TaskFrame,
  TaskStatic,
} from './protocol.ts';
import { fishlegFrame, taskFrame, taskStatic } from './views-data.ts';

/** Thrown for race commands that name a run the race does not have, or break lock-step rules. */
export class RaceError extends Error {
  override readonly name = 'RaceError';
}

/** What the race reports besides evaluations. */
export interface RaceListener {
  diverged(runId: string, step: number): void;
  switched(runId: string, step: number, approx: FishLegApprox): void;
  taskFrame(runId: string, frame: TaskFrame): void;
  fishlegFrame(frame: FishLegFrame): void;
}

/** One evaluation of one run, as the loop hands it on. */
export interface RacePoint {
  readonly runId: string;
  readonly point: MetricPoint;
}

interface Racer {
  spec: RunSpec;
  readonly trainer: Trainer;
  /** Step at which the loss stopped being finite; the run no longer steps. */
  diverged: number | null;
  lastSeconds: number;
  lastStep: number;
  /** Training seconds before this trainer existed (restored from a checkpoint): the clock carries on. */
  secondsBase: number;
  /** The step-0 loss, the yardstick of an explosion. */
  initialLoss: number | null;
  checkpoint: { params: Float32Array; step: number; seconds: number } | null;
}

export interface RaceOptions {
  /** Task frames (and Inside-FishLeg) every this many evaluations (default 5). */
  readonly viewEvery?: number;
  /** Parameter checkpoints every this many evaluations (default 5). */
  readonly checkpointEvery?: number;
}

/** The full architecture string of a model spec on some data. */
export function archString(hidden: string, data: Dataset): string {
  const h = hidden.trim();
  return h === '' ? `${data.inputDim}-${data.outputDim}` : `${data.inputDim}-${h}-${data.outputDim}`;
}

export class Race implements LoopTrainer<RacePoint[]> {
  readonly info: DataInfo;
  readonly task: TaskStatic;
  readonly #backend: Backend;
  readonly #device: DeviceDataset;
  readonly #racers: Racer[];
  readonly #listener: RaceListener;
  readonly #spec: RaceSpec;
  readonly #options: Required<RaceOptions>;
  #pending: (() => Promise<void>)[] = [];
  #inspect: InspectSpec;
  #evaluations = 0;
  #viewsDue = true;
  #disposed = false;

  private constructor(
    backend: Backend,
    device: DeviceDataset,
    racers: Racer[],
    spec: RaceSpec,
    listener: RaceListener,
    options: RaceOptions,
  ) {
    this.#backend = backend;
    this.#device = device;
    this.#racers = racers;
    this.#spec = spec;
    this.#listener = listener;
    this.#inspect = spec.inspect;
    this.#options = { viewEvery: options.viewEvery ?? 5, checkpointEvery: options.checkpointEvery ?? 5 };
    const data = device.data;
    const first = racers[0]?.trainer;
    const arch = archString(spec.model.hidden, data);
    this.info = {
      name: data.name,
      kind: data.kind,
      inputDim: data.inputDim,
      outputDim: data.outputDim,
      trainRows: data.train.n,
      testRows: data.test.n,
      likelihood: first?.likelihood ?? resolveLikelihood(spec, data),
      arch,
      params: paramCount(archForData(arch, data)),
      layers: (first?.layout.layers ?? []).map((l) => ({ m: l.m, n: l.n })),
      ...(data.numClasses !== undefined ? { numClasses: data.numClasses } : {}),
    };
    this.task = taskStatic(data);
  }

  /** Uploads the data once and builds every run at step 0. */
  static build(
    backend: Backend,
    data: Dataset,
    spec: RaceSpec,
    listener: RaceListener,
    options: RaceOptions = {},
  ): Race {
    const device = new DeviceDataset(backend, data);
    const racers: Racer[] = [];
    try {
      for (const run of spec.runs) racers.push(newRacer(backend, device, spec, run));
    } catch (e) {
      for (const r of racers) r.trainer.dispose();
      device.dispose();
      throw e;
    }
    return new Race(backend, device, racers, spec, listener, options);
  }

  /** Rebuilds the race on a new backend from the last checkpoints (after a device loss); returns it and its step. */
  rebuild(backend: Backend): { race: Race; step: number } {
    // Current settings, not the checkpoint's: they are what the UI shows (live changes made since included).
    const spec = { ...this.#spec, runs: this.#racers.map((r) => r.spec), inspect: this.#inspect };
    const race = Race.build(backend, this.#device.data, spec, this.#listener, this.#options);
    race.#racers.forEach((r, i) => {
      const old = this.#racers[i]!;
      r.diverged = old.diverged;
      r.initialLoss = old.initialLoss;
      if (old.checkpoint) {
        r.trainer.loadParams(old.checkpoint.params, old.checkpoint.step);
        r.secondsBase = old.checkpoint.seconds;
        r.lastSeconds = old.checkpoint.seconds;
      }
      r.lastStep = r.trainer.stepCount;
    });
    // Live runs are checkpointed together, so they all restart from the same step.
    const step = Math.max(0, ...race.#racers.filter((r) => r.diverged === null).map((r) => r.trainer.stepCount));
    return { race, step };
  }

  /** Ids of the runs still stepping. */
  get live(): string[] {
    return this.#racers.filter((r) => r.diverged === null).map((r) => r.spec.id);
  }

  get currentStep(): number {
    return Math.max(0, ...this.#racers.map((r) => r.trainer.stepCount));
  }

  /** Queues a hyperparameter change for the next step boundary; a new FishLeg approx is switched live. */
  update(runId: string, optimizer: OptimizerConfig): void {
    const r = this.#racer(runId);
    if (optimizer.kind !== r.spec.optimizer.kind) {
      throw new OptimizerConfigError(
        `run '${r.spec.name}' is ${r.spec.optimizer.kind}; changing it to ${optimizer.kind} needs a reset`,
      );
    }
    this.#pending.push(async () => {
      if (optimizer.kind === 'fishleg' && r.trainer.fishleg && optimizer.approx !== r.trainer.fishleg.config.approx) {
        await r.trainer.switchApprox(optimizer.approx);
        this.#listener.switched(runId, r.trainer.stepCount, optimizer.approx);
        this.#viewsDue = true;
      }
      r.trainer.updateOptimizer(optimizer);
      r.spec = { ...r.spec, optimizer };
    });
  }

  /** Removes a run and frees it (no effect on the others). */
  remove(runId: string): void {
    const i = this.#racers.findIndex((r) => r.spec.id === runId);
    if (i < 0) throw new RaceError(`no run '${runId}' in this race`);
    const [r] = this.#racers.splice(i, 1);
    r!.trainer.dispose();
  }

  /** Chooses the run and layer of the Inside-FishLeg view; the next evaluation sends a frame. */
  inspect(spec: InspectSpec): void {
    this.#inspect = spec;
    this.#viewsDue = true;
  }

  /** Applies queued live changes (at a step boundary). */
  async applyPending(): Promise<void> {
    const ops = this.#pending;
    this.#pending = [];
    for (const op of ops) await op();
  }

  /** Steps every live run n times; each is settled on its own so that its time per step is its own. */
  async step(n: number): Promise<void> {
    await this.applyPending();
    for (const r of this.#racers) {
      if (r.diverged !== null) continue;
      r.trainer.step(n);
      await r.trainer.settle();
    }
  }

  /** Evaluates every live run; marks non-finite losses as diverged; sends views and checkpoints when due. */
  async evaluate(): Promise<RacePoint[]> {
    await this.applyPending();
    const out: RacePoint[] = [];
    for (const r of this.#racers) {
      if (r.diverged !== null) continue;
      const raw = await r.trainer.evaluate();
      const e = { ...raw, seconds: r.secondsBase + raw.seconds };
      const auxLoss = await r.trainer.readAuxLoss();
      const steps = e.step - r.lastStep;
      const msPerStep = steps > 0 ? (1000 * (e.seconds - r.lastSeconds)) / steps : Number.NaN;
      r.lastSeconds = e.seconds;
      r.lastStep = e.step;
      out.push({ runId: r.spec.id, point: { ...e, auxLoss, msPerStep } });
      r.initialLoss ??= e.trainLoss;
      if (exploded(e.trainLoss, r.initialLoss)) {
        r.diverged = e.step;
        this.#listener.diverged(r.spec.id, e.step);
      }
    }
    const n = this.#evaluations++;
    if (this.#viewsDue || n % this.#options.viewEvery === 0) await this.sendViews();
    if (n % this.#options.checkpointEvery === 0) await this.checkpoint();
    return out;
  }

  /** Marks views as due at the next evaluation (e.g. on pause). */
  viewsDue(): void {
    this.#viewsDue = true;
  }

  /** Computes and reports the task frame of every live run and the Inside-FishLeg frame. */
  async sendViews(): Promise<void> {
    this.#viewsDue = false;
    for (const r of this.#racers) {
      if (r.diverged !== null && r.diverged < r.trainer.stepCount) continue;
      const frame = await taskFrame(r.trainer, this.task);
      if (frame) this.#listener.taskFrame(r.spec.id, frame);
    }
    const target = this.#racers.find((r) => r.spec.id === this.#inspect.runId);
    if (target && target.diverged === null) {
      const frame = await fishlegFrame(target.trainer, target.spec.id, this.#inspect.layer);
      if (frame) this.#listener.fishlegFrame(frame);
    }
  }

  /** Saves every live run's parameters (one readback each). */
  async checkpoint(): Promise<void> {
    for (const r of this.#racers) {
      if (r.diverged !== null) continue;
      // Called right after an evaluation, which settled the trainer: its clock is exact here.
      const seconds = r.secondsBase + r.trainer.seconds;
      r.checkpoint = { params: await r.trainer.readParams(), step: r.trainer.stepCount, seconds };
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const r of this.#racers) r.trainer.dispose();
    this.#device.dispose();
  }

  get backend(): Backend {
    return this.#backend;
  }

  #racer(runId: string): Racer {
    const r = this.#racers.find((x) => x.spec.id === runId);
    if (!r) throw new RaceError(`no run '${runId}' in this race`);
    return r;
  }
}

/** Loss growth beyond which a run counts as diverged even while float32 still holds it (saturated tanh nets). */
export const EXPLOSION_FACTOR = 1e8;

/** NaN, ±∞, or a loss EXPLOSION_FACTOR times the step-0 loss (floored at 1): the run has diverged. */
export function exploded(loss: number, initial: number): boolean {
  return !Number.isFinite(loss) || loss > EXPLOSION_FACTOR * Math.max(1, Number.isFinite(initial) ? initial : 1);
}

function resolveLikelihood(spec: RaceSpec, data: Dataset) {
  return spec.model.likelihood === 'auto' ? likelihoodFor(data.kind) : spec.model.likelihood;
}

function newRacer(backend: Backend, device: DeviceDataset, spec: RaceSpec, run: RunSpec): Racer {
  const data = device.data;
  const trainer = Trainer.create(backend, device, {
    arch: archString(spec.model.hidden, data),
    likelihood: resolveLikelihood(spec, data),
    optimizer: run.optimizer,
    batch: spec.model.batch,
    seed: spec.data.seed,
  });
  return {
    spec: run,
    trainer,
    diverged: null,
    lastSeconds: 0,
    lastStep: 0,
    secondsBase: 0,
    initialLoss: null,
    checkpoint: null,
  };
}
