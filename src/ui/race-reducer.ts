/**
 * The playground's state and how worker events change it: a pure `reduce(state, event)` with no I/O, so every
 * transition can be tested without a worker, a timer or storage. The client decides what to save afterwards
 * (`savesCurves`); events of a replaced race are dropped here by raceId.
 */
import type {
  BackendInfo,
  DataInfo,
  InsideFrame,
  MetricPoint,
  TaskFrame,
  TaskStatic,
  TuneEvent,
  TuneObjective,
  TuneReport,
  TuneResult,
  WorkerEvent,
} from '../worker/protocol.ts';
import type { PlaygroundConfig } from './config.ts';
import type { RunHistory, SeedHistory } from './history.ts';
import { withHistory } from './inside-history.ts';
import { appendThinned } from './downsample.ts';
import { addChange, diffOptimizer } from './marks.ts';
import { addJournalChange, type SettingsJournal } from './settings-journal.ts';

/** One seed's curve as the store keeps it (thinned like the run's own). */
export interface SeedState extends SeedHistory {
  readonly stride: number;
}

/** A run's history, thinning stride and latest task frame. */
export interface RunState extends RunHistory {
  readonly stride: number;
  readonly seeds?: readonly SeedState[];
  readonly frame: TaskFrame | null;
  /** Where a run added mid-race came from: a branch of another run at a step, or a fresh start that catches up. */
  readonly origin?: { readonly from: string | null; readonly step: number };
  /**
   * Its settings from its first step and every live change (settings-journal.ts); absent while it has none
   * (its settings are then the config's).
   */
  readonly journal?: SettingsJournal;
  /** Resumed from a training state saved before the page kept journals, with changes or a late start. */
  readonly journalLost?: boolean;
  /** A run added mid-race that has not yet caught up with the others: its step and theirs. */
  readonly catchingUp?: { readonly step: number; readonly target: number } | null;
}

/** What the Inside-FishLeg view shows, accumulated over the race. */
export interface InsideState {
  readonly frame: InsideFrame | null;
  readonly errorHistory: readonly { step: number; relError: number }[];
}

/** A learning-rate search of the race's runs (or one run), as the tune panel shows it. */
export interface TuneState {
  readonly tuneId: number;
  /** The runs searched, in the race's order. */
  readonly runIds: readonly string[];
  readonly steps: number;
  readonly seeds: readonly number[];
  readonly objective: TuneObjective;
  readonly status: 'running' | 'done' | 'cancelled' | 'failed';
  /** Fraction done, 0…1. */
  readonly done: number;
  /** Results kept from an earlier search of the same setup (tune-cache.ts): those runs are not searched again. */
  readonly cached: readonly TuneResult[];
  /** Set when done: every searched run's result, cached ones included, in `runIds` order. */
  readonly report: TuneReport | null;
  readonly message: string | null;
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
  /** A Step ×n in progress: from the step it started at to the one it ends at (null when none is). */
  readonly stepping: { readonly from: number; readonly to: number } | null;
  readonly runs: Readonly<Record<string, RunState>>;
  readonly inside: InsideState;
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
  /** The latest learning-rate search of this race (null: none). */
  readonly tune: TuneState | null;
}

export const emptyRun = (): RunState => ({
  points: [],
  stride: 1,
  diverged: null,
  switches: [],
  changes: [],
  frame: null,
});

export const EMPTY_INSIDE: InsideState = { frame: null, errorHistory: [] };

/** The state before the worker has answered anything. */
export function initialState(config: PlaygroundConfig, notices: readonly string[] = []): PlaygroundState {
  return {
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
    stepping: null,
    runs: {},
    inside: EMPTY_INSIDE,
    loading: null,
    compiling: null,
    restored: null,
    resumed: null,
    notices,
    error: null,
    tune: null,
  };
}

/** How both device-loss notices begin. */
export const DEVICE_LOST_NOTICE = 'The GPU device was lost';

