/**
 * The UI side of the worker protocol: a small external store (subscribe / getSnapshot, for React's
 * useSyncExternalStore) that owns the playground config, sends commands and folds worker events into an
 * immutable snapshot with the pure reducer (race-reducer.ts); what is kept between visits is race-persistence.ts.
 * Events of a replaced race are dropped by raceId. Settings that cannot change under a
 * running race (data, model, adding runs, optimizer kind) start a new race; hyperparameters change live.
 */
import type { OptimizerConfig, OptimizerKind } from '../engine/page.ts';
import type { Command, InspectSpec, RunSpec, SavedRaceState, TuneResult, WorkerEvent } from '../worker/protocol.ts';
import {
  dataFor,
  fitInspect,
  MAX_RUNS,
  modelFor,
  newRun,
  normaliseIds,
  type ChartSettings,
  type PlaygroundConfig,
} from './config.ts';
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
import {
  EMPTY_INSIDE,
  emptyRun,
  initialState,
  mergedReport,
  reduce,
  savesCurves,
  type PlaygroundState,
  type RunState,
  type TuneState,
} from './race-reducer.ts';
import { restoreCurves, resumedRuns, saveCurves, stateEntry } from './race-persistence.ts';
import { changeOptimizer } from './run-kind.ts';
import { startJournal } from './settings-journal.ts';
import { lookupTune, storeTune, type TuneSetup } from './tune-cache.ts';
import { applyTuned, keepValidMarkers, tunableRuns } from './tuned-marker.ts';

export { appendThinned } from './downsample.ts';
export type { InsideState, PlaygroundState, RunState, TuneState } from './race-reducer.ts';
export { damagedHistoryNotice, SAVE_FAILED_NOTICE } from './race-persistence.ts';

/** What a learning-rate search is asked for: the budget, the seeds and what it minimises. */
export type TuneRequest = Pick<TuneState, 'steps' | 'seeds' | 'objective'>;

/** The client's view of a worker; `workerPort` adapts a real Worker, tests pass a fake. */
export interface WorkerPort {
  post(cmd: Command): void;
  /** Registers the handlers; called once by the client. */
  listen(onEvent: (e: WorkerEvent) => void, onCrash: (message: string) => void): void;
  terminate(): void;
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
  #nextTune = 1;
  /** The race "Race at best" set up: it plays once the worker has built it. */
  #playWhenReady = -1;
  /** The setup and runs the running search was asked for: its results are kept under them. */
  #tuneSetup: { setup: TuneSetup; runs: readonly RunSpec[] } | null = null;

