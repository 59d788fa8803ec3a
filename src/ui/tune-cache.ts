/**
 * Learning-rate searches kept in the browser's storage per setup, so that re-opening a setup does not search
 * again. A result is keyed by everything that decides it except the rate it started from: the task and its data,
 * the model, the batch and evaluation interval, the budget, the seeds, the objective, and the run's optimizer
 * settings other than lr. At most MAX_ENTRIES are kept, the oldest dropped first; a damaged store is ignored.
 */
import type { OptimizerConfig } from '../engine/page.ts';
import type { RunSpec, TuneObjective, TuneResult } from '../worker/protocol.ts';
import type { PlaygroundConfig } from './config.ts';
import { storage as pageStorage } from './history.ts';

export const TUNE_CACHE_KEY = 'fishleg-playground:tune-cache:v1';
export const MAX_ENTRIES = 64;

export interface TuneSetup {
  readonly config: Pick<PlaygroundConfig, 'data' | 'model'>;
  /** The loaded CSV's text where the task is one (its name alone does not decide the result). */
  readonly csvText?: string | null;
  readonly steps: number;
  readonly seeds: readonly number[];
  readonly objective: TuneObjective;
}

/** 32-bit FNV-1a, as 8 hex digits: a short key for a long text (not a security measure). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Object keys sorted, so that the same settings in another order give the same key. */
const canonical = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, canonical(x)]),
      )
    : Array.isArray(v)
      ? v.map(canonical)
      : v;

/** The key of one run's search on a setup. */
export function tuneKey(setup: TuneSetup, optimizer: OptimizerConfig): string {
  const { lr: _lr, ...rest } = optimizer;
  // The race's own seed and seed count do not decide a search: its `seeds` do.
  const { seed: _seed, seeds: _count, ...data } = setup.config.data;
  const text = JSON.stringify(
    canonical({
      data,
      csv: setup.config.data.task === 'csv' ? fnv1a(setup.csvText ?? '') : null,
      model: setup.config.model,
      steps: setup.steps,
      seeds: setup.seeds,
      objective: setup.objective,
      optimizer: rest,
    }),
  );
  // Two hashes of the text make an accidental collision between the few dozen kept entries negligible.
  return `${fnv1a(text)}${fnv1a(`${text.length}:${text}`)}`;
}

type Entries = [string, TuneResult][];

/** undefined: the page's localStorage; null: none. */
type Store = Storage | null | undefined;

function read(store: Store): Entries {
  try {
    const raw = (store === undefined ? pageStorage() : store)?.getItem(TUNE_CACHE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as Entries).filter((e) => Array.isArray(e) && e.length === 2) : [];
  } catch {
    return [];
  }
}

/** JSON has no ∞: a diverged rate's score is written as null and read back as +∞. */
const revive = (r: TuneResult): TuneResult => ({
  ...r,
  points: r.points.map((p) => ({ ...p, score: p.score === null ? Infinity : p.score })),
});

/** The kept result of this run's search on this setup, as the run's own (its id and name), or null. */
export function lookupTune(storage: Store, setup: TuneSetup, run: RunSpec): TuneResult | null {
  const key = tuneKey(setup, run.optimizer);
  const hit = read(storage).find(([k]) => k === key)?.[1];
  if (!hit || !Array.isArray(hit.points)) return null;
  return { ...revive(hit), runId: run.id, name: run.name };
}

/** Keeps a search's result; false when the storage refused it (full, or none). */
export function storeTune(store: Store, setup: TuneSetup, run: RunSpec, result: TuneResult): boolean {
  const storage = store === undefined ? pageStorage() : store;
  if (!storage) return false;
  const key = tuneKey(setup, run.optimizer);
  const entries = read(storage).filter(([k]) => k !== key);
  entries.push([key, result]);
  try {
    storage.setItem(
      TUNE_CACHE_KEY,
      JSON.stringify(entries.slice(-MAX_ENTRIES), (_k, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v) ? null : v,
      ),
    );
    return true;
  } catch {
    return false;
  }
}