/** Whether an event (of the current race) changed what the saved curves hold: points, divergence or marks. */
export function savesCurves(e: WorkerEvent): boolean {
  return e.type === 'metrics' || e.type === 'diverged' || e.type === 'switched' || e.type === 'changed';
}

function allDiverged(runs: PlaygroundState['runs']): boolean {
  const list = Object.values(runs);
  return list.length > 0 && list.every((r) => r.diverged !== null);
}

/** The seeds' curves with one more point of `seed` (a seed seen for the first time joins in seed order). */
function withSeedPoint(seeds: readonly SeedState[], seed: number, point: MetricPoint): SeedState[] {
  const c = seeds.find((x) => x.seed === seed) ?? { seed, points: [], stride: 1, diverged: null };
  const { points, stride } = appendThinned(c.points, [point], c.stride);
  return [...seeds.filter((x) => x.seed !== seed), { ...c, points, stride }].sort((a, b) => a.seed - b.seed);
}

function patchRun(s: PlaygroundState, id: string, patch: Partial<RunState>): PlaygroundState {
  const r = s.runs[id];
  return r ? { ...s, runs: { ...s.runs, [id]: { ...r, ...patch } } } : s;
}

/**
 * The state after a worker event. Events that need I/O (a snapshot to keep, a resume to finish) leave the
 * state as the client then changes it; this function only does what follows from the event itself.
 */
export function reduce(s: PlaygroundState, e: WorkerEvent): PlaygroundState {
  if ('raceId' in e && e.raceId !== undefined && e.raceId !== s.raceId) return s;
  switch (e.type) {
    case 'tuneProgress':
    case 'tuneDone':
    case 'tuneCancelled':
    case 'tuneFailed':
      return reduceTune(s, e);
    case 'ready':
      return { ...s, backend: e.backend };
    case 'catchUp':
      return patchRun(s, e.runId, { catchingUp: e.step < e.target ? { step: e.step, target: e.target } : null });
    case 'budgetReached':
      return { ...s, running: false };
    case 'compiling':
      return { ...s, compiling: e.done < e.total ? { done: e.done, total: e.total } : null };
    case 'loading':
      return { ...s, loading: { loaded: e.loaded, total: e.total } };
    case 'raceReady':
      return { ...s, data: e.data, task: e.task, loading: null };
    case 'snapshot':
      return s;
    case 'metrics': {
      if (s.restored) return s; // the restored curves stay until the user trains again
      const runs = { ...s.runs };
      let step = s.step;
      for (const { runId, point, seed } of e.points) {
        const r = runs[runId];
        if (!r) continue;
        const seeds = seed === undefined ? r.seeds : withSeedPoint(r.seeds ?? [], seed, point);
        // The first seed's replica is the run's own curve (views, marks and one-seed code read that one).
        const first = seed === undefined || seed === s.config.data.seed;
        const { points, stride } = first ? appendThinned(r.points, [point], r.stride) : r;
        // A run added while the race played catches up inside the worker's slices, its points behind the others'.
        const catchingUp = r.catchingUp ? (point.step < s.step ? { step: point.step, target: s.step } : null) : null;
        runs[runId] = { ...r, points, stride, catchingUp, ...(seeds ? { seeds } : {}) };
        step = Math.max(step, point.step);
      }
      return { ...s, runs, step };
    }
    case 'progress': {
      if (s.restored) return s;
      // The worker reports a paused step at the end of a Step ×n, after its last evaluation.
      const done = s.stepping !== null && !e.running && e.step >= s.stepping.to;
      const next = {
        ...s,
        step: Math.max(s.step, e.step),
        stepsPerSecond: e.stepsPerSecond,
        ...(done ? { stepping: null } : {}),
      };
      return !e.running && s.running && allDiverged(s.runs) ? { ...next, running: false } : next;
    }
    case 'diverged': {
      if (e.seed !== undefined) {
        const seeds = s.runs[e.runId]?.seeds?.map((c) => (c.seed === e.seed ? { ...c, diverged: e.step } : c));
        return seeds ? patchRun(s, e.runId, { seeds }) : s;
      }
      const next = patchRun(s, e.runId, { diverged: e.step });
      return allDiverged(next.runs) ? { ...next, running: false } : next;
    }
    case 'switched': {
      const r = s.runs[e.runId];
      return r ? patchRun(s, e.runId, { switches: [...r.switches, { step: e.step, approx: e.approx }] }) : s;
    }
    case 'changed': {
      const r = s.runs[e.runId];
      if (!r) return s;
      return patchRun(s, e.runId, {
        changes: addChange(r.changes ?? [], e.step, diffOptimizer(e.from, e.to)),
        journal: addJournalChange(r.journal, e.step, e.from, e.to),
      });
    }
    case 'branched':
      return patchRun(s, e.runId, { origin: { from: e.from, step: e.step } });
    case 'taskFrame':
      return s.restored ? s : patchRun(s, e.runId, { frame: e.frame });
    case 'insideFrame': {
      const f = withHistory(s.inside.frame, e.frame);
      const errorHistory =
        f.relError !== null && f.runId === s.config.inspect.runId
          ? [...s.inside.errorHistory.filter((p) => p.step < f.step), { step: f.step, relError: f.relError }]
          : s.inside.errorHistory;
      return { ...s, inside: { frame: f, errorHistory } };
    }
    case 'deviceLost': {
      const notice =
        e.restoredStep === undefined
          ? `${DEVICE_LOST_NOTICE} (${e.message}); recreating it…`
          : `${DEVICE_LOST_NOTICE} and recreated; the race resumed from its checkpoint at step ${e.restoredStep}.`;
      // The outcome replaces the "recreating…" notice rather than stacking under it.
      const kept = s.notices.filter((n) => !n.startsWith(`${DEVICE_LOST_NOTICE} (`));
      // A Step ×n that the device loss cut short never reports its end.
      const next = { ...s, notices: [...kept, notice], stepping: null };
      if (e.restoredStep === undefined) return next;
      const k = e.restoredStep;
      const runs: Record<string, RunState> = {};
      for (const [id, r] of Object.entries(s.runs)) {
        const seeds = r.seeds?.map((c) => ({ ...c, points: c.points.filter((p) => p.step <= k) }));
        runs[id] = { ...r, points: r.points.filter((p) => p.step <= k), ...(seeds ? { seeds } : {}) };
      }
      return { ...next, runs, step: k };
    }
    case 'error':
      return { ...s, error: { name: e.name, message: e.message }, running: false, stepping: null };
    default:
      e satisfies never;
      return s;
  }
}