  constructor(port: WorkerPort, config: PlaygroundConfig, options: ClientOptions = {}) {
    this.#port = port;
    this.#schedule = options.schedule ?? nextFrame;
    this.#persist = options.persist ?? true;
    this.#storage = options.storage;
    this.#stateStore = options.stateStore;
    this.#state = initialState(config, options.notices);
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
    // Not while a Step ×n is under way: the worker would only start once it ends, with the button saying Pause.
    if (this.#state.running || this.#state.stepping || !this.#canTrain() || this.#tuning()) return;
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
    if (this.#state.running || !this.#canTrain() || this.#tuning()) return;
    if (this.#state.restored) this.#setup(this.#state.config, false);
    this.#port.post({ type: 'step', raceId: this.#state.raceId, steps });
    // Steps asked for while others run (S pressed again) queue in the worker: the stretch to wait for grows.
    const { step, stepping } = this.#state;
    this.#set({ stepping: stepping ? { ...stepping, to: stepping.to + steps } : { from: step, to: step + steps } });
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
  reset(next: PlaygroundConfig = this.#state.config): void {
    const wasRunning = this.#state.running;
    // A rate tuned on another task or model is no longer "tuned" here.
    const config = keepValidMarkers(this.#state.config, next);
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

  /**
   * Changes a run: hyperparameters of the same optimizer change live; a different optimizer restarts the race,
   * and the run's page-given name and colour follow the new kind (run-kind.ts).
   */
  updateRun(id: string, patch: { name?: string; colour?: string; optimizer?: OptimizerConfig }): void {
    const cfg = this.#state.config;
    const old = cfg.runs.find((r) => r.id === id);
    if (!old) return;
    if (patch.optimizer && patch.optimizer.kind !== old.optimizer.kind) {
      // Another kind is another run: renamed and recoloured (run-kind.ts), on a new race.
      const { optimizer, ...rest } = patch;
      const named = { ...cfg, runs: cfg.runs.map((r) => (r.id === id ? { ...r, ...rest } : r)) };
      this.reset(changeOptimizer(named, id, optimizer));
      return;
    }
    const run: RunSpec = { ...old, ...patch };
    const runs = cfg.runs.map((r) => (r.id === id ? run : r));
    const live = patch.optimizer !== undefined && patch.optimizer !== old.optimizer;
    // The run's first settings are kept now: the worker reports the change only once it has taken effect.
    const st = this.#state.runs[id];
    const journal = live && st && !st.journal ? { [id]: { ...st, journal: startJournal(old.optimizer) } } : null;
    this.#set({ config: { ...cfg, runs }, ...(journal ? { runs: { ...this.#state.runs, ...journal } } : {}) });
    if (live && patch.optimizer) {
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
    this.#set({ config: { ...this.#state.config, inspect }, inside: EMPTY_INSIDE });
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

  /** Shows a notice (a change the page refused, and why) until it is dismissed. */
  addNotice(text: string): void {
    this.#set({ notices: [...this.#state.notices, text] });
  }

  dismissNotice(i: number): void {
    this.#set({ notices: this.#state.notices.filter((_, j) => j !== i) });
  }

  /**
   * Searches the learning rate of the given runs (null: every run but frozen-Q controls, which follow their learned
   * run) on the race's task, model and batch, at this budget and on these seeds, in the worker; training pauses
   * meanwhile. Runs whose search on this very setup is kept from earlier (tune-cache.ts) are not searched again.
   */
  tune(runIds: readonly string[] | null, request: TuneRequest): void {
    const s = this.#state;
    if (this.#tuning() || !this.#canTrain() || s.restored) return;
    if (s.running) this.pause();
    const runs = tunableRuns(s.config.runs).filter((r) => runIds === null || runIds.includes(r.id));
    if (runs.length === 0) return;
    const setup: TuneSetup = { config: s.config, csvText: s.csv?.text ?? null, ...request };
    const cached = runs.flatMap((r) => {
      const hit = this.#persist ? lookupTune(this.#storage, setup, r) : null;
      return hit ? [hit] : [];
    });
    const missing = runs.filter((r) => !cached.some((c) => c.runId === r.id));
    const base: TuneState = {
      tuneId: this.#nextTune++,
      runIds: runs.map((r) => r.id),
      ...request,
      status: 'running',
      done: 0,
      cached,
      report: null,
      message: null,
    };
    if (missing.length === 0) {
      this.#set({ tune: { ...base, status: 'done', done: 1, report: mergedReport(base, []) } });
      return;
    }
    this.#tuneSetup = { setup, runs: missing };
    this.#set({ tune: base });
    this.#port.post({
      type: 'tune',
      raceId: s.raceId,
      tuneId: base.tuneId,
      runIds: missing.map((r) => r.id),
      ...request,
    });
  }

  /** Stops the running search; nothing changes (the worker answers tuneCancelled). */
  cancelTune(): void {
    const t = this.#state.tune;
    if (t?.status === 'running') this.#port.post({ type: 'cancelTune', raceId: this.#state.raceId, tuneId: t.tuneId });
  }

  /** Starts the race over with every searched run at its best rate, marked tuned, and plays it. */
  raceAtBest(): void {
    const t = this.#state.tune;
    if (t?.status !== 'done' || !t.report) return;
    const cfg = this.#state.config;
    this.reset({ ...cfg, runs: applyTuned(cfg.runs, t.report) });
    // The result stays on show beside the race it set up, which plays as soon as the worker has built it.
    this.#set({ tune: t });
    this.#playWhenReady = this.#state.raceId;
  }

  /** Closes the search's panel (a running search is cancelled). */
  dismissTune(): void {
    this.cancelTune();
    this.#set({ tune: null });
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

  #tuning(): boolean {
    return this.#state.tune?.status === 'running';
  }

  /** Keeps each fresh result of a finished search under the setup it was searched on. */
  #keepTune(results: readonly TuneResult[]): void {
    const asked = this.#tuneSetup;
    this.#tuneSetup = null;
    if (!asked || !this.#persist) return;
    for (const r of results) {
      const run = asked.runs.find((x) => x.id === r.runId);
      if (run) storeTune(this.#storage, asked.setup, run, r);
    }
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
    const { entry, signature } = stateEntry(s, state);
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
    const runs = resumedRuns(s.config, rec);
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
      stepping: null,
      runs,
      inside: EMPTY_INSIDE,
      restored: keepRestored ? this.#state.restored : null,
      resumed: null,
      compiling: null,
      error: null,
      tune: null,
    });
    this.#tuneSetup = null;
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
    const outcome = restoreCurves(this.#state.config, this.#storage);
    if (outcome.kind === 'damaged') this.#state = { ...this.#state, notices: [...this.#state.notices, outcome.notice] };
    if (outcome.kind !== 'restored') return false;
    const { config, runs, step, savedAt } = outcome;
    this.#state = { ...this.#state, config, runs, step, restored: savedAt };
    return true;
  }

  #receive(e: WorkerEvent): void {
    // A replaced race's event changes nothing and triggers no save.
    if ('raceId' in e && e.raceId !== undefined && e.raceId !== this.#state.raceId) return;
    const prev = this.#state;
    const next = reduce(prev, e);
    if (next !== prev) this.#set(next);
    if (savesCurves(e) && next.runs !== prev.runs) this.#scheduleSave();
    if (e.type === 'budgetReached') this.saveState();
    else if (e.type === 'tuneDone' && prev.tune?.tuneId === e.tuneId) this.#keepTune(e.report.results);
    else if (e.type === 'snapshot') this.#keep(e.state);
    else if (e.type === 'raceReady') {
      const rec = this.#resuming;
      this.#resuming = null;
      if (rec) this.#resumed(rec, e.restoredStep, e.resumeError);
      if (this.#playWhenReady === e.raceId) {
        this.#playWhenReady = -1;
        this.play();
      }
    }
  }

  #scheduleSave(): void {
    if (!this.#persist || this.#saveTimer !== null) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      const notices = saveCurves(this.#state, this.#storage);
      if (notices !== this.#state.notices) this.#set({ notices });
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
