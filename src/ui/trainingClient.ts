/**
 * The UI side of the worker protocol: a small external store (subscribe / getSnapshot, for React's
 * useSyncExternalStore) that sends commands and folds worker events into an immutable snapshot. Events of a
 * run that has since been reset are dropped by runId; long curves are thinned to keep the chart fast.
 */
import type { BackendInfo, Command, MetricPoint, RunConfig, WorkerEvent } from '../worker/protocol.ts';
import type { PlaygroundConfig } from './config.ts';

/** The client's view of a worker; `workerPort` adapts a real Worker, tests pass a fake. */
export interface WorkerPort {
  post(cmd: Command): void;
  /** Registers the handlers; called once by the client. */
  listen(onEvent: (e: WorkerEvent) => void, onCrash: (message: string) => void): void;
  terminate(): void;
}

export interface PlaygroundState {
  readonly config: PlaygroundConfig;
  /** Null until the worker has picked its backend. */
  readonly backend: BackendInfo | null;
  readonly runId: number;
  /** True once the worker has built the current run. */
  readonly runReady: boolean;
  /** Whether the user wants the run to train (the worker follows). */
  readonly running: boolean;
  readonly step: number;
  readonly stepsPerSecond: number;
  readonly points: readonly MetricPoint[];
  /** Steps between kept points (see appendThinned). */
  readonly stride: number;
  readonly error: { readonly name: string; readonly message: string } | null;
}

/** Most points kept for the chart; beyond this, the curve is thinned. */
export const MAX_POINTS = 400;

/**
 * Appends evaluations, keeping only points whose step is a multiple of `stride` (plus the newest, which
 * may be a pause's off-grid point); while over `max` the stride doubles. The kept points stay evenly
 * spaced in steps however long the run, and always include step 0 and the latest.
 */
export function appendThinned(
  points: readonly MetricPoint[],
  added: readonly MetricPoint[],
  stride: number,
  max = MAX_POINTS,
): { points: MetricPoint[]; stride: number } {
  const all = [...points, ...added];
  const keep = (s: number) => all.filter((p, i) => p.step % s === 0 || i === all.length - 1);
  let out = keep(stride);
  while (out.length > max) {
    stride *= 2;
    out = keep(stride);
  }
  return { points: out, stride };
}

/** Adapts a Worker to the WorkerPort interface. */
export function workerPort(worker: Worker): WorkerPort {
  return {
    post: (cmd) => worker.postMessage(cmd),
    listen: (onEvent, onCrash) => {
      worker.addEventListener('message', (e: MessageEvent<WorkerEvent>) => onEvent(e.data));
      worker.addEventListener('error', (e: ErrorEvent) => onCrash(e.message || 'the training worker failed to load'));
    },
    terminate: () => worker.terminate(),
  };
}

/** Runs a callback soon; the browser default waits for the next animation frame. */
export type Scheduler = (callback: () => void) => void;

const nextFrame: Scheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else callback();
};

export class TrainingClient {
  readonly #port: WorkerPort;
  readonly #listeners = new Set<() => void>();
  readonly #schedule: Scheduler;
  #state: PlaygroundState;
  #nextRequest = 1;
  #notifyPending = false;

  /** `schedule` batches notifications: several worker events in one frame cause one React render. */
  constructor(port: WorkerPort, config: PlaygroundConfig, schedule: Scheduler = nextFrame) {
    this.#port = port;
    this.#schedule = schedule;
    this.#state = {
      config,
      backend: null,
      runId: 1,
      runReady: false,
      running: false,
      step: 0,
      stepsPerSecond: 0,
      points: [],
      stride: 1,
      error: null,
    };
    port.listen(
      (e) => this.#receive(e),
      (message) => this.#set({ error: { name: 'WorkerError', message }, running: false }),
    );
    port.post({ type: 'init', requestId: this.#nextRequest++, backend: config.backend });
    port.post({ type: 'reset', requestId: this.#nextRequest++, runId: 1, config: config.run });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): PlaygroundState => this.#state;

  play(): void {
    if (this.#state.running) return;
    this.#set({ running: true });
    this.#port.post({ type: 'play', runId: this.#state.runId });
  }

  pause(): void {
    if (!this.#state.running) return;
    this.#set({ running: false });
    this.#port.post({ type: 'pause', runId: this.#state.runId });
  }

  toggle(): void {
    if (this.#state.running) this.pause();
    else this.play();
  }

  /** Starts a new run from step 0 (with new settings if given); keeps playing if it was. */
  reset(run: RunConfig = this.#state.config.run): void {
    const wasRunning = this.#state.running;
    const runId = this.#state.runId + 1;
    this.#set({
      config: { ...this.#state.config, run },
      runId,
      runReady: false,
      running: false,
      step: 0,
      stepsPerSecond: 0,
      points: [],
      stride: 1,
      error: null,
    });
    this.#port.post({ type: 'reset', requestId: this.#nextRequest++, runId, config: run });
    if (wasRunning) this.play();
  }

  dispose(): void {
    this.#port.terminate();
    this.#listeners.clear();
  }

  #receive(e: WorkerEvent): void {
    const s = this.#state;
    switch (e.type) {
      case 'ready':
        this.#set({ backend: e.backend });
        return;
      case 'runReady':
        if (e.runId === s.runId) this.#set({ runReady: true });
        return;
      case 'metrics': {
        if (e.runId !== s.runId || e.points.length === 0) return;
        const { points, stride } = appendThinned(s.points, e.points, s.stride);
        this.#set({ points, stride, step: Math.max(s.step, e.points.at(-1)?.step ?? 0) });
        return;
      }
      case 'progress':
        if (e.runId === s.runId) this.#set({ step: Math.max(s.step, e.step), stepsPerSecond: e.stepsPerSecond });
        return;
      case 'error':
        // Errors of an older run no longer matter; errors without a run (init) always do.
        if (e.runId === undefined || e.runId === s.runId) {
          this.#set({ error: { name: e.name, message: e.message }, running: false });
        }
        return;
      default:
        e satisfies never;
    }
  }

  #set(patch: Partial<PlaygroundState>): void {
    this.#state = { ...this.#state, ...patch };
    if (this.#notifyPending) return;
    this.#notifyPending = true;
    this.#schedule(() => {
      this.#notifyPending = false;
      for (const l of this.#listeners) l();
    });
  }
}