/** A search's answer: only the current search's events count (a cancelled one may still report once). */
function reduceTune(s: PlaygroundState, e: TuneEvent): PlaygroundState {
  const t = s.tune;
  if (!t || t.tuneId !== e.tuneId || t.status !== 'running') return s;
  switch (e.type) {
    case 'tuneProgress':
      return { ...s, tune: { ...t, done: Math.max(t.done, e.done) } };
    case 'tuneDone':
      return { ...s, tune: { ...t, status: 'done', done: 1, report: mergedReport(t, e.report.results) } };
    case 'tuneCancelled':
      return { ...s, tune: { ...t, status: 'cancelled', message: 'Tuning was cancelled; nothing was changed.' } };
    case 'tuneFailed':
      return { ...s, tune: { ...t, status: 'failed', message: e.message } };
    default:
      e satisfies never;
      return s;
  }
}

/** The report of every run the search covers: fresh results and those kept from earlier, in the race's order. */
export function mergedReport(t: TuneState, fresh: readonly TuneResult[]): TuneReport {
  const byId = new Map([...t.cached, ...fresh].map((r) => [r.runId, r]));
  const results = t.runIds.flatMap((id) => {
    const r = byId.get(id);
    return r ? [r] : [];
  });
  return { objective: t.objective, steps: t.steps, seeds: t.seeds, results };
}
