/**
 * The UI side of the worker protocol: a small external store (subscribe / getSnapshot, for React's
 * useSyncExternalStore) that owns the playground config, sends commands and folds worker events into an
 * immutable snapshot. Events of a replaced race are dropped by raceId. Settings that cannot change under a
 * running race (data, model, adding runs, optimizer kind) start a new race; hyperparameters change live.
 */
import type { OptimizerConfig, OptimizerKind } from '../engine/page.ts';
import type {
  BackendInfo,
  Command,
  DataInfo,
  FishLegFrame,
  InspectSpec,
  RunSpec,
  TaskFrame,
  TaskStatic,
  WorkerEvent,
} from '../worker/protocol.ts';
import {
  dataFor,
  fitInspect,
  MAX_RUNS,
  modelFor,
  newRun,
  normaliseIds,
  toSearch,
  type ChartSettings,
  type PlaygroundConfig,
} from './config.ts';
import { loadRace, saveRace, type RunHistory } from './history.ts';
import {
  loadState,
  resumeNotice,
  saveNotice,
  saveState,
  setupKey,
  type StateLoadOutcome,
  type StateRecord,
  type StateStore,
} from './saved-state.ts';
import { controlledRun, frozenQControl } from '../worker/frozen-control.ts';
import type { SavedRaceState } from '../worker/protocol.ts';
import { withHistory } from './inside-history.ts';
import { appendThinned } from './downsample.ts';
import { addChange, diffOptimizer } from './marks.ts';

export { appendThinned } from './downsample.ts';

/** The client's view of a worker; `workerPort` adapts a real Worker, tests pass a fake. */
export interface WorkerPort {
  post(cmd: Command): void;
  /** Registers the handlers; called once by the client. */
  listen(onEvent: (e: WorkerEvent) => void, onCrash: (message: string) => void): void;
  terminate(): void;
}

/** A run's history, thinning stride and latest task frame. */
export interface RunState extends RunHistory {
  readonly stride: number;
  readonly frame: TaskFrame | null;
  /** Where a run added mid-race came from: a branch of another run at a step, or a fresh start that catches up. */
  readonly origin?: { readonly from: string | null; readonly step: number };
  /** A run added mid-race that has not yet caught up with the others: its step and theirs. */
  readonly catchingUp?: { readonly step: number; readonly target: number } | null;
}

/** What the Inside-FishLeg view shows, accumulated over the race. */
export interface FishLegState {
  readonly frame: FishLegFrame | null;
  readonly errorHistory: readonly { step: number; relError: number }[];
}

