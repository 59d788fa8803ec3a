/**
 * A race: one dataset uploaded once (DeviceDataset) and several runs built with the same seed — so the same
 * initial weights and the same batches — advanced in lock-step by the TrainingLoop. It applies live changes
 * at step boundaries, marks runs that diverge (NaN, or a loss that explodes or stays far above its start) (they stop, the others go on),
 * computes view frames every few evaluations, and keeps checkpoints of every run's whole state (parameters,
 * optimizer state, settings) to rebuild after a device loss and continue exactly as the lost race would have.
 * On several seeds (DataSpec.seeds) every run is one trainer per seed, each on its seed's data, weights and
 * batches (worker/seeds.ts); the replicas step, change, branch, checkpoint and diverge as runs of their own,
 * while views and the Inside-FishLeg frame come from each run's first seed only.
 */
import {
  type Backend,
  archForData,
  archOfHidden,
  imageShapeOf,
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
  SavedReplica,
  StepChange,
  TaskFrame,
  TaskStatic,
} from './protocol.ts';
import { raceSeeds } from './seeds.ts';
import { insideFrame, inverseComparisons, taskFrame, taskStatic } from './views-data.ts';

/** Thrown for race commands that name a run the race does not have, or break lock-step rules. */
export class RaceError extends Error {
  override readonly name = 'RaceError';
}

/** What the race reports besides evaluations. */
export interface RaceListener {
  /** With `seed` (races on several seeds): that seed's replica stopped; without: the run's last one did. */
  diverged(runId: string, step: number, seed?: number): void;
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
  /** Which seed's replica, in a race on several seeds. */
  readonly seed?: number;
}

interface Racer {
  spec: RunSpec;
  /** The seed of its weights, batches and data; the run's first replica has the race's first seed. */
  readonly seed: number;
  readonly primary: boolean;
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
  const image = imageShapeOf(data);
  return archOfHidden(hidden, { inputDim: data.inputDim, outputDim: data.outputDim, ...(image ? { image } : {}) });
}

