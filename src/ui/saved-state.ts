/**
 * Keeping a race's training state across reloads, so that Play continues where it stopped: the worker's
 * SavedRaceState (every run's parameters, whole optimizer state and step, and the live changes since) with
 * the curves up to the same step, in one IndexedDB record. One race is kept (the latest), at most
 * MAX_STATE_BYTES. What cannot be saved or restored is reported to the caller, which tells the user; a record
 * that fails its checks is never restored (a damaged one is deleted, one of another setup or format is left
 * for the next save to replace).
 */
import type { OptimizerConfig, HostArray } from '../engine/page.ts';
import type { SavedRaceState } from '../worker/protocol.ts';
import type { PlaygroundConfig } from './config.ts';
import type { RunHistory } from './history.ts';
import type { SeedState } from './race-reducer.ts';
import { journalOk, type SettingsJournal } from './settings-journal.ts';

/** Bumped whenever the saved form, or the engine state inside it, changes meaning. */
export const STATE_VERSION = 2;
/** The most a saved race may take (parameters and optimizer state of every run, and its curves). */
export const MAX_STATE_BYTES = 64 * 2 ** 20;

/** A run's curves as the page holds them (its thinning stride, so that appending goes on as before). */
export interface SavedCurves extends RunHistory {
  readonly stride: number;
  readonly seeds?: readonly SeedState[];
  /**
   * The run's whole settings journal (settings-journal.ts), uncut: the changes after the checkpoint are
   * replayed by the worker at their steps. Absent in records saved before the page kept it.
   */
  readonly journal?: SettingsJournal;
  /**
   * Where a run added mid-race came from (RunState.origin), its parent named by the id it is restored under
   * (normaliseIds); a parent since removed by an id no run has.
   */
  readonly origin?: { readonly from: string | null; readonly step: number };
  /** The journal was already incomplete when this was saved (RunState.journalLost). */
  readonly journalLost?: boolean;
}

export interface StateRecord {
  readonly version: number;
  /** setupKey() of the config the race was trained with. */
  readonly setup: string;
  readonly savedAt: string;
  readonly backend: string;
  readonly state: SavedRaceState;
  /** One per run, in the config's order, up to its checkpoint's step for live runs. */
  readonly curves: readonly SavedCurves[];
  readonly bytes: number;
  /**
   * FNV-1a (on 32-bit words) over the whole record but this field: the state (steps, parameters, optimizer
   * buffers, counters and settings, divergence marks, the change journal), the curves and the header fields.
   * Storage that hands back anything else is caught.
   */
  readonly checksum: number;
}

/** Where the record lives; IndexedDB in the page (indexedDbStore), an in-memory one in tests. */
export interface StateStore {
  get(): Promise<unknown>;
  put(record: StateRecord): Promise<void>;
  clear(): Promise<void>;
}

/**
 * What a saved state must match to continue: the data, the model and every run's optimizer settings, in
 * order. Names, colours, the chart, the speed, the budget and the inspected layer do not matter.
 */
export function setupKey(config: PlaygroundConfig): string {
  return JSON.stringify([config.data, config.model, config.runs.map((r) => r.optimizer)]);
}

/** The float arrays of a saved state, in a fixed order. */
function arrays(state: SavedRaceState): HostArray[] {
  const out: HostArray[] = [];
  for (const r of state.runs) {
    for (const cp of [r.checkpoint, ...(r.replicas ?? []).map((x) => x.checkpoint)]) {
      const s = cp.state;
      if (!s) continue;
      out.push(s.params);
      for (const name of Object.keys(s.optimizer.tensors).sort()) out.push(s.optimizer.tensors[name]!);
    }
  }
  return out;
}

/**
 * FNV-1a over a structured-clonable value, walked in a fixed order (object keys sorted), each part tagged
 * with its type so that `[1, 2]` and `"1,2"` differ. Float arrays are hashed word by word (they are 4-byte
 * aligned, and a megabyte-sized state hashes in milliseconds); numbers by their float64 bits (NaN and −0 too).
 */
