/**
 * A race: one dataset uploaded once (DeviceDataset) and several runs built with the same seed — so the same
 * initial weights and the same batches — advanced in lock-step by the TrainingLoop. It applies live changes
 * at step boundaries, marks runs that diverge (NaN, or a loss that explodes or stays far above its start) (they stop, the others go on),
 * computes view frames every few evaluations, and keeps checkpoints of every run's whole state (parameters,
 * optimizer state, settings) to rebuild after a device loss and continue exactly as the lost race would have.
 */
import {
  type Backend,
  archForData,
  likelihoodFor,
  paramCount,
  type Dataset,
  DeviceDataset,
  DivergenceWatch,
  type FishLegApprox,
  layerInfo,
  type OptimizerConfig,
  OptimizerConfigError,
  switchedValue,
  Trainer,
} from '../engine/index.ts';
import type { LoopTrainer } from './loop.ts';
import type {
  DataInfo,
  InsideFrame,
  InspectSpec,
  LiveChange,
  MetricPoint,
  RaceSpec,
  RacerCheckpoint,
  RunSpec,
  SavedRaceState,
  SavedRacer,
  StepChange,
  TaskFrame,
  TaskStatic,
} from './protocol.ts';
import { insideFrame, inverseComparisons, taskFrame, taskStatic } from './views-data.ts';

/** Thrown for race commands that name a run the race does not have, or break lock-step rules. */
export class RaceError extends Error {
  override readonly name = 'RaceError';
}

/** What the race reports besides evaluations. */
export interface RaceListener {
  diverged(runId: string, step: number): void;
  switched(runId: string, step: number, approx: FishLegApprox): void;
  /** A live change took effect at `step` (the chart marks it); not repeated when a rebuilt race replays it. */
  changed?(runId: string, step: number, from: OptimizerConfig, to: OptimizerConfig): void;
  taskFrame(runId: string, frame: TaskFrame): void;
  insideFrame(frame: InsideFrame): void;
}

/** One evaluation of one run, as the loop hands it on. */
export interface RacePoint {
  readonly runId: string;
  readonly point: MetricPoint;
}

interface Racer {
  spec: RunSpec;
  readonly trainer: Trainer;
  /** Step at which the run diverged; it no longer steps. */
  diverged: number | null;
  lastSeconds: number;
  lastStep: number;
  /** Training seconds before this trainer existed (restored from a checkpoint): the clock carries on. */
  secondsBase: number;
  /** Judges every evaluation by the rule the CLI shares (engine/divergence.ts); holds the step-0 loss. */
  watch: DivergenceWatch;
  checkpoint: RacerCheckpoint;
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
  /** Live changes queued for the next step boundary. */
  #pending: LiveChange[] = [];
  /** Changes applied since the last checkpoint began: a rebuild from that checkpoint re-applies them. */
  #journal: StepChange[] = [];
  /** After a rebuild: the lost race's changes since its checkpoint, applied again at the steps they were at. */
  #replay: StepChange[] = [];
  #inspect: InspectSpec;
  #network: boolean;
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
    this.#network = spec.network ?? false;
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
      layers: (first?.layout.layers ?? []).map(layerInfo),
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