export class Race implements LoopTrainer<RacePoint[]> {
  readonly info: DataInfo;
  readonly task: TaskStatic;
  readonly #backend: Backend;
  /** One per seed, in seed order (shared where the data does not depend on the seed). */
  readonly #devices: readonly DeviceDataset[];
  readonly #seeds: readonly number[];
  /** Every replica of every run, run by run, each run's replicas in seed order. */
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
    devices: readonly DeviceDataset[],
    racers: Racer[],
    spec: RaceSpec,
    listener: RaceListener,
    options: RaceOptions,
  ) {
    this.#backend = backend;
    this.#devices = devices;
    this.#seeds = raceSeeds(spec.data);
    this.#racers = racers;
    this.#spec = spec;
    this.#listener = listener;
    this.#inspect = spec.inspect;
    this.#network = spec.network ?? false;
    this.#options = { viewEvery: options.viewEvery ?? 5, checkpointEvery: options.checkpointEvery ?? 5 };
    const data = devices[0]!.data;
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

  /**
   * Uploads the data once and builds every run at step 0. `data`: the dataset, or one per seed of the race
   * (worker/seeds.ts, in seed order); the same object given for several seeds is uploaded once.
   */
  static build(
    backend: Backend,
    data: Dataset | readonly Dataset[],
    spec: RaceSpec,
    listener: RaceListener,
    options: RaceOptions = {},
  ): Race {
    const seeds = raceSeeds(spec.data);
    const sets = Array.isArray(data) ? (data as readonly Dataset[]) : seeds.map(() => data as Dataset);
    if (sets.length !== seeds.length) {
      throw new RaceError(`a race on ${seeds.length} seeds needs ${seeds.length} datasets, not ${sets.length}`);
    }
    const uploaded = new Map<Dataset, DeviceDataset>();
    const racers: Racer[] = [];
    try {
      const devices = sets.map((d) => {
        let dev = uploaded.get(d);
        if (!dev) uploaded.set(d, (dev = new DeviceDataset(backend, d)));
        return dev;
      });
      for (const run of spec.runs) racers.push(...newReplicas(backend, devices, seeds, spec, run));
      return new Race(backend, devices, racers, spec, listener, options);
    } catch (e) {
      for (const r of racers) r.trainer.dispose();
      for (const dev of uploaded.values()) dev.dispose();
      throw e;
    }
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
        this.#devices.map((d) => d.data),
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
    const replica = (r: Racer): SavedReplica => ({
      seed: r.seed,
      checkpoint: r.checkpoint,
      diverged: r.diverged,
      initialLoss: r.watch.initial,
    });
    return {
      // Live runs are checkpointed together, so they all restart from the same step.
      step: Math.max(0, ...live.map((r) => r.checkpoint.state?.step ?? 0)),
      runs: this.#racers
        .filter((r) => r.primary)
        .map((r) => {
          const others = this.#replicasOf(r.spec.id).filter((x) => !x.primary);
          const first = { spec: r.spec, checkpoint: r.checkpoint, diverged: r.diverged, initialLoss: r.watch.initial };
          return others.length > 0 ? { ...first, replicas: others.map(replica) } : first;
        }),
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
    data: Dataset | readonly Dataset[],
    spec: RaceSpec,
    saved: SavedRaceState,
    listener: RaceListener,
    options: RaceOptions = {},
  ): Race {
    const seeds = raceSeeds(spec.data);
    for (const r of saved.runs) {
      const got = [spec.data.seed, ...(r.replicas ?? []).map((x) => x.seed)];
      if (got.join() !== seeds.join()) {
        throw new RaceError(`the saved race ran on seeds ${got.join(', ')}; this setup runs on ${seeds.join(', ')}`);
      }
    }
    const runs = saved.runs.map((r) => r.checkpoint.spec);
    const race = Race.build(backend, data, { ...spec, runs }, listener, options);
    try {
      saved.runs.forEach((old, i) => {
        const replicas = race.#racers.slice(i * seeds.length, (i + 1) * seeds.length);
        restoreRacer(replicas[0]!, old.spec, old);
        replicas.slice(1).forEach((r, k) => restoreRacer(r, old.spec, old.replicas![k]!));
      });
    } catch (e) {
      race.dispose();
      throw e;
    }
    race.#replay = [...saved.changes];
    return race;
  }

  /** Ids of the runs still stepping (on at least one seed). */
  get live(): string[] {
    return [...new Set(this.#racers.filter((r) => r.diverged === null).map((r) => r.spec.id))];
  }

  /** The race's seeds, its own first. */
  get seeds(): readonly number[] {
    return this.#seeds;
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
   * catchUp()) before it joins the lock-step. Returns the step the new run starts at: the fork, or 0.
   */
  async addRun(run: RunSpec, from: string | null): Promise<number> {
    if (this.#racers.some((r) => r.spec.id === run.id)) throw new RaceError(`the race already has a run '${run.id}'`);
    const sources = from === null ? null : this.#replicasOf(from);
    if (sources && sources[0]!.spec.optimizer.kind !== run.optimizer.kind) {
      throw new RaceError(`a branch of '${sources[0]!.spec.name}' must use ${sources[0]!.spec.optimizer.kind}`);
    }
    const replicas = newReplicas(this.#backend, this.#devices, this.#seeds, this.#spec, run);
    try {
      // Each seed's replica branches from the same seed's replica of the source.
      for (const [k, racer] of replicas.entries()) if (sources) await branchFrom(racer, sources[k]!, run);
    } catch (e) {
      for (const r of replicas) r.trainer.dispose();
      throw e;
    }
    this.#racers.push(...replicas);
    this.#viewsDue = true;
    return replicas[0]!.trainer.stepCount;
  }

  /** Steps every live run that is behind the others up to them (a paused race's newly added runs), in slices. */
  async catchUp(onProgress: (runId: string, step: number, target: number) => void): Promise<void> {
    const target = this.currentStep;
    for (const id of new Set(this.#racers.map((r) => r.spec.id))) {
      const behind = () => this.#replicasOf(id).filter((r) => r.diverged === null && r.trainer.stepCount < target);
      // A run's replicas move together, so its progress is the step all of them have reached.
      for (let rs = behind(); rs.length > 0; rs = behind()) {
        for (const r of rs) {
          r.trainer.step(Math.min(CATCH_UP_SLICE, target - r.trainer.stepCount));
          await r.trainer.settle();
        }
        const left = behind();
        onProgress(id, left.length > 0 ? Math.min(...left.map((r) => r.trainer.stepCount)) : target, target);
      }
    }
  }

  /** Removes a run (every replica) and frees it (no effect on the others). */
  remove(runId: string): void {
    this.#replicasOf(runId);
    for (let i = this.#racers.length - 1; i >= 0; i--) {
      if (this.#racers[i]!.spec.id !== runId) continue;
      const [r] = this.#racers.splice(i, 1);
      r!.trainer.dispose();
    }
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

  /** Evaluates one run (every replica) on its own (a run just added), outside the race's evaluation cadence. */
  async evaluateRun(runId: string): Promise<RacePoint[]> {
    const out: RacePoint[] = [];
    for (const r of this.#replicasOf(runId)) out.push(await this.#evaluateRacer(r));
    return out;
  }

  async #evaluateRacer(r: Racer): Promise<RacePoint> {
    const raw = await r.trainer.evaluate();
    const e = { ...raw, seconds: r.secondsBase + raw.seconds };
    const auxLoss = await r.trainer.readAuxLoss();
    const steps = e.step - r.lastStep;
    const msPerStep = steps > 0 ? (1000 * (e.seconds - r.lastSeconds)) / steps : Number.NaN;
    r.lastSeconds = e.seconds;
    r.lastStep = e.step;
    const several = this.#seeds.length > 1;
    if (r.watch.observe(e.step, e.trainLoss) !== null) {
      r.diverged = e.step;
      if (several) this.#listener.diverged(r.spec.id, e.step, r.seed);
      if (this.#replicasOf(r.spec.id).every((x) => x.diverged !== null)) this.#listener.diverged(r.spec.id, e.step);
    }
    return { runId: r.spec.id, point: { ...e, auxLoss, msPerStep }, ...(several ? { seed: r.seed } : {}) };
  }

  /** Marks views as due at the next evaluation (e.g. on pause). */
  viewsDue(): void {
    this.#viewsDue = true;
  }

  /** Computes and reports the task frame of every live run and the Inside-FishLeg frame. */
  async sendViews(): Promise<void> {
    this.#viewsDue = false;
    // One seed's views stand for the run: the others' would cost readbacks that nothing shows.
    const primaries = this.#racers.filter((r) => r.primary);
    for (const r of primaries) {
      if (r.diverged !== null && r.diverged < r.trainer.stepCount) continue;
      const frame = await taskFrame(r.trainer, this.task, this.#network);
      if (frame) this.#listener.taskFrame(r.spec.id, frame);
    }
    const target = primaries.find((r) => r.spec.id === this.#inspect.runId);
    if (target && target.diverged === null) {
      const frame = await insideFrame(target.trainer, target.spec.id, this.#inspect.layer);
      if (frame) {
        const others = primaries
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
    for (const d of new Set(this.#devices)) d.dispose();
  }

  get backend(): Backend {
    return this.#backend;
  }

  /** Applies one change to its run's every replica (gone if removed since) and journals it. */
  async #apply(change: LiveChange): Promise<void> {
    const replicas = this.#racers.filter((x) => x.spec.id === change.runId);
    const first = replicas[0];
    if (!first) return;
    const { optimizer } = change;
    const current = first.trainer.optimizerConfig;
    const to = switchedValue(current, optimizer);
    if (to !== null) {
      for (const r of replicas) await r.trainer.switchApprox(to);
      if (!change.announced) this.#listener.switched(change.runId, first.trainer.stepCount, to as FishLegApprox);
      this.#viewsDue = true;
    }
    for (const r of replicas) {
      r.trainer.updateOptimizer(optimizer);
      r.spec = { ...r.spec, optimizer };
    }
    if (!change.announced) this.#listener.changed?.(change.runId, first.trainer.stepCount, current, optimizer);
    this.#journal.push({ runId: change.runId, optimizer, announced: true, step: this.currentStep });
  }

  /** A run's first replica (the one its views show). */
  #racer(runId: string): Racer {
    return this.#replicasOf(runId)[0]!;
  }

  /** Every replica of a run, in seed order. */
  #replicasOf(runId: string): Racer[] {
    const rs = this.#racers.filter((x) => x.spec.id === runId);
    if (rs.length === 0) throw new RaceError(`no run '${runId}' in this race`);
    return rs;
  }
}

/** A run added mid-race takes up to this many extra steps per step of the others until it has caught up. */
const CATCH_UP_RATE = 4;
/** Steps per slice when a paused race's new run catches up (between slices the worker answers commands). */
const CATCH_UP_SLICE = 200;

function resolveLikelihood(spec: RaceSpec, data: Dataset) {
  return spec.model.likelihood === 'auto' ? likelihoodFor(data.kind) : spec.model.likelihood;
}

/** Carries a saved replica's state over to its rebuilt counterpart (built from the saved checkpoint's spec). */
function restoreRacer(r: Racer, shown: RunSpec, old: SavedReplica | SavedRacer): void {
  r.diverged = old.diverged;
  // Afresh from the step-0 loss: evaluations after the checkpoint are retraced and judged again.
  r.watch = new DivergenceWatch(old.initialLoss);
  r.checkpoint = old.checkpoint;
  if (old.checkpoint.state) r.trainer.restore(old.checkpoint.state);
  r.secondsBase = old.checkpoint.seconds;
  r.lastSeconds = old.checkpoint.seconds;
  r.lastStep = r.trainer.stepCount;
  // A diverged run no longer steps or checkpoints: its settings stay those the UI shows.
  if (old.diverged !== null) r.spec = shown;
}

/** Starts `racer` where `src` (the same seed's replica of another run) stands, with `run`'s settings. */
async function branchFrom(racer: Racer, src: Racer, run: RunSpec): Promise<void> {
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

/** A run's trainers, one per seed, each seeded and fed as a one-seed race on that seed would be. */
function newReplicas(
  backend: Backend,
  devices: readonly DeviceDataset[],
  seeds: readonly number[],
  spec: RaceSpec,
  run: RunSpec,
): Racer[] {
  const out: Racer[] = [];
  try {
    seeds.forEach((seed, k) => out.push(newRacer(backend, devices[k]!, spec, run, seed, k === 0)));
  } catch (e) {
    for (const r of out) r.trainer.dispose();
    throw e;
  }
  return out;
}

function newRacer(
  backend: Backend,
  device: DeviceDataset,
  spec: RaceSpec,
  run: RunSpec,
  seed: number,
  primary: boolean,
): Racer {
  const data = device.data;
  const trainer = Trainer.create(backend, device, {
    arch: archString(spec.model.hidden, data),
    likelihood: resolveLikelihood(spec, data),
    optimizer: run.optimizer,
    batch: spec.model.batch,
    seed,
  });
  return {
    spec: run,
    seed,
    primary,
    trainer,
    diverged: null,
    lastSeconds: 0,
    lastStep: 0,
    secondsBase: 0,
    watch: new DivergenceWatch(),
    checkpoint: { spec: run, state: null, seconds: 0 },
  };
}