function hashValue(v: unknown): number {
  let h = 0x811c9dc5;
  const word = (w: number) => (h = Math.imul(h ^ w, 0x01000193));
  const bits = new DataView(new ArrayBuffer(8));
  const walk = (x: unknown): void => {
    if (x === null) return void word(1);
    if (x === undefined) return void word(2);
    switch (typeof x) {
      case 'boolean':
        return void word(x ? 3 : 4);
      case 'number':
        bits.setFloat64(0, x);
        word(5);
        word(bits.getUint32(0));
        return void word(bits.getUint32(4));
      case 'string':
        word(6);
        word(x.length);
        for (let i = 0; i < x.length; i++) word(x.charCodeAt(i));
        return;
      default:
        break;
    }
    if (x instanceof Float32Array || x instanceof Float64Array || x instanceof Uint32Array) {
      word(x instanceof Float32Array ? 7 : x instanceof Float64Array ? 8 : 9);
      const words = new Uint32Array(x.buffer, x.byteOffset, x.byteLength / 4);
      word(words.length);
      for (let i = 0; i < words.length; i++) word(words[i]!);
      return;
    }
    if (Array.isArray(x)) {
      word(10);
      word(x.length);
      for (const e of x) walk(e);
      return;
    }
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      word(11);
      word(keys.length);
      for (const k of keys) {
        walk(k);
        walk(o[k]);
      }
      return;
    }
    // Functions and symbols cannot be stored: a record holding one is not what was saved.
    word(12);
  };
  walk(v);
  return h >>> 0;
}

/** The checksum of a record: every field but `checksum` itself. */
function recordChecksum(record: Readonly<Record<string, unknown>>): number {
  const { checksum: _, ...rest } = record;
  return hashValue(rest);
}

/** Bytes a point takes in storage, roughly (ten numbers). */
const POINT_BYTES = 80;

function sizeOf(state: SavedRaceState, curves: readonly SavedCurves[]): number {
  const floats = arrays(state).reduce((n, a) => n + a.byteLength, 0);
  const points = (c: SavedCurves) => c.points.length + (c.seeds ?? []).reduce((n, x) => n + x.points.length, 0);
  return floats + POINT_BYTES * curves.reduce((n, c) => n + points(c), 0);
}

const MB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** What became of a save. */
export type StateSaveOutcome =
  | { readonly kind: 'saved'; readonly bytes: number }
  | ({ readonly kind: 'tooLarge'; readonly bytes: number } & Survivor)
  | ({ readonly kind: 'full' } & Survivor)
  | ({ readonly kind: 'failed'; readonly reason: string } & Survivor)
  | { readonly kind: 'unavailable' };

/** What a reload resumes from after a save that did not happen: an older record of the same setup, if one is kept. */
export interface Survivor {
  /** The step of the kept record's race; null when none of this setup is kept (Play then starts from 0). */
  readonly keptStep: number | null;
}

/** The step of the record kept for `setup`, if one passes every check (a save that failed left it in place). */
async function keptStep(store: StateStore, setup: string): Promise<number | null> {
  const kept = await loadState(store, setup);
  return kept.kind === 'ok' ? kept.record.state.step : null;
}

/** Saves the race (replacing the one kept); never throws. Live runs' curves are cut at their checkpoint's step. */
export async function saveState(
  store: StateStore | null,
  entry: { setup: string; backend: string; state: SavedRaceState; curves: readonly SavedCurves[] },
  limit = MAX_STATE_BYTES,
): Promise<StateSaveOutcome> {
  if (!store) return { kind: 'unavailable' };
  const { state } = entry;
  // Each at its own checkpoint: a run added mid-race that was still catching up restarts from its own.
  const curves = entry.curves.map((c, i) => {
    const r = state.runs[i];
    return cutCurves(c, r?.diverged ?? null, r ? (r.checkpoint.state?.step ?? 0) : state.step);
  });
  const bytes = sizeOf(state, curves);
  if (bytes > limit) return { kind: 'tooLarge', bytes, keptStep: await keptStep(store, entry.setup) };
  const fields = {
    version: STATE_VERSION,
    setup: entry.setup,
    savedAt: new Date().toISOString(),
    backend: entry.backend,
    state,
    curves,
    bytes,
  };
  const record: StateRecord = { ...fields, checksum: recordChecksum(fields) };
  try {
    await store.put(record);
    return { kind: 'saved', bytes };
  } catch (e) {
    const survivor = { keptStep: await keptStep(store, entry.setup) };
    if (e instanceof Error && e.name === 'QuotaExceededError') return { kind: 'full', ...survivor };
    return { kind: 'failed', reason: e instanceof Error ? e.message : String(e), ...survivor };
  }
}

/** A live run's curves up to `step` (the rest is trained again); a diverged run's (or seed's) stay whole. */
export function cutCurves(c: SavedCurves, diverged: number | null, step: number): SavedCurves {
  if (diverged !== null) return c;
  const seeds = c.seeds?.map((x) =>
    x.diverged !== null ? x : { ...x, points: x.points.filter((p) => p.step <= step) },
  );
  return {
    ...c,
    ...(seeds ? { seeds } : {}),
    points: c.points.filter((p) => p.step <= step),
    switches: c.switches.filter((s) => s.step <= step),
    ...(c.changes ? { changes: c.changes.filter((m) => m.step <= step) } : {}),
  };
}