  /**
   * Rebuilds the race on a new backend from the last checkpoints (after a device loss); returns it and its
   * step. Each run continues from its checkpoint's whole state with its settings then; the live changes made
   * since are re-applied at the steps they were made at, and those still queued at the lost race's step, so
   * the rebuilt race retraces the lost one exactly.
   */
  rebuild(backend: Backend): { race: Race; step: number } {
    const saved = this.saved();
    return {
      race: Race.fromSaved(
        backend,
        this.#device.data,
        { ...this.#spec, inspect: this.#inspect, network: this.#network },
        saved,
        this.#listener,
        this.#options,
      ),
      step: saved.step,
    };
  }

  /** The race as rebuild() restores it: the last checkpoints and the changes since (no readback). */
  saved(): SavedRaceState {
    const queued = this.#pending.map((c) => ({ ...c, step: this.currentStep }));
    const live = this.#racers.filter((r) => r.diverged === null);
    return {
      // Live runs are checkpointed together, so they all restart from the same step.
      step: Math.max(0, ...live.map((r) => r.checkpoint.state?.step ?? 0)),
      runs: this.#racers.map((r) => ({
        spec: r.spec,
        checkpoint: r.checkpoint,
        diverged: r.diverged,
        initialLoss: r.watch.initial,
      })),
      changes: [...this.#journal, ...this.#replay, ...queued],
    };
  }

  /**
   * Builds a race from a saved state on `data` with `spec`'s data, model and inspect settings (its runs are
   * the saved ones). Throws, having allocated nothing that outlives the call, when a saved run does not fit
   * (TrainConfigError from Trainer.restore, or an invalid optimizer setting).
   */
  static fromSaved(
    backend: Backend,
    data: Dataset,
    spec: RaceSpec,
    saved: SavedRaceState,
    listener: RaceListener,
    options: RaceOptions = {},
  ): Race {
    const runs = saved.runs.map((r) => r.checkpoint.spec);
    const race = Race.build(backend, data, { ...spec, runs }, listener, options);
    try {
      race.#racers.forEach((r, i) => restoreRacer(r, saved.runs[i]!));
    } catch (e) {
      race.dispose();
      throw e;
    }
    race.#replay = [...saved.changes];
    return race;
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
    // A replay still ahead would apply older settings after this change: apply it first, at the next boundary.
    this.#pending.push(...this.#replay, { runId, optimizer });
    this.#replay = [];
  }

  /**
   * Adds a run without disturbing the others. `from`: the id of a run to branch from — the new run starts
   * from that run's weights and whole optimizer state at the current step and sees the same future batches.
   * Without `from` the new run starts at step 0 and catches up on the same batches (see step() and
   * catchUp()) before it joins the lock-step.
   */
  async addRun(run: RunSpec, from: string | null): Promise<void> {
    if (this.#racers.some((r) => r.spec.id === run.id)) throw new RaceError(`the race already has a run '${run.id}'`);
    const racer = newRacer(this.#backend, this.#device, this.#spec, run);
    try {
      if (from !== null) {
        const src = this.#racer(from);
        if (src.spec.optimizer.kind !== run.optimizer.kind) {
          throw new RaceError(`a branch of '${src.spec.name}' must use ${src.spec.optimizer.kind}`);
        }
        const state = await src.trainer.checkpoint();
        racer.trainer.restore(state);
        // Same kind, possibly other settings: they apply from the branch point on.
        racer.trainer.updateOptimizer(run.optimizer);
        const seconds = src.secondsBase + src.trainer.seconds;
        racer.secondsBase = seconds;
        racer.lastSeconds = seconds;
        racer.lastStep = state.step;
        racer.watch = new DivergenceWatch(src.watch.initial);
        racer.checkpoint = { spec: run, state, seconds };
      }
    } catch (e) {
      racer.trainer.dispose();
      throw e;
    }
    this.#racers.push(racer);
    this.#viewsDue = true;
  }

  /** Steps every live run that is behind the others up to them (a paused race's newly added runs), in slices. */
  async catchUp(onProgress: (runId: string, step: number, target: number) => void): Promise<void> {
    const target = this.currentStep;
    for (const r of this.#racers) {
      while (r.diverged === null && r.trainer.stepCount < target) {
        r.trainer.step(Math.min(CATCH_UP_SLICE, target - r.trainer.stepCount));
        await r.trainer.settle();
        onProgress(r.spec.id, r.trainer.stepCount, target);
      }
    }
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

  /** Turns the network view's data on or off; the next evaluation (or sendViews) sends frames with it. */
  network(on: boolean): void {
    if (on === this.#network) return;
    this.#network = on;
    this.#viewsDue = true;
  }

  /** Applies queued live changes, and replayed ones due by now (at a step boundary). */
  async applyPending(): Promise<void> {
    while (this.#replay.length > 0 && this.#replay[0]!.step <= this.currentStep)
      await this.#apply(this.#replay.shift()!);
    const changes = this.#pending;
    this.#pending = [];
    for (const c of changes) await this.#apply(c);
  }

  /** Steps every live run n times, stopping at replayed changes; each run is settled on its own to time it. */
  async step(n: number): Promise<void> {
    for (let left = n; left > 0;) {
      await this.applyPending();
      const next = this.#replay[0];
      const k = next ? Math.min(left, Math.max(1, next.step - this.currentStep)) : left;
      const lead = this.currentStep;
      for (const r of this.#racers) {
        if (r.diverged !== null) continue;
        // A run added mid-race catches up on the batches the others saw, CATCH_UP_RATE× faster than they move.
        const behind = lead - r.trainer.stepCount;
        r.trainer.step(k + Math.min(behind, CATCH_UP_RATE * k));
        await r.trainer.settle();
      }
      left -= k;
    }
  }

  /** Evaluates every live run; marks runs that diverged (engine/divergence.ts); sends views and checkpoints when due. */
  async evaluate(): Promise<RacePoint[]> {
    await this.applyPending();
    const out: RacePoint[] = [];
    for (const r of this.#racers) if (r.diverged === null) out.push(await this.#evaluateRacer(r));
    const n = this.#evaluations++;
    if (this.#viewsDue || n % this.#options.viewEvery === 0) await this.sendViews();
    if (n % this.#options.checkpointEvery === 0) await this.checkpoint();
    return out;
  }

  /** Evaluates one run on its own (a run just added), outside the race's evaluation cadence. */
  async evaluateRun(runId: string): Promise<RacePoint> {
    return this.#evaluateRacer(this.#racer(runId));
  }

  async #evaluateRacer(r: Racer): Promise<RacePoint> {
    const raw = await r.trainer.evaluate();
    const e = { ...raw, seconds: r.secondsBase + raw.seconds };
    const auxLoss = await r.trainer.readAuxLoss();
    const steps = e.step - r.lastStep;
    const msPerStep = steps > 0 ? (1000 * (e.seconds - r.lastSeconds)) / steps : Number.NaN;
    r.lastSeconds = e.seconds;
    r.lastStep = e.step;
    if (r.watch.observe(e.step, e.trainLoss) !== null) {
      r.diverged = e.step;
      this.#listener.diverged(r.spec.id, e.step);
    }
    return { runId: r.spec.id, point: { ...e, auxLoss, msPerStep } };
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
      const frame = await taskFrame(r.trainer, this.task, this.#network);
      if (frame) this.#listener.taskFrame(r.spec.id, frame);
    }
    const target = this.#racers.find((r) => r.spec.id === this.#inspect.runId);
    if (target && target.diverged === null) {
      const frame = await insideFrame(target.trainer, target.spec.id, this.#inspect.layer);
      if (frame) {
        const others = this.#racers
          .filter((r) => r !== target && r.diverged === null)
          .map((r) => ({ runId: r.spec.id, trainer: r.trainer }));
        const comparisons = frame.q ? await inverseComparisons(others, frame.layer.index) : [];
        this.#listener.insideFrame(comparisons.length > 0 ? { ...frame, comparisons } : frame);
      }
    }
  }

  /**
   * Saves every live run's whole state. The new set replaces the previous one only once every readback has
   * completed: runs restored from different steps would break lock-step.
   */
  async checkpoint(): Promise<void> {
    const covered = this.#journal.length;
    const taken: [Racer, RacerCheckpoint][] = [];
    for (const r of this.#racers) {
      if (r.diverged !== null) continue;
      // Called right after an evaluation, which settled the trainer: its clock is exact here.
      const seconds = r.secondsBase + r.trainer.seconds;
      const spec = r.spec;
      taken.push([r, { spec, state: await r.trainer.checkpoint(), seconds }]);
    }
    for (const [r, cp] of taken) r.checkpoint = cp;
    this.#journal.splice(0, covered);
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

  /** Applies one change to its run (gone if removed since) and journals it. */
  async #apply(change: LiveChange): Promise<void> {
    const r = this.#racers.find((x) => x.spec.id === change.runId);
    if (!r) return;
    const { optimizer } = change;
    const current = r.trainer.optimizerConfig;
    const to = switchedValue(current, optimizer);
    if (to !== null) {
      await r.trainer.switchApprox(to);
      if (!change.announced) this.#listener.switched(change.runId, r.trainer.stepCount, to as FishLegApprox);
      this.#viewsDue = true;
    }
    r.trainer.updateOptimizer(optimizer);
    r.spec = { ...r.spec, optimizer };
    if (!change.announced) this.#listener.changed?.(change.runId, r.trainer.stepCount, current, optimizer);
    this.#journal.push({ runId: change.runId, optimizer, announced: true, step: this.currentStep });
  }

  #racer(runId: string): Racer {
    const r = this.#racers.find((x) => x.spec.id === runId);
    if (!r) throw new RaceError(`no run '${runId}' in this race`);
    return r;
  }
}

/** A run added mid-race takes up to this many extra steps per step of the others until it has caught up. */
const CATCH_UP_RATE = 4;
/** Steps per slice when a paused race's new run catches up (between slices the worker answers commands). */
const CATCH_UP_SLICE = 200;

function resolveLikelihood(spec: RaceSpec, data: Dataset) {
  return spec.model.likelihood === 'auto' ? likelihoodFor(data.kind) : spec.model.likelihood;
}

/** Carries a saved racer's state over to its rebuilt counterpart (built from the saved checkpoint's spec). */
function restoreRacer(r: Racer, old: SavedRacer): void {
  r.diverged = old.diverged;
  // Afresh from the step-0 loss: evaluations after the checkpoint are retraced and judged again.
  r.watch = new DivergenceWatch(old.initialLoss);
  r.checkpoint = old.checkpoint;
  if (old.checkpoint.state) r.trainer.restore(old.checkpoint.state);
  r.secondsBase = old.checkpoint.seconds;
  r.lastSeconds = old.checkpoint.seconds;
  r.lastStep = r.trainer.stepCount;
  // A diverged run no longer steps or checkpoints: its settings stay those the UI shows.
  if (old.diverged !== null) r.spec = old.spec;
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
    watch: new DivergenceWatch(),
    checkpoint: { spec: run, state: null, seconds: 0 },
  };
}