export interface PlaygroundState {
  readonly config: PlaygroundConfig;
  /** The uploaded CSV (kept out of the URL). */
  readonly csv: { readonly name: string; readonly text: string } | null;
  /**
   * A setup on a CSV file that has not been loaded (a shared link carries the file's name, not its data): the
   * page trains a working default meanwhile, and loading the file restores this setup.
   */
  readonly awaitingCsv: { readonly file: string | null; readonly config: PlaygroundConfig } | null;
  /** Null until the worker has picked its backend. */
  readonly backend: BackendInfo | null;
  readonly raceId: number;
  /** Set once the worker has built the current race. */
  readonly data: DataInfo | null;
  readonly task: TaskStatic | null;
  /** Whether the user wants the race to train (the worker follows). */
  readonly running: boolean;
  readonly step: number;
  readonly stepsPerSecond: number;
  readonly runs: Readonly<Record<string, RunState>>;
  readonly fishleg: FishLegState;
  /** Dataset download progress (MNIST), null when not loading. */
  readonly loading: { readonly loaded: number; readonly total: number | null } | null;
  /** GPU kernels being compiled for the race (null when none are pending). */
  readonly compiling: { readonly done: number; readonly total: number } | null;
  /** Set when the curves shown were restored from storage, not trained by this page yet. */
  readonly restored: string | null;
  /** Set when the race continues from the training state saved on an earlier visit. */
  readonly resumed: { readonly step: number; readonly savedAt: string } | null;
  readonly notices: readonly string[];
  readonly error: { readonly name: string; readonly message: string } | null;
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

const emptyRun = (): RunState => ({ points: [], stride: 1, diverged: null, switches: [], changes: [], frame: null });
const EMPTY_FISHLEG: FishLegState = { frame: null, errorHistory: [] };

export interface ClientOptions {
  readonly schedule?: Scheduler;
  /** Warnings from reading the URL, shown as notices. */
  readonly notices?: readonly string[];
  /** Restore and save histories in localStorage (default true). */
  readonly persist?: boolean;
  /** Where curves are kept (default: the page's localStorage; tests pass their own). */
  readonly storage?: Storage | null;
  /**
   * Where the training state is kept so that a reload continues the race (saved-state.ts); undefined: not
   * kept, null: the browser has no storage for it (the user is told when a save is due).
   */
  readonly stateStore?: StateStore | null;
}

/** A CSV setup's runs on the default task and model, for while its file is missing. */
function withoutCsv(config: PlaygroundConfig): PlaygroundConfig {
  return { ...config, data: dataFor('spiral', config.data.seed), model: modelFor('spiral') };
}

/** How both device-loss notices begin. */
const DEVICE_LOST_NOTICE = 'The GPU device was lost';

/** Shown while the browser's storage refuses to keep the curves. */
export const SAVE_FAILED_NOTICE =
  'The browser’s storage is full or refuses writes: these curves will not survive a reload. Export them (CSV or JSON) to keep them.';

/** Shown once when the curves saved on an earlier visit could not be read (they are discarded). */
export function damagedHistoryNotice(reason: string): string {
  return `The curves saved on an earlier visit could not be restored (${reason}); they were discarded.`;
}

/** Saves are throttled to one per this many ms. */
const SAVE_MS = 1500;

/** While playing, the training state is saved this often (the worker answers without a readback). */
export const SNAPSHOT_MS = 10_000;

/** How long the page waits for the kept training state before it starts without it. */
const LOAD_WAIT_MS = 3000;

/** Why a reload starts over although curves were restored: the kept state is of another setup. */
const OTHER_SETUP = 'it belongs to another setup: the data, the model or an optimizer setting differs';

export class TrainingClient {
  readonly #port: WorkerPort;
  readonly #listeners = new Set<() => void>();
  readonly #schedule: Scheduler;
  readonly #persist: boolean;
  readonly #storage: Storage | null | undefined;
  readonly #stateStore: StateStore | null | undefined;
  /** The record a setup is resuming from, until the worker answers. */
  #resuming: StateRecord | null = null;
  /** Saves and clears of the training state, one after another. */
  #writes: Promise<void> = Promise.resolve();
  #snapshotTimer: ReturnType<typeof setInterval> | null = null;
  /** The notice of the last training-state save that failed (replaced by the next outcome). */
  #stateNotice: string | null = null;
  /** What the last successful save held (a periodic snapshot of the same checkpoint is not written again). */
  #keptSignature: string | null = null;
  /** A race whose state was over the bound: periodic saves stop asking for it (Pause still tries). */
  #tooLargeRace = -1;
  #state: PlaygroundState;
  #nextRequest = 1;
  #notifyPending = false;
  /** The user set Inside FishLeg to "none": no FishLeg run is picked for them until they pick one. */
  #inspectNone = false;
  /** A network diagram is on the page: the worker adds its data to the 2D task frames. */
  #network = false;
  #saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(port: WorkerPort, config: PlaygroundConfig, options: ClientOptions = {}) {
    this.#port = port;
    this.#schedule = options.schedule ?? nextFrame;
    this.#persist = options.persist ?? true;
    this.#storage = options.storage;
    this.#stateStore = options.stateStore;
    this.#state = {
      config,
      csv: null,
      awaitingCsv: config.data.task === 'csv' ? { file: config.data.file ?? null, config } : null,
      backend: null,
      raceId: 0,
      data: null,
      task: null,
      running: false,
      step: 0,
      stepsPerSecond: 0,
      runs: {},
      fishleg: EMPTY_FISHLEG,
      loading: null,
      compiling: null,
      restored: null,
      resumed: null,
      notices: options.notices ?? [],
      error: null,
    };
    port.listen(
      (e) => this.#receive(e),
      (message) => this.#set({ error: { name: 'WorkerError', message }, running: false }),
    );
    port.post({ type: 'init', requestId: this.#nextRequest++, backend: config.backend });
    const restored = this.#restore();
    // A CSV's text is not kept, so its races start over.
    if (this.#keepsState() && config.data.task !== 'csv') void this.#resumeOrSetup(restored);
    else this.#setup(this.#state.config, restored);
    if (this.#keepsState()) {
      this.#snapshotTimer = setInterval(() => {
        if (this.#state.running && this.#tooLargeRace !== this.#state.raceId) this.saveState();
      }, SNAPSHOT_MS);
    }
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): PlaygroundState => this.#state;

  play(): void {
    if (this.#state.running || !this.#canTrain()) return;
    if (this.#state.restored) this.#setup(this.#state.config, false);
    this.#set({ running: true });
    this.#port.post({ type: 'play', raceId: this.#state.raceId });
  }

  pause(): void {
    if (!this.#state.running) return;
    this.#set({ running: false });
    this.#port.post({ type: 'pause', raceId: this.#state.raceId });
    this.saveState();
  }

  toggle(): void {
    if (this.#state.running) this.pause();
    else this.play();
  }

  /** `steps` training steps on every run, then an evaluation so the chart shows where they got (paused only). */
  stepOnce(steps = 1): void {
    if (this.#state.running || !this.#canTrain()) return;
    if (this.#state.restored) this.#setup(this.#state.config, false);
    this.#port.post({ type: 'step', raceId: this.#state.raceId, steps });
    this.saveState();
  }

  /**
   * Asks the worker for the race's training state and keeps it with the curves, so that a reload continues
   * from there (at pause, budget stops, steps and paused changes, every SNAPSHOT_MS while playing, on pagehide).
   */
  saveState(): void {
    const s = this.#state;
    if (!this.#keepsState() || !this.#canTrain() || s.restored || s.config.data.task === 'csv') return;
    this.#port.post({ type: 'snapshot', raceId: s.raceId });
  }

  /** Starts the race over from step 0 with the current (or the given) config; keeps playing if it was. */
  reset(config: PlaygroundConfig = this.#state.config): void {
    const wasRunning = this.#state.running;
    // The user has moved on from the link's CSV setup to the one on the page.
    if (this.#state.awaitingCsv) this.#set({ awaitingCsv: null });
    // The race kept for a reload is the one being discarded.
    if (this.#stateStore) {
      const store = this.#stateStore;
      this.#keptSignature = null;
      this.#writes = this.#writes.then(() => store.clear()).catch(() => undefined);
    }
    this.#setup(config, false);
    if (wasRunning) this.play();
  }

  setSpeed(speed: PlaygroundConfig['speed']): void {
    this.#set({ config: { ...this.#state.config, speed } });
    this.#port.post({ type: 'speed', raceId: this.#state.raceId, speed });
  }

  /** Sets the step at which play pauses by itself (null = none); live, no restart. */
  setStopAt(stopAt: number | null): void {
    this.#set({ config: { ...this.#state.config, stopAt } });
    this.#port.post({ type: 'stopAt', raceId: this.#state.raceId, step: stopAt });
  }

  setChart(chart: ChartSettings): void {
    this.#set({ config: { ...this.#state.config, chart } });
  }

  /** Changes a run: hyperparameters of the same optimizer change live, a different optimizer restarts the race. */
  updateRun(id: string, patch: { name?: string; colour?: string; optimizer?: OptimizerConfig }): void {
    const cfg = this.#state.config;
    const old = cfg.runs.find((r) => r.id === id);
    if (!old) return;
    const run: RunSpec = { ...old, ...patch };
    const runs = cfg.runs.map((r) => (r.id === id ? run : r));
    if (patch.optimizer && patch.optimizer.kind !== old.optimizer.kind) {
      this.reset({ ...cfg, runs });
      return;
    }
    this.#set({ config: { ...cfg, runs } });
    if (patch.optimizer && patch.optimizer !== old.optimizer) {
      this.#port.post({ type: 'update', raceId: this.#state.raceId, runId: id, optimizer: patch.optimizer });
      if (!this.#state.running) this.saveState();
    }
  }

  /** Adds a run without restarting the race: it starts at step 0 and catches up on the same batches. */
  addRun(kind: OptimizerKind): void {
    const cfg = this.#state.config;
    if (cfg.runs.length >= MAX_RUNS) return;
    this.#addRun(newRun(kind, cfg.runs), null);
  }

  /**
   * Branches a run from here: the copy starts from that run's current weights and whole optimizer state, at
   * the current step, and the race goes on in lock-step (the branch sees the same future batches).
   */
  duplicateRun(id: string): void {
    const cfg = this.#state.config;
    const src = cfg.runs.find((r) => r.id === id);
    if (!src || cfg.runs.length >= MAX_RUNS) return;
    const copy = newRun(src.optimizer.kind, cfg.runs, src.optimizer);
    this.#addRun({ ...copy, name: `${src.name} branch`.slice(0, 24) }, id);
  }

  /**
   * Adds a FishLeg run's frozen-Q control: the same settings with the auxiliary updates off, in the run's own
   * colour (the chart draws it faint), from step 0 on the same initial weights and batches, catching up.
   */
  addFrozenControl(id: string): void {
    const cfg = this.#state.config;
    const src = cfg.runs.find((r) => r.id === id);
    if (!src || cfg.runs.length >= MAX_RUNS) return;
    const control = frozenQControl(src);
    if (!control || cfg.runs.some((r) => controlledRun(r, cfg.runs)?.id === id)) return;
    const fresh = newRun('fishleg', cfg.runs, control.optimizer);
    this.#addRun({ ...fresh, name: control.name.slice(0, 24), colour: src.colour }, null);
  }

  #addRun(run: RunSpec, from: string | null): void {
    const s = this.#state;
    // Before the race exists, or on restored curves, there is nothing to join: start over with the run.
    if (s.data === null || s.restored || s.error) {
      this.reset({ ...s.config, runs: [...s.config.runs, run] });
      return;
    }
    const origin = { from, step: from === null ? 0 : s.step };
    const catchingUp = from === null && s.step > 0 ? { step: 0, target: s.step } : null;
    const config = { ...s.config, runs: [...s.config.runs, run] };
    const inspect = fitInspect(config, this.#inspectNone);
    this.#set({
      config: { ...config, inspect },
      runs: { ...s.runs, [run.id]: { ...emptyRun(), origin, catchingUp } },
    });
    this.#port.post({ type: 'addRun', raceId: s.raceId, run, from });
    if (inspect !== config.inspect) this.#port.post({ type: 'inspect', raceId: s.raceId, inspect });
    if (!s.running) this.saveState();
  }

  /** Removes a run without disturbing the others. */
  removeRun(id: string): void {
    const cfg = this.#state.config;
    if (cfg.runs.length <= 1) return;
    const runs = cfg.runs.filter((r) => r.id !== id);
    const inspect = fitInspect({ ...cfg, runs }, this.#inspectNone);
    const { [id]: _gone, ...rest } = this.#state.runs;
    this.#set({ config: { ...cfg, runs, inspect }, runs: rest });
    this.#port.post({ type: 'remove', raceId: this.#state.raceId, runId: id });
    if (inspect !== cfg.inspect) this.#port.post({ type: 'inspect', raceId: this.#state.raceId, inspect });
    if (!this.#state.running) this.saveState();
  }

  setInspect(inspect: InspectSpec): void {
    this.#inspectNone = inspect.runId === null;
    this.#set({ config: { ...this.#state.config, inspect }, fishleg: EMPTY_FISHLEG });
    this.#port.post({ type: 'inspect', raceId: this.#state.raceId, inspect });
  }

  /**
   * Uses an uploaded CSV (already validated by the caller) and starts a race on it: the setup a link was
   * waiting for when there is one, else `config` (the current settings on the new data).
   */
  useCsv(csv: { name: string; text: string }, config: PlaygroundConfig): void {
    const base = this.#state.awaitingCsv?.config ?? config;
    this.#set({ csv, awaitingCsv: null });
    this.reset({ ...base, data: { ...base.data, task: 'csv', file: csv.name } });
  }

  /** The network diagram appeared (true) or went (false): its data costs a bigger readback, so only while shown. */
  setNetworkView(on: boolean): void {
    if (on === this.#network) return;
    this.#network = on;
    this.#port.post({ type: 'network', raceId: this.#state.raceId, on });
  }

  dismissNotice(i: number): void {
    this.#set({ notices: this.#state.notices.filter((_, j) => j !== i) });
  }

  /** Test hook for the device-loss journey. */
  loseDevice(): void {
    this.#port.post({ type: 'loseDevice', raceId: this.#state.raceId });
  }

  dispose(): void {
    if (this.#snapshotTimer !== null) clearInterval(this.#snapshotTimer);
    this.#port.terminate();
    this.#listeners.clear();
  }

  #canTrain(): boolean {
    return this.#state.backend !== null && this.#state.error === null && this.#state.data !== null;
  }

  #keepsState(): boolean {
    return this.#persist && this.#stateStore !== undefined;
  }

  /** Looks up the kept training state: resumes from it when it fits this setup, else sets up as usual. */
  async #resumeOrSetup(restored: boolean): Promise<void> {
    const cfg = normaliseIds(this.#state.config);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A storage that never answers must not keep the page from training.
    const outcome = await Promise.race([
      loadState(this.#stateStore ?? null, setupKey(cfg)),
      new Promise<StateLoadOutcome>((resolve) => {
        timer = setTimeout(
          () => resolve({ kind: 'unavailable', reason: `it did not answer within ${LOAD_WAIT_MS / 1000} s` }),
          LOAD_WAIT_MS,
        );
      }),
    ]);
    clearTimeout(timer);
    if (this.#state.raceId !== 0) return; // the user started a race meanwhile
    if (outcome.kind === 'ok') {
      this.#resuming = outcome.record;
      this.#set({ config: cfg });
      this.#setup(cfg, restored, outcome.record.state);
      return;
    }
    // Curves came back but their training state did not: say why Play will start over.
    const reason =
      outcome.kind === 'rejected'
        ? outcome.reason
        : outcome.kind === 'other' && restored
          ? OTHER_SETUP
          : outcome.kind === 'unavailable' && restored
            ? `the browser’s storage could not be read: ${outcome.reason}`
            : null;
    if (reason !== null) this.#set({ notices: [...this.#state.notices, resumeNotice(reason)] });
    this.#setup(this.#state.config, restored);
  }

  /** Keeps the worker's answer to a snapshot with the curves up to its step. */
  #keep(state: SavedRaceState): void {
    const s = this.#state;
    const curves = s.config.runs.map((r) => {
      const h = s.runs[r.id] ?? emptyRun();
      return { points: h.points, stride: h.stride, diverged: h.diverged, switches: h.switches, changes: h.changes };
    });
    const entry = { setup: setupKey(s.config), backend: s.backend?.name ?? 'cpu', state, curves };
    const signature = JSON.stringify([
      s.raceId,
      entry.setup,
      state.step,
      state.changes.length,
      state.runs.map((r) => r.diverged),
    ]);
    if (signature === this.#keptSignature) return;
    const store = this.#stateStore ?? null;
    const raceId = s.raceId;
    this.#writes = this.#writes.then(async () => {
      const outcome = await saveState(store, entry);
      this.#keptSignature = outcome.kind === 'saved' ? signature : null;
      if (outcome.kind === 'tooLarge') this.#tooLargeRace = raceId;
      const notice = saveNotice(outcome);
      const kept = this.#state.notices.filter((n) => n !== this.#stateNotice);
      this.#stateNotice = notice;
      this.#set({ notices: notice === null ? kept : [...kept, notice] });
    });
  }

  /** The race as the worker resumed it (or, when it could not, why: the restored curves stay for display). */
  #resumed(rec: StateRecord, restoredStep: number | undefined, resumeError: string | undefined): void {
    const s = this.#state;
    if (restoredStep === undefined) {
      this.#set({ notices: [...s.notices, resumeNotice(resumeError ?? 'the worker refused it')] });
      return;
    }
    const runs: Record<string, RunState> = {};
    s.config.runs.forEach((r, i) => {
      const c = rec.curves[i];
      runs[r.id] = c
        ? {
            ...emptyRun(),
            points: c.points,
            stride: c.stride,
            diverged: c.diverged,
            switches: c.switches,
            changes: c.changes ?? [],
          }
        : emptyRun();
    });
    this.#set({ runs, step: restoredStep, restored: null, resumed: { step: restoredStep, savedAt: rec.savedAt } });
  }

  #setup(config: PlaygroundConfig, keepRestored: boolean, resume?: SavedRaceState): void {
    const raceId = this.#state.raceId + 1;
    // No file to train on (a link to a CSV setup): the default task, with the link's runs, until one is loaded.
    const raw = config.data.task === 'csv' && !this.#state.csv ? withoutCsv(config) : config;
    // Data, model and run edits keep the Inside-FishLeg target where it still applies (fitInspect).
    const inspect = fitInspect(raw, this.#inspectNone);
    const cfg = inspect === raw.inspect ? raw : { ...raw, inspect };
    const runs: Record<string, RunState> = {};
    for (const r of cfg.runs) runs[r.id] = keepRestored ? (this.#state.runs[r.id] ?? emptyRun()) : emptyRun();
    this.#set({
      config: cfg,
      raceId,
      data: null,
      task: null,
      running: false,
      step: keepRestored ? this.#state.step : 0,
      stepsPerSecond: 0,
      runs,
      fishleg: EMPTY_FISHLEG,
      restored: keepRestored ? this.#state.restored : null,
      resumed: null,
      compiling: null,
      error: null,
    });
    const csv = cfg.data.task === 'csv' && this.#state.csv ? { csv: this.#state.csv } : {};
    this.#port.post({
      type: 'setup',
      requestId: this.#nextRequest++,
      raceId,
      spec: {
        data: { ...cfg.data, ...csv },
        model: cfg.model,
        runs: cfg.runs,
        inspect: cfg.inspect,
        ...(this.#network ? { network: true } : {}),
      },
      ...(resume ? { resume } : {}),
    });
    if (cfg.speed !== null) this.#port.post({ type: 'speed', raceId, speed: cfg.speed });
    if (cfg.stopAt !== null) this.#port.post({ type: 'stopAt', raceId, step: cfg.stopAt });
  }

  /** Restores saved curves of the same config (same URL) from a previous visit; true when it did. */
  #restore(): boolean {
    if (!this.#persist) return false;
    const cfg = normaliseIds(this.#state.config);
    const outcome = loadRace(toSearch(cfg), this.#storage);
    if (outcome.kind === 'damaged') {
      this.#state = { ...this.#state, notices: [...this.#state.notices, damagedHistoryNotice(outcome.reason)] };
      return false;
    }
    if (outcome.kind === 'none') return false;
    const saved = outcome.race;
    if (saved.runs.every((r) => r.points.length === 0)) return false;
    const runs: Record<string, RunState> = {};
    cfg.runs.forEach((r, i) => {
      const h = saved.runs[i];
      runs[r.id] = h
        ? { ...emptyRun(), points: h.points, diverged: h.diverged, switches: h.switches, changes: h.changes ?? [] }
        : emptyRun();
    });
    const step = Math.max(0, ...saved.runs.map((r) => r.points.at(-1)?.step ?? 0));
    this.#state = { ...this.#state, config: cfg, runs, step, restored: saved.savedAt };
    return true;
  }

  #receive(e: WorkerEvent): void {
    const s = this.#state;
    if ('raceId' in e && e.raceId !== undefined && e.raceId !== s.raceId) return;
    switch (e.type) {
      case 'ready':
        this.#set({ backend: e.backend });
        return;
      case 'catchUp':
        this.#patchRun(e.runId, { catchingUp: e.step < e.target ? { step: e.step, target: e.target } : null });
        return;
      case 'budgetReached':
        this.#set({ running: false });
        this.saveState();
        return;
      case 'compiling':
        this.#set({ compiling: e.done < e.total ? { done: e.done, total: e.total } : null });
        return;
      case 'loading':
        this.#set({ loading: { loaded: e.loaded, total: e.total } });
        return;
      case 'raceReady': {
        this.#set({ data: e.data, task: e.task, loading: null });
        const rec = this.#resuming;
        this.#resuming = null;
        if (rec) this.#resumed(rec, e.restoredStep, e.resumeError);
        return;
      }
      case 'snapshot':
        this.#keep(e.state);
        return;
      case 'metrics': {
        if (s.restored) return; // the restored curves stay until the user trains again
        const runs = { ...s.runs };
        let step = s.step;
        for (const { runId, point } of e.points) {
          const r = runs[runId];
          if (!r) continue;
          const { points, stride } = appendThinned(r.points, [point], r.stride);
          // A run added while the race played catches up inside the worker's slices, its points behind the others'.
          const catchingUp = r.catchingUp ? (point.step < s.step ? { step: point.step, target: s.step } : null) : null;
          runs[runId] = { ...r, points, stride, catchingUp };
          step = Math.max(step, point.step);
        }
        this.#set({ runs, step });
        this.#scheduleSave();
        return;
      }
      case 'progress':
        if (!s.restored) this.#set({ step: Math.max(s.step, e.step), stepsPerSecond: e.stepsPerSecond });
        if (!e.running && s.running && this.#allDiverged()) this.#set({ running: false });
        return;
      case 'diverged':
        this.#patchRun(e.runId, { diverged: e.step });
        if (this.#allDiverged()) this.#set({ running: false });
        return;
      case 'switched': {
        const r = s.runs[e.runId];
        if (r) this.#patchRun(e.runId, { switches: [...r.switches, { step: e.step, approx: e.approx }] });
        return;
      }
      case 'changed': {
        const r = s.runs[e.runId];
        if (r) this.#patchRun(e.runId, { changes: addChange(r.changes ?? [], e.step, diffOptimizer(e.from, e.to)) });
        return;
      }
      case 'taskFrame':
        if (!s.restored) this.#patchRun(e.runId, { frame: e.frame });
        return;
      case 'fishlegFrame': {
        const f = withHistory(s.fishleg.frame, e.frame);
        const errorHistory =
          f.relError !== null && f.runId === s.config.inspect.runId
            ? [...s.fishleg.errorHistory.filter((p) => p.step < f.step), { step: f.step, relError: f.relError }]
            : s.fishleg.errorHistory;
        this.#set({ fishleg: { frame: f, errorHistory } });
        return;
      }
      case 'deviceLost': {
        const notice =
          e.restoredStep === undefined
            ? `${DEVICE_LOST_NOTICE} (${e.message}); recreating it…`
            : `${DEVICE_LOST_NOTICE} and recreated; the race resumed from its checkpoint at step ${e.restoredStep}.`;
        // The outcome replaces the "recreating…" notice rather than stacking under it.
        const kept = s.notices.filter((n) => !n.startsWith(`${DEVICE_LOST_NOTICE} (`));
        const patch: Partial<PlaygroundState> = { notices: [...kept, notice] };
        if (e.restoredStep !== undefined) {
          const k = e.restoredStep;
          const runs: Record<string, RunState> = {};
          for (const [id, r] of Object.entries(s.runs))
            runs[id] = { ...r, points: r.points.filter((p) => p.step <= k) };
          Object.assign(patch, { runs, step: k });
        }
        this.#set(patch);
        return;
      }
      case 'error':
        this.#set({ error: { name: e.name, message: e.message }, running: false });
        return;
      default:
        e satisfies never;
    }
  }

  #allDiverged(): boolean {
    const runs = Object.values(this.#state.runs);
    return runs.length > 0 && runs.every((r) => r.diverged !== null);
  }

  #patchRun(id: string, patch: Partial<RunState>): void {
    const r = this.#state.runs[id];
    if (!r) return;
    this.#set({ runs: { ...this.#state.runs, [id]: { ...r, ...patch } } });
    if (patch.diverged !== undefined || patch.switches || patch.changes) this.#scheduleSave();
  }

  #scheduleSave(): void {
    if (!this.#persist || this.#saveTimer !== null) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      const s = this.#state;
      const cfg = normaliseIds(s.config);
      const runs = s.config.runs.map((r) => ({ id: r.id, ...(s.runs[r.id] ?? emptyRun()) }));
      const outcome = saveRace(
        toSearch(cfg),
        runs.map(({ id, points, diverged, switches, changes }) => ({ id, points, diverged, switches, changes })),
        this.#storage,
      );
      // One notice while saves keep failing (they are retried with every evaluation); gone once one succeeds.
      const notices = this.#state.notices.filter((n) => n !== SAVE_FAILED_NOTICE);
      if (outcome === 'failed') notices.push(SAVE_FAILED_NOTICE);
      if (notices.length !== this.#state.notices.length) this.#set({ notices });
    }, SAVE_MS);
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