/** What loading found. */
export type StateLoadOutcome =
  | { readonly kind: 'ok'; readonly record: StateRecord }
  | { readonly kind: 'none' }
  /** A record of another setup, kept for the next save to replace. */
  | { readonly kind: 'other' }
  /** Readable but unusable (another format, damaged); `reason` is a clause for the user. */
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isFloats = (v: unknown): v is HostArray => v instanceof Float32Array || v instanceof Float64Array;
const isStepOrNull = (v: unknown): boolean => v === null || isCount(v);

/** The first problem of a saved run (or null); sizes are the engine's to check when it restores. */
function runProblem(r: unknown): string | null {
  if (!isObject(r) || !isObject(r.spec)) return 'its fields are missing';
  const own = replicaProblem(r);
  if (own) return own;
  if (r.replicas === undefined) return null;
  if (!Array.isArray(r.replicas)) return "its other seeds' states are malformed";
  for (const x of r.replicas as unknown[]) {
    if (!isObject(x) || !isCount(x.seed)) return "its other seeds' states are malformed";
    const p = replicaProblem(x);
    if (p) return `seed ${x.seed}: ${p}`;
  }
  return null;
}

/** The first problem of one seed's saved state (a run's own or a replica's). */
function replicaProblem(r: Loose): string | null {
  if (!isObject(r.checkpoint)) return 'its fields are missing';
  if (!isStepOrNull(r.diverged) || !(r.initialLoss === null || typeof r.initialLoss === 'number')) {
    return 'its divergence marks are malformed';
  }
  const cp = r.checkpoint;
  if (!isObject(cp.spec) || !isOptimizer(cp.spec.optimizer) || typeof cp.seconds !== 'number') {
    return 'its settings are malformed';
  }
  if (typeof cp.spec.id !== 'string') return 'its run id is missing';
  if (cp.state === null) return null;
  const s = cp.state as Loose;
  if (!isObject(s) || !isCount(s.step) || !isFloats(s.params)) return 'its parameters are missing';
  const o = s.optimizer as Loose;
  if (!isObject(o) || !isOptimizer(o.config) || !isObject(o.tensors) || !isObject(o.counters)) {
    return 'its optimizer state is missing';
  }
  if (!Object.values(o.tensors).every(isFloats)) return 'an optimizer buffer is not a float array';
  if (!Object.values(o.counters).every((c) => typeof c === 'number')) return 'an optimizer counter is not a number';
  return null;
}

const isOptimizer = (v: unknown): v is OptimizerConfig => isObject(v) && typeof v.kind === 'string';

function curvesProblem(c: unknown): string | null {
  if (!isObject(c) || !Array.isArray(c.points) || !Array.isArray(c.switches)) return 'its curves are missing';
  if (!isCount(c.stride) || c.stride < 1 || !isStepOrNull(c.diverged)) return 'its curves are malformed';
  if (!(c.points as unknown[]).every(pointOk)) return 'its curves hold malformed points';
  if (!(c.journal === undefined || journalOk(c.journal))) return 'its settings journal is malformed';
  const o = c.origin;
  if (!(o === undefined || (isObject(o) && (o.from === null || typeof o.from === 'string') && isCount(o.step)))) {
    return 'its branch point is malformed';
  }
  if (!(c.journalLost === undefined || typeof c.journalLost === 'boolean')) return 'its curves are malformed';
  if (c.seeds === undefined) return null;
  const seedOk = (x: unknown): boolean =>
    isObject(x) &&
    isCount(x.seed) &&
    isCount(x.stride) &&
    x.stride >= 1 &&
    isStepOrNull(x.diverged) &&
    Array.isArray(x.points) &&
    x.points.every(pointOk);
  if (!Array.isArray(c.seeds) || !c.seeds.every(seedOk)) return "its seeds' curves are malformed";
  return null;
}

const pointOk = (p: unknown): boolean =>
  isObject(p) &&
  isCount(p.step) &&
  ['seconds', 'trainLoss', 'testLoss', 'msPerStep'].every((k) => typeof p[k] === 'number');

