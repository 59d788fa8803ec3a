/**
 * The worker's state machine: owns the backend (and with it the GPU device), builds one training run at a
 * time, and turns protocol commands into loop calls and loop callbacks into protocol events. Kept apart from
 * the worker entry point so that Node tests can drive it with the CPU backend and a plain callback.
 */
import { createBackend, getTask, likelihoodFor, Trainer, type Backend } from '../engine/index.ts';
import { TrainingLoop, type LoopOptions } from './loop.ts';
import type { BackendChoice, BackendInfo, Command, MetricPoint, RunConfig, WorkerEvent } from './protocol.ts';

/** Thrown for a command that arrives in a state where it cannot run (e.g. 'reset' before 'init'). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export interface SessionOptions {
  /** The WebGPU entry point; defaults to navigator.gpu. */
  readonly gpu?: GPU;
  /** Overrides for the loop's timing (tests). */
  readonly loop?: Omit<LoopOptions, 'evalEvery'>;
}

/** Evaluations are sent at most this often, batched: a fast CPU run evaluates hundreds of times a second. */
const METRICS_FLUSH_MS = 100;

interface Run {
  readonly runId: number;
  readonly trainer: Trainer;
  readonly loop: TrainingLoop;
}

/** Handles commands strictly in arrival order; events go out through `post`. */
export class WorkerSession {
  readonly #post: (e: WorkerEvent) => void;
  readonly #options: SessionOptions;
  #backend: Backend | null = null;
  #run: Run | null = null;
  #queue: Promise<void> = Promise.resolve();
  #pending: { runId: number; points: MetricPoint[] } | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

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
          ...('runId' in cmd ? { runId: cmd.runId } : {}),
        };
        this.#flush();
        this.#post({ type: 'error', ...ids, ...describeError(err) });
      });
    return this.#queue;
  }

  /** Stops the run and frees every buffer and the device. */
  async dispose(): Promise<void> {
    await this.#queue;
    await this.#disposeRun();
    this.#backend?.dispose();
    this.#backend = null;
  }

  async #dispatch(cmd: Command): Promise<void> {
    switch (cmd.type) {
      case 'init':
        return this.#init(cmd.requestId, cmd.backend);
      case 'reset':
        return this.#reset(cmd.requestId, cmd.runId, cmd.config);
      case 'play':
        if (this.#run?.runId === cmd.runId) this.#run.loop.play();
        return;
      case 'pause':
        if (this.#run?.runId === cmd.runId) await this.#run.loop.pause();
        this.#flush();
        return;
      default:
        return cmd satisfies never;
    }
  }

  async #init(requestId: number, choice: BackendChoice): Promise<void> {
    if (this.#backend) throw new ProtocolError('init was sent twice; the backend is chosen once per worker');
    let fallbackReason: string | undefined;
    this.#backend = await createBackend({
      backend: choice,
      ...(this.#options.gpu ? { gpu: this.#options.gpu } : {}),
      onFallback: (reason) => (fallbackReason = reason),
    });
    const info: BackendInfo = {
      name: this.#backend.name,
      description: this.#backend.description,
      ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    };
    this.#post({ type: 'ready', requestId, backend: info });
  }

  async #reset(requestId: number, runId: number, config: RunConfig): Promise<void> {
    const backend = this.#backend;
    if (!backend) throw new ProtocolError('reset arrived before init: send init first');
    await this.#disposeRun();
    const data = await getTask(config.task).load({ n: config.n, noise: config.noise, seed: config.seed });
    const trainer = Trainer.create(backend, data, {
      arch: `${data.inputDim}-${config.hidden}-${data.outputDim}`,
      likelihood: likelihoodFor(data.kind),
      optimizer: config.optimizer,
      batch: config.batch,
      seed: config.seed,
    });
    const loop = new TrainingLoop(
      trainer,
      { ...this.#options.loop, evalEvery: config.evalEvery },
      {
        metrics: (point) => this.#queueMetrics(runId, point),
        progress: (step, running, stepsPerSecond) =>
          this.#post({ type: 'progress', runId, step, running, stepsPerSecond }),
        error: (err) => {
          this.#flush();
          this.#post({ type: 'error', runId, ...describeError(err) });
        },
      },
    );
    this.#run = { runId, trainer, loop };
    this.#post({ type: 'runReady', requestId, runId });
    // The step-0 point anchors the chart and gives the loss everything is compared to.
    await loop.evaluate();
    this.#flush();
  }

  #queueMetrics(runId: number, point: MetricPoint): void {
    if (this.#pending && this.#pending.runId !== runId) this.#flush();
    if (this.#pending) this.#pending.points.push(point);
    else this.#pending = { runId, points: [point] };
    this.#flushTimer ??= setTimeout(() => this.#flush(), METRICS_FLUSH_MS);
  }

  /** Sends the batched evaluations now. */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const pending = this.#pending;
    this.#pending = null;
    if (pending) this.#post({ type: 'metrics', runId: pending.runId, points: pending.points });
  }

  async #disposeRun(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#run = null;
    await run.loop.stop();
    this.#flush();
    run.trainer.dispose();
  }
}

function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
