/**
 * What the page keeps in the browser between visits, as plain functions over the playground state: the curves
 * (localStorage, by URL) and the entry that goes with a training-state snapshot (saved-state.ts). The client
 * decides when to call them; nothing here holds timers or talks to the worker.
 */
import type { SavedRaceState } from '../worker/protocol.ts';
import { normaliseIds, toSearch, type PlaygroundConfig } from './config.ts';
import { loadRace, saveRace } from './history.ts';
import { emptyRun, type PlaygroundState, type RunState } from './race-reducer.ts';
import { setupKey, type SavedCurves, type saveState, type StateRecord } from './saved-state.ts';
import { startJournal } from './settings-journal.ts';

/** Shown while the browser's storage refuses to keep the curves. */
export const SAVE_FAILED_NOTICE =
  'The browser’s storage is full or refuses writes: these curves will not survive a reload. Export them (CSV or JSON) to keep them.';

/** Shown once when the curves saved on an earlier visit could not be read (they are discarded). */
export function damagedHistoryNotice(reason: string): string {
  return `The curves saved on an earlier visit could not be restored (${reason}); they were discarded.`;
}

export type CurvesRestore =
  | { readonly kind: 'none' }
  | { readonly kind: 'damaged'; readonly notice: string }
  | {
      readonly kind: 'restored';
      readonly config: PlaygroundConfig;
      readonly runs: Record<string, RunState>;
      readonly step: number;
      readonly savedAt: string;
    };

/** The curves saved for this setup's URL on an earlier visit, mapped onto its runs. */
export function restoreCurves(config: PlaygroundConfig, storage: Storage | null | undefined): CurvesRestore {
  const cfg = normaliseIds(config);
  const outcome = loadRace(toSearch(cfg), storage);
  if (outcome.kind === 'damaged') return { kind: 'damaged', notice: damagedHistoryNotice(outcome.reason) };
  if (outcome.kind === 'none') return { kind: 'none' };
  const saved = outcome.race;
  if (saved.runs.every((r) => r.points.length === 0)) return { kind: 'none' };
  const runs: Record<string, RunState> = {};
  cfg.runs.forEach((r, i) => {
    const h = saved.runs[i];
    runs[r.id] = h
      ? {
          ...emptyRun(),
          points: h.points,
          diverged: h.diverged,
          switches: h.switches,
          changes: h.changes ?? [],
          ...(h.seeds ? { seeds: h.seeds.map((c) => ({ ...c, stride: 1 })) } : {}),
        }
      : emptyRun();
  });
  const step = Math.max(0, ...saved.runs.map((r) => r.points.at(-1)?.step ?? 0));
  return { kind: 'restored', config: cfg, runs, step, savedAt: saved.savedAt };
}

/**
 * Saves the curves under the setup's URL and returns the notices to show: one SAVE_FAILED_NOTICE while saves
 * keep failing (they are retried with every evaluation), gone once one succeeds. Returns `s.notices` itself
 * when nothing changed.
 */
export function saveCurves(s: PlaygroundState, storage: Storage | null | undefined): readonly string[] {
  const cfg = normaliseIds(s.config);
  const runs = s.config.runs.map((r) => {
    const h = s.runs[r.id] ?? emptyRun();
    const seeds = h.seeds?.map(({ seed, points, diverged }) => ({ seed, points, diverged }));
    return {
      id: r.id,
      points: h.points,
      diverged: h.diverged,
      switches: h.switches,
      changes: h.changes,
      ...(seeds ? { seeds } : {}),
    };
  });
  const outcome = saveRace(toSearch(cfg), runs, storage);
  const notices = s.notices.filter((n) => n !== SAVE_FAILED_NOTICE);
  if (outcome === 'failed') notices.push(SAVE_FAILED_NOTICE);
  return notices.length === s.notices.length ? s.notices : notices;
}

/** A saved branch's parent that had been removed (no run of the restored race has this id). */
const REMOVED_PARENT = 'removed';

/** The record kept with a training-state snapshot, and a signature that is equal for the same checkpoint. */
export function stateEntry(
  s: PlaygroundState,
  state: SavedRaceState,
): { readonly entry: Parameters<typeof saveState>[1]; readonly signature: string } {
  // A reload restores the runs under their positions' ids (normaliseIds): a branch names its parent so.
  const ids = new Map(s.config.runs.map((r, i) => [r.id, normaliseIds(s.config).runs[i]!.id]));
  const origin = (o: NonNullable<RunState['origin']>) => ({
    from: o.from === null ? null : (ids.get(o.from) ?? REMOVED_PARENT),
    step: o.step,
  });
  const curves = s.config.runs.map((r) => {
    const h = s.runs[r.id] ?? emptyRun();
    return {
      points: h.points,
      stride: h.stride,
      diverged: h.diverged,
      switches: h.switches,
      changes: h.changes,
      ...(h.seeds ? { seeds: h.seeds } : {}),
      // Every run's, even unchanged: a record without one is from before the page kept journals.
      journal: h.journal ?? startJournal(r.optimizer),
      ...(h.origin ? { origin: origin(h.origin) } : {}),
      ...(h.journalLost ? { journalLost: true } : {}),
    };
  });
  const entry = { setup: setupKey(s.config), backend: s.backend?.name ?? 'cpu', state, curves };
  const signature = JSON.stringify([
    s.raceId,
    entry.setup,
    state.step,
    state.changes.length,
    state.runs.map((r) => r.diverged),
  ]);
  return { entry, signature };
}

/** The runs' curves as a resumed training state left them. */
export function resumedRuns(config: PlaygroundConfig, rec: StateRecord): Record<string, RunState> {
  const runs: Record<string, RunState> = {};
  config.runs.forEach((r, i) => {
    const c = rec.curves[i];
    // The saved changes name the runs by their ids then (a reload renumbers them): matched by position.
    const changedSince = rec.state.changes.some((x) => x.runId === rec.state.runs[i]?.spec.id);
    runs[r.id] = c
      ? {
          ...emptyRun(),
          points: c.points,
          stride: c.stride,
          diverged: c.diverged,
          switches: c.switches,
          changes: c.changes ?? [],
          ...(c.seeds ? { seeds: c.seeds } : {}),
          ...(c.journal ? { journal: c.journal } : {}),
          ...(c.origin ? { origin: c.origin } : {}),
          ...(journalLost(c, changedSince) ? { journalLost: true } : {}),
        }
      : emptyRun();
  });
  return runs;
}

/**
 * Whether a saved run's settings before its checkpoint are unknown: a record from before the page kept
 * journals, of a run that changed (its chart marks or the worker's journal since the checkpoint say so) or
 * began after step 0 (a branch, perhaps).
 */
function journalLost(c: SavedCurves, changedSince: boolean): boolean {
  if (c.journalLost) return true;
  if (c.journal) return false;
  return changedSince || (c.changes?.length ?? 0) > 0 || (c.points[0]?.step ?? 0) > 0;
}
