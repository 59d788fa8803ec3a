/**
 * The worker's state machine: owns the backend (and with it the GPU device), builds one race at a time
 * (see race.ts), and turns protocol commands into race/loop calls and their callbacks into batched protocol
 * events. On a GPU device loss it recreates the device and rebuilds the race from its last checkpoint.
 * Before a race is built (and before a live change re-allocates a run) its memory is estimated
 * (engine/memory.ts) and checked against a budget and the backend's per-buffer limit: a setup that cannot
 * fit is refused with an error event while the previous race stays as it was (paused).
 * Kept apart from the worker entry point so that Node tests drive it with the CPU backend.
 */
import {
  createBackend,
  type Backend,
  type CreateBackendOptions,
  type FallbackKind,
  type Dataset,
  parseArch,
  archOfHidden,
  TOY_DEFAULTS,
  TOY_TASKS,
  type ToyTask,
  bufferLimit,
  checkMemory,
  dataShape,
  estimateMemory,
  type DataShape,
  type FishLegApprox,
  type OptimizerConfig,
} from '../engine/index.ts';
import { TrainingLoop, type LoopOptions } from './loop.ts';
import { Race, type RaceListener, type RaceOptions, type RacePoint } from './race.ts';
import { loadDataSpec } from './load-data.ts';
import { loadSeedData, MAX_SEEDS, raceSeeds } from './seeds.ts';
import { resumeRace } from './resume.ts';
import { TuneJob } from './tune-job.ts';
import { DEFAULT_FACTORS } from './tune.ts';
import type {
  BackendChoice,
  BackendInfo,
  Command,
  DataSpec,
  InsideFrame,
  TuneCommand,
  RaceSpec,
  SavedRaceState,
  TaskFrame,
  WorkerEvent,
} from './protocol.ts';

/** Thrown for a command that arrives in a state where it cannot run (e.g. 'setup' before 'init'). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export interface SessionOptions {
  /** The WebGPU entry point; defaults to navigator.gpu. */
  readonly gpu?: GPU;
  /**
   * Makes a backend (default: the engine's createBackend). Tests use it to hand out backends whose `lost`
   * promise and `device.destroy()` they control, so the device-loss recovery runs in Node on the CPU.
   */
  readonly createBackend?: (options: CreateBackendOptions) => Promise<Backend>;
  /** Overrides for the loop's timing (tests). */
  readonly loop?: Omit<LoopOptions, 'evalEvery'>;
  readonly race?: RaceOptions;
  /** MNIST bytes with progress; default: fetch mnist.bin from the app. */
  readonly mnistBytes?: (progress: (loaded: number, total: number | null) => void) => Promise<ArrayBuffer>;
  /** Bytes a race may allocate (default PAGE_MEMORY_BUDGET). */
  readonly memoryBudget?: number;
}

/**
 * What one race may allocate, on either backend: a browser tab's worker (its typed arrays on the CPU, or
 * the GPU's memory it shares with the page and the rest of the desktop) should not need more.
 */
export const PAGE_MEMORY_BUDGET = 1e9;
const BUDGET_HINT = 'use a smaller batch, auxiliary batch, model or data set, or fewer runs';

/** How long an error on a GPU backend waits to see whether the device is being lost (then it is not reported). */
const LOSS_GRACE_MS = 1000;

/** How often kernel-compilation progress is reported while a race's kernels build. */
const COMPILE_REPORT_MS = 250;

/** Evaluations are sent at most this often, batched: a fast CPU race evaluates hundreds of times a second. */
const METRICS_FLUSH_MS = 100;

interface Current {
  readonly raceId: number;
  race: Race;
  loop: TrainingLoop<RacePoint[]>;
  readonly evalEvery: number;
  playing: boolean;
  /** The race's settings as live changes and removals left them, and its data's shape (memory checks). */
  spec: RaceSpec;
  readonly shape: DataShape;
}

/** Fetches a URL's bytes, reporting progress as the body streams in. */
export async function fetchWithProgress(
  url: string,
  progress: (loaded: number, total: number | null) => void,
): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching ${url} gave HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || null;
  if (!res.body) return res.arrayBuffer();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.buffer;
}