/** Why a record cannot be used (null when it can). */
function recordProblem(raw: Loose): string | null {
  if (typeof raw.setup !== 'string' || typeof raw.savedAt !== 'string' || typeof raw.backend !== 'string') {
    return 'its fields are missing';
  }
  const state = raw.state as Loose;
  if (!isObject(state) || !isCount(state.step) || !Array.isArray(state.runs) || !Array.isArray(state.changes)) {
    return 'its training state is missing';
  }
  for (const [i, r] of (state.runs as unknown[]).entries()) {
    const p = runProblem(r);
    if (p) return `run ${i + 1}: ${p}`;
  }
  const changeOk = (c: unknown): boolean =>
    isObject(c) && typeof c.runId === 'string' && isCount(c.step) && isOptimizer(c.optimizer);
  if (!(state.changes as unknown[]).every(changeOk)) return 'its journal of live changes is malformed';
  if (!Array.isArray(raw.curves) || raw.curves.length !== state.runs.length) return 'its curves do not match its runs';
  for (const [i, c] of (raw.curves as unknown[]).entries()) {
    const p = curvesProblem(c);
    if (p) return `run ${i + 1}: ${p}`;
  }
  if (raw.checksum !== recordChecksum(raw)) return 'its data is damaged';
  return null;
}

/** The kept race if it belongs to `setup` and passes every check. Never throws. */
export async function loadState(store: StateStore | null, setup: string): Promise<StateLoadOutcome> {
  if (!store) return { kind: 'unavailable', reason: 'this browser offers no IndexedDB' };
  let raw: unknown;
  try {
    raw = await store.get();
  } catch (e) {
    return { kind: 'unavailable', reason: e instanceof Error ? e.message : String(e) };
  }
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (!isObject(raw)) return damaged(store, 'it is not a saved race');
  if (raw.version !== STATE_VERSION) {
    return {
      kind: 'rejected',
      reason: `it was saved by another version of the playground (format ${String(raw.version)}; this one reads ${STATE_VERSION})`,
    };
  }
  const problem = recordProblem(raw);
  if (problem) return damaged(store, problem);
  const record = raw as unknown as StateRecord;
  if (record.setup !== setup) return { kind: 'other' };
  return { kind: 'ok', record };
}

async function damaged(store: StateStore, reason: string): Promise<StateLoadOutcome> {
  // Nothing can repair it, and left in place it would be reported on every visit.
  try {
    await store.clear();
  } catch {
    /* the next save replaces it */
  }
  return { kind: 'rejected', reason };
}

/** The notice for a save that did not happen (null when it did). */
export function saveNotice(outcome: StateSaveOutcome, limit = MAX_STATE_BYTES): string | null {
  const kept = 'keptStep' in outcome ? outcome.keptStep : null;
  const after =
    kept === null
      ? 'after a reload, Play would start this race from step 0'
      : `after a reload, Play would resume this race from step ${kept}, where it was last saved`;
  switch (outcome.kind) {
    case 'saved':
      return null;
    case 'tooLarge':
      return `The training state (${MB(outcome.bytes)}) is over the ${MB(limit)} the page keeps, so it was not saved: ${after}. The curves are kept.`;
    case 'full':
      return `The browser’s storage is full, so the training state was not saved: ${after}.`;
    case 'failed':
      return `The training state could not be saved (${outcome.reason}): ${after}.`;
    case 'unavailable':
      return `This browser keeps no training state (IndexedDB is unavailable): ${after}.`;
    default:
      return outcome satisfies never;
  }
}

/** The notice for a saved state that could not be resumed. */
export function resumeNotice(reason: string): string {
  return `The training state saved on an earlier visit could not be restored (${reason}); Play starts this race from step 0.`;
}

const DB_NAME = 'fishleg-playground';
const OBJECT_STORE = 'race';
const KEY = 'latest';

/** The page's store: one record in IndexedDB; null where the browser has none. */
export function indexedDbStore(factory: IDBFactory | undefined = globalThis.indexedDB): StateStore | null {
  if (!factory) return null;
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(OBJECT_STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    db.catch(() => (db = null));
    return db;
  };
  const run = async <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const tx = (await open()).transaction(OBJECT_STORE, mode);
    const req = op(tx.objectStore(OBJECT_STORE));
    return new Promise<T>((resolve, reject) => {
      // Resolved once the transaction is durable; a quota error surfaces as the transaction's error.
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = () => reject(tx.error ?? req.error ?? new Error('the IndexedDB transaction was aborted'));
      tx.onerror = () => reject(tx.error ?? req.error ?? new Error('the IndexedDB transaction failed'));
    });
  };
  return {
    get: () => run('readonly', (s) => s.get(KEY) as IDBRequest<unknown>),
    put: async (record) => void (await run('readwrite', (s) => s.put(record, KEY))),
    clear: async () => void (await run('readwrite', (s) => s.delete(KEY))),
  };
}