const defaultMnistBytes = (progress: (loaded: number, total: number | null) => void): Promise<ArrayBuffer> => {
  const base = (import.meta.env?.BASE_URL as string | undefined) ?? '/';
  return fetchWithProgress(`${base}mnist.bin`, progress);
};

/** Handles commands strictly in arrival order; events go out through `post`. */
export class WorkerSession {
  readonly #post: (e: WorkerEvent) => void;
  readonly #options: SessionOptions;
  #backend: Backend | null = null;
  #choice: BackendChoice = 'auto';
  #current: Current | null = null;
  #queue: Promise<void> = Promise.resolve();
  #pending: RacePoint[] = [];
  #pendingRace = 0;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #mnist: Promise<ArrayBuffer> | null = null;
  #recovering = false;
  /** The backend whose device was lost (errors from its last operations are expected, not reported). */
  #lost: Backend | null = null;
  /** The learning-rate search running beside the race, if any (training is paused meanwhile). */
  #tune: TuneJob | null = null;

  constructor(post: (e: WorkerEvent) => void, options: SessionOptions = {}) {
    this.#post = post;
    this.#options = options;
  }

  /** Queues a command; resolves once it (and everything before it) has been handled. Never rejects. */
  handle(cmd: Command): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#dispatch(cmd))
      .catch((err: unknown) => {
        const ids = {
          ...('requestId' in cmd ? { requestId: cmd.requestId } : {}),
          ...('raceId' in cmd ? { raceId: cmd.raceId } : {}),
          ...('runId' in cmd ? { runId: cmd.runId } : {}),
        };
        this.#flush();
        this.#post({ type: 'error', ...ids, ...describeError(err) });
      });
    return this.#queue;
  }

  /** Stops the race and frees every buffer and the device. */
  async dispose(): Promise<void> {
    await this.#queue;
    await this.#stopTune();
    await this.#disposeRace();
    this.#backend?.dispose();
    this.#backend = null;
  }

  async #dispatch(cmd: Command): Promise<void> {
    if (cmd.type === 'init') return this.#init(cmd.requestId, cmd.backend);
    if (cmd.type === 'setup') {
      // The page has moved on: a search on the old race is of no use any more.
      await this.#stopTune();
      return this.#setup(cmd.requestId, cmd.raceId, cmd.spec, cmd.resume);
    }
    const cur = this.#current;
    if (!cur || cur.raceId !== cmd.raceId) return; // a command for a race that has since been replaced
    // Training waits while a search runs on the same device.
    if (this.#tune && (cmd.type === 'play' || cmd.type === 'step')) return;
    switch (cmd.type) {
      case 'tune':
      case 'cancelTune':
        return this.#tuneCommand(cur, cmd);
      case 'play':
        cur.playing = true;
        if (cur.race.live.length > 0) cur.loop.play();
        return;
      case 'pause':
        cur.playing = false;
        cur.race.viewsDue();
        await cur.loop.pause();
        this.#flush();
        return;
      case 'step':
        if (cur.loop.running) return;
        cur.race.viewsDue();
        await cur.loop.stepOnce(Math.max(1, Math.floor(cmd.steps)));
        this.#flush();
        return;
      case 'speed':
        cur.loop.setSpeed(cmd.speed);
        return;
      case 'stopAt':
        cur.loop.setStopAt(cmd.step);
        return;
      case 'update': {
        // A new auxiliary batch re-allocates FishLeg's Fisher workspace: check it fits first.
        const runs = cur.spec.runs.map((r) => (r.id === cmd.runId ? { ...r, optimizer: cmd.optimizer } : r));
        this.#checkMemory({ ...cur.spec, runs }, cur.shape);
        cur.race.update(cmd.runId, cmd.optimizer);
        cur.spec = { ...cur.spec, runs };
        // While paused, apply at once so the view reflects it; while playing, the next slice applies it.
        if (!cur.loop.running) await cur.loop.exec(() => cur.race.applyPending());
        return;
      }
      case 'remove':
        cur.spec = { ...cur.spec, runs: cur.spec.runs.filter((r) => r.id !== cmd.runId) };
        await cur.loop.exec(() => {
          cur.race.remove(cmd.runId);
          return Promise.resolve();
        });
        return;
      case 'addRun': {
        const spec = { ...cur.spec, runs: [...cur.spec.runs, cmd.run] };
        this.#checkMemory(spec, cur.shape);
        await cur.loop.exec(async () => {
          const step = await cur.race.addRun(cmd.run, cmd.from);
          // The page's own step lags a playing race: the fork is where the worker made it (the export replays it).
          if (cmd.from !== null) {
            this.#post({ type: 'branched', raceId: cur.raceId, runId: cmd.run.id, from: cmd.from, step });
          }
          // Paused: catch up now, so that the new run stands where the others do when play resumes.
          if (!cur.loop.running) {
            await cur.race.catchUp((runId, step, target) =>
              this.#post({ type: 'catchUp', raceId: cur.raceId, runId, step, target }),
            );
          }
          this.#queueMetrics(cur.raceId, await cur.race.evaluateRun(cmd.run.id));
        });
        this.#flush();
        cur.spec = spec;
        return;
      }
      case 'inspect':
        cur.race.inspect(cmd.inspect);
        if (!cur.loop.running) await cur.loop.exec(() => cur.race.sendViews());
        return;
      case 'network':
        cur.spec = { ...cur.spec, network: cmd.on };
        cur.race.network(cmd.on);
        if (cmd.on && !cur.loop.running) await cur.loop.exec(() => cur.race.sendViews());
        return;
      case 'loseDevice': {
        const b: object | null = this.#backend;
        const device = b && 'device' in b ? (b.device as Pick<GPUDevice, 'destroy'>) : null;
        if (!device) throw new ProtocolError('loseDevice needs the WebGPU backend');
        device.destroy();
        return;
      }
      case 'snapshot':
        await cur.loop.exec(async () => {
          // Paused, the race stands right after an evaluation: a fresh checkpoint keeps it where it stopped.
          if (!cur.loop.running) await cur.race.checkpoint();
          // The page saves its curves with the state: every point up to here goes out first.
          this.#flush();
          this.#post({ type: 'snapshot', raceId: cur.raceId, state: cur.race.saved() });
        });
        return;
      default:
        return cmd satisfies never;
    }
  }

  async #tuneCommand(cur: Current, cmd: TuneCommand): Promise<void> {
    const ids = { raceId: cmd.raceId, tuneId: cmd.tuneId };
    if (cmd.type === 'cancelTune') {
      if (this.#tune?.tuneId === cmd.tuneId) this.#tune.cancel();
      return;
    }
    const backend = this.#backend;
    const fail = (message: string) => this.#post({ type: 'tuneFailed', ...ids, message });
    if (!backend) return fail('the worker has no backend yet');
    if (this.#tune) return fail('a tuning is already running: cancel it first');
    const unknown = (cmd.runIds ?? []).find((id) => !cur.spec.runs.some((r) => r.id === id));
    if (unknown !== undefined) return fail(`the race has no run '${unknown}'`);
    const runs = cmd.runIds === null ? cur.spec.runs : cur.spec.runs.filter((r) => cmd.runIds!.includes(r.id));
    if (runs.length === 0) return fail('there is no run to tune');
    const spec: RaceSpec = { ...cur.spec, runs, network: false };
    // Every grid point is a model of its own on the device, beside the paused race's.
    try {
      // The search trains one seed at a time, beside every replica of the paused race.
      const race = raceSeeds(cur.spec.data).flatMap(() => cur.spec.runs);
      const variants = runs.flatMap((r) => DEFAULT_FACTORS.map(() => r));
      const one = { ...spec, data: { ...spec.data, seeds: 1 } };
      this.#checkMemory({ ...one, runs: [...race, ...variants] }, cur.shape);
    } catch (e) {
      return fail(`the search does not fit: ${describeError(e).message}`);
    }
    if (cur.playing) {
      cur.playing = false;
      await cur.loop.pause();
      this.#flush();
    }
    const job = new TuneJob(
      backend,
      (seed) => this.#loadOne(cmd.raceId, { ...cur.spec.data, seed, seeds: 1 }),
      { ...ids, spec, steps: cmd.steps, seeds: cmd.seeds, objective: cmd.objective },
      (e) => this.#post(e),
    );
    this.#tune = job;
    void job.finished.then(() => {
      if (this.#tune === job) this.#tune = null;
    });
  }

  /** Cancels the running search, if any, and waits until it has stopped. */
  async #stopTune(): Promise<void> {
    const job = this.#tune;
    if (!job) return;
    job.cancel();
    await job.finished;
    if (this.#tune === job) this.#tune = null;
  }

  async #init(requestId: number, choice: BackendChoice): Promise<void> {
    if (this.#backend) throw new ProtocolError('init was sent twice; the backend is chosen once per worker');
    let fallback: { reason: string; kind: FallbackKind } | undefined;
    this.#choice = choice;
    this.#backend = await this.#createBackend(choice, (reason, kind) => (fallback = { reason, kind }));
    const info: BackendInfo = {
      name: this.#backend.name,
      description: this.#backend.description,
      ...(fallback !== undefined ? { fallbackReason: fallback.reason, fallbackKind: fallback.kind } : {}),
    };
    this.#post({ type: 'ready', requestId, backend: info });
  }

  async #createBackend(
    choice: BackendChoice,
    onFallback?: (reason: string, kind: FallbackKind) => void,
  ): Promise<Backend> {
    const backend = await (this.#options.createBackend ?? createBackend)({
      backend: choice,
      ...(this.#options.gpu ? { gpu: this.#options.gpu } : {}),
      ...(onFallback ? { onFallback } : {}),
    });
    const lost = (backend as Backend & { lost?: Promise<GPUDeviceLostInfo> }).lost;
    if (lost) void lost.then((info) => this.#onDeviceLost(backend, info.message || info.reason || 'device lost'));
    return backend;
  }

  async #setup(requestId: number, raceId: number, spec: RaceSpec, resume?: SavedRaceState): Promise<void> {
    const backend = this.#backend;
    if (!backend) throw new ProtocolError('setup arrived before init: send init first');
    if (spec.runs.length === 0) throw new ProtocolError('a race needs at least one run');
    const seeds = spec.data.seeds ?? 1;
    if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS) {
      throw new ProtocolError(`a race runs on 1 to ${MAX_SEEDS} seeds, not ${seeds}`);
    }
    // The page has moved on to the new race: the old one stops stepping, but is only freed once the new
    // one is known to fit, so that a refused setup leaves it whole.
    const old = this.#current;
    if (old?.playing) {
      old.playing = false;
      await old.loop.pause();
      this.#flush();
    }
    // Toys are generated from the spec: refuse what cannot fit before generating anything.
    const planned = plannedShape(spec.data);
    if (planned) this.#checkMemory(spec, planned);
    const data = await this.#loadData(raceId, spec.data);
    const shape = dataShape(data[0]!);
    this.#checkMemory(spec, shape);
    await this.#disposeRace();
    const listener = this.#raceListener(raceId);
    let resumed: { race: Race; step: number } | null = null;
    let resumeError: string | undefined;
    if (resume) {
      try {
        resumed = resumeRace(backend, data, spec, resume, listener, this.#options.race);
      } catch (e) {
        resumeError = describeError(e).message;
      }
    }
    const race = resumed?.race ?? Race.build(backend, data, spec, listener, this.#options.race);
    const loop = this.#newLoop(raceId, race, spec.model.evalEvery);
    this.#current = { raceId, race, loop, evalEvery: spec.model.evalEvery, playing: false, spec, shape };
    const outcome = resumed ? { restoredStep: resumed.step } : resumeError !== undefined ? { resumeError } : {};
    this.#post({ type: 'raceReady', requestId, raceId, data: race.info, task: race.task, ...outcome });
    this.#reportCompiling(raceId);
    if (resumed) {
      // Its curves come from the page's save: only the views are computed afresh.
      loop.restoreStep(resumed.step);
      await loop.exec(async () => {
        await race.applyPending();
        await race.sendViews();
      });
      return;
    }
    // The step-0 point anchors the chart and gives the loss everything is compared to.
    await loop.evaluate();
    this.#flush();
  }

  #newLoop(raceId: number, race: Race, evalEvery: number): TrainingLoop<RacePoint[]> {
    return new TrainingLoop<RacePoint[]>(
      race,
      { ...this.#options.loop, evalEvery },
      {
        metrics: (points) => {
          this.#queueMetrics(raceId, points);
          const cur = this.#current;
          // Every run diverged: nothing left to step.
          if (cur?.raceId === raceId && race.live.length === 0 && cur.loop.running) void cur.loop.pause();
        },
        progress: (step, running, stepsPerSecond) =>
          this.#post({ type: 'progress', raceId, step, running, stepsPerSecond }),
        budgetReached: (step) => {
          const cur = this.#current;
          if (cur?.raceId === raceId) cur.playing = false;
          this.#flush();
          this.#post({ type: 'budgetReached', raceId, step });
        },
        error: (err) => void this.#reportLoopError(raceId, race.backend, err),
      },
    );
  }

  #raceListener(raceId: number): RaceListener {
    return {
      diverged: (runId: string, step: number, seed?: number) => {
        this.#flush();
        this.#post({ type: 'diverged', raceId, runId, step, ...(seed !== undefined ? { seed } : {}) });
      },
      switched: (runId: string, step: number, approx: FishLegApprox) =>
        this.#post({ type: 'switched', raceId, runId, step, approx }),
      changed: (runId, step, from, to) => this.#post({ type: 'changed', raceId, runId, step, from, to }),
      taskFrame: (runId: string, frame: TaskFrame) => this.#post({ type: 'taskFrame', raceId, runId, frame }),
      insideFrame: (frame: InsideFrame) => this.#post({ type: 'insideFrame', raceId, frame }),
    };
  }

  /** The race's data, one dataset per seed (worker/seeds.ts). */
  async #loadData(raceId: number, spec: DataSpec): Promise<Dataset[]> {
    if (spec.task === 'csv' && !spec.csv) throw new ProtocolError('the CSV task needs a file: upload one first');
    return loadSeedData(spec, (one) => this.#loadOne(raceId, one));
  }

  #loadOne(raceId: number, spec: DataSpec): Promise<Dataset> {
    return loadDataSpec(spec, () => {
      // Loaded once per worker: every later race reuses the bytes.
      const source = this.#options.mnistBytes ?? defaultMnistBytes;
      this.#mnist ??= source((loaded, total) => this.#post({ type: 'loading', raceId, loaded, total }));
      const bytes = this.#mnist;
      bytes.catch(() => (this.#mnist = null));
      return bytes;
    });
  }

  /** Throws MemoryBudgetError when the race would not fit the budget or the backend's per-buffer limit. */
  #checkMemory(spec: RaceSpec, data: DataShape): void {
    const backend = this.#backend;
    if (!backend) return;
    const arch = parseArch(archOfHidden(spec.model.hidden, data));
    // Every seed's replica of a run is one more trainer.
    const seeds = raceSeeds(spec.data).length;
    const optimizers: OptimizerConfig[] = spec.runs.flatMap((r) => Array<OptimizerConfig>(seeds).fill(r.optimizer));
    const maxBuffer = bufferLimit(backend);
    // The trainer shrinks its evaluation chunk under the same limit (memory.ts workspaceRows).
    const estimate = estimateMemory({ arch, batch: spec.model.batch, data, optimizers, maxBuffer: maxBuffer.bytes });
    checkMemory(estimate, { budget: this.#options.memoryBudget ?? PAGE_MEMORY_BUDGET, hint: BUDGET_HINT, maxBuffer });
  }

  /**
   * Reports an error of a race's loop, unless the device is being lost: a destroyed device fails its pending
   * readbacks (AbortError from mapAsync) before its `lost` promise resolves, so an error on a GPU backend waits
   * briefly for that promise, and the device-loss handler takes over if it comes.
   */
  async #reportLoopError(raceId: number, backend: Backend, err: unknown): Promise<void> {
    const lost = (backend as Backend & { lost?: Promise<unknown> }).lost;
    if (lost) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gone = await Promise.race([
        lost.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), LOSS_GRACE_MS))),
      ]);
      clearTimeout(timer);
      if (gone) return;
    }
    if (this.#recovering || this.#isLost() || this.#backend !== backend) return;
    this.#flush();
    this.#post({ type: 'error', raceId, ...describeError(err) });
  }

  #isLost(): boolean {
    return this.#lost !== null && this.#lost === this.#backend;
  }

  /** Recreates the device and rebuilds the race from its checkpoints, then resumes if it was playing. */
  #onDeviceLost(lostBackend: Backend, message: string): void {
    if (this.#backend !== lostBackend) return;
    this.#lost = lostBackend;
    this.#recovering = true;
    const cur = this.#current;
    if (cur) this.#post({ type: 'deviceLost', raceId: cur.raceId, message });
    this.#queue = this.#queue.then(async () => {
      try {
        const wasPlaying = cur?.playing ?? false;
        if (cur) await cur.loop.stop();
        this.#backend = await this.#createBackend(this.#choice);
        const now = this.#current;
        if (!now) return;
        const { race, step } = now.race.rebuild(this.#backend);
        now.race.dispose();
        now.race = race;
        now.loop = this.#newLoop(now.raceId, race, now.evalEvery);
        now.loop.restoreStep(step);
        // Evaluations the lost device made after the checkpoint go out first, so the UI's cut at `step` drops them.
        this.#flush();
        this.#post({ type: 'deviceLost', raceId: now.raceId, message, restoredStep: step });
        if (wasPlaying) now.loop.play();
      } catch (e) {
        this.#post({ type: 'error', ...describeError(e) });
      } finally {
        this.#recovering = false;
      }
    });
  }

  #queueMetrics(raceId: number, points: RacePoint[]): void {
    if (this.#pending.length > 0 && this.#pendingRace !== raceId) this.#flush();
    this.#pendingRace = raceId;
    this.#pending.push(...points);
    this.#flushTimer ??= setTimeout(() => this.#flush(), METRICS_FLUSH_MS);
  }

  /** Sends the batched evaluations now. */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    const points = this.#pending;
    this.#pending = [];
    this.#post({ type: 'metrics', raceId: this.#pendingRace, points });
  }

  /**
   * While the backend builds kernels for this race (WebGPU pipelines: seconds on a software adapter), tells
   * the page how far it got, ending with done = total; nothing when there is nothing to build.
   */
  #reportCompiling(raceId: number): void {
    const backend = this.#backend;
    if (!backend?.compileProgress) return;
    let reported = false;
    const tick = () => {
      if (this.#current?.raceId !== raceId || this.#backend !== backend) return;
      const { done, total } = backend.compileProgress!();
      if (done < total || reported) this.#post({ type: 'compiling', raceId, done, total });
      reported = done < total;
      // Keeps watching while the race lives: its first steps and evaluations record programs of their own.
      setTimeout(tick, COMPILE_REPORT_MS);
    };
    tick();
  }

  async #disposeRace(): Promise<void> {
    const cur = this.#current;
    if (!cur) return;
    this.#current = null;
    await cur.loop.stop();
    this.#flush();
    cur.race.dispose();
  }
}

/** The shape of a toy data set, known from its spec before it is generated (null for MNIST and CSV). */
function plannedShape(spec: DataSpec): DataShape | null {
  // A malformed n is left to the toy generator, whose message names it.
  if (!(TOY_TASKS as readonly string[]).includes(spec.task) || !Number.isSafeInteger(spec.n)) return null;
  const d = TOY_DEFAULTS[spec.task as ToyTask];
  const testRows = Math.round(spec.n * (spec.testFraction ?? d.testFraction));
  return { trainRows: spec.n - testRows, testRows, inputDim: spec.features?.length ?? 2, outputDim: d.classes };
}

function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
