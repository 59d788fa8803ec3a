/**
 * Keeping and exporting run histories: curves are saved to localStorage (bounded: thinned points, one race)
 * keyed by the config's URL so that a reload of the same link finds them, and exported as CSV, JSON or, for
 * a chart, PNG (chart-export.ts). A save that the storage refuses and a saved race that cannot be
 * read are reported to the caller, which tells the user: curves are never lost silently.
 */
import { FISHLEG_APPROXES, type FishLegApprox } from '../engine/page.ts';
import type { MetricPoint, RunSpec } from '../worker/protocol.ts';
import { thin } from './downsample.ts';
import { changeLabel, type ChangeMark } from './marks.ts';
import { markerText, tunedMarker } from './tuned-marker.ts';

/** One run's curves and marks. */
export interface RunHistory {
  readonly points: readonly MetricPoint[];
  readonly diverged: number | null;
  readonly switches: readonly { readonly step: number; readonly approx: FishLegApprox }[];
  /** Live changes of its settings, at the steps they took effect (marks/ChangeMark). */
  readonly changes?: readonly ChangeMark[];
  /**
   * A race on several seeds: every seed's curve, the first seed's too (`points` is that one's), in seed order.
   * Absent on one seed.
   */
  readonly seeds?: readonly SeedHistory[];
}

/** One seed's replica of a run. */
export interface SeedHistory {
  readonly seed: number;
  readonly points: readonly MetricPoint[];
  /** Where this seed's replica diverged (it stopped there), or null. */
  readonly diverged: number | null;
}

export interface SavedRace {
  readonly version: 1;
  /** toSearch of the config the curves belong to. */
  readonly search: string;
  readonly savedAt: string;
  readonly runs: readonly (RunHistory & { readonly id: string })[];
}

export const STORAGE_KEY = 'fishleg-playground:history:v1';
/** Points kept per run in storage (the whole save stays well under localStorage's ~5 MB). */
export const SAVED_POINTS = 500;

/** The storage the page uses; null where there is none (Node, private modes that throw). */
/** The page's localStorage, or null where the browser has none or refuses it. */
export function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** What became of a save: written, refused by the storage (full, or disabled by the browser), or no storage. */
export type SaveOutcome = 'saved' | 'failed' | 'unavailable';

/** Saves a race's histories. A failure is reported, never thrown: the race goes on without persistence. */
export function saveRace(
  search: string,
  runs: readonly (RunHistory & { id: string })[],
  store = storage(),
): SaveOutcome {
  if (!store) return 'unavailable';
  const saved: SavedRace = {
    version: 1,
    search,
    savedAt: new Date().toISOString(),
    runs: runs.map((r) => ({
      ...r,
      points: thin(r.points, SAVED_POINTS),
      ...(r.seeds ? { seeds: r.seeds.map((c) => ({ ...c, points: thin(c.points, SAVED_POINTS) })) } : {}),
    })),
  };
  try {
    store.setItem(
      STORAGE_KEY,
      JSON.stringify(saved, (_k, v: unknown) => (Number.isNaN(v) ? null : v)),
    );
    return 'saved';
  } catch {
    return 'failed'; // QuotaExceededError, or a storage that refuses writes
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** What loading found: a race of this config, nothing for it, or a saved race that could not be read. */
export type LoadOutcome =
  | { readonly kind: 'race'; readonly race: SavedRace }
  | { readonly kind: 'none' }
  | { readonly kind: 'damaged'; readonly reason: string };

const NONE: LoadOutcome = { kind: 'none' };

function damaged(reason: string, store: Storage): LoadOutcome {
  // Left in place it would be reported on every visit, and nothing can repair it.
  try {
    store.removeItem(STORAGE_KEY);
  } catch {
    /* a storage that refuses even this is reported by the next save */
  }
  return { kind: 'damaged', reason };
}

const finiteOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isStep = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): boolean => typeof v === 'string';

/** What is wrong with a saved run besides its points (null when nothing is). */
function runProblem(r: Record<string, unknown>): string | null {
  if (typeof r.id !== 'string' || r.id === '') return 'has no id';
  if (!(r.diverged === undefined || r.diverged === null || isStep(r.diverged)))
    return 'has a malformed divergence mark';
  const switchOk = (s: unknown) =>
    isObj(s) && isStep(s.step) && (FISHLEG_APPROXES as readonly unknown[]).includes(s.approx);
  if (!(r.switches === undefined || (Array.isArray(r.switches) && r.switches.every(switchOk)))) {
    return 'has malformed switch marks';
  }
  const changeOk = (c: unknown) =>
    isObj(c) &&
    isStep(c.step) &&
    Array.isArray(c.changes) &&
    c.changes.every((d) => isObj(d) && isText(d.key) && isText(d.from) && isText(d.to));
  if (!(r.changes === undefined || (Array.isArray(r.changes) && r.changes.every(changeOk)))) {
    return 'has malformed change marks';
  }
  const points = r.points as Record<string, unknown>[];
  if (!points.every(extraOk)) return 'has malformed points';
  const seedOk = (c: unknown) =>
    isObj(c) &&
    isStep(c.seed) &&
    (c.diverged === null || isStep(c.diverged)) &&
    Array.isArray(c.points) &&
    c.points.every((p) => isPoint(p) && extraOk(p as Record<string, unknown>));
  if (!(r.seeds === undefined || (Array.isArray(r.seeds) && r.seeds.every(seedOk)))) {
    return "has malformed seeds' curves";
  }
  return null;
}

const extraOk = (p: Record<string, unknown>) =>
  ['trainAccuracy', 'testAccuracy', 'trainMse', 'testMse', 'auxLoss'].every(
    (k) => p[k] === undefined || finiteOrNull(p[k]),
  );

const isPoint = (p: unknown): boolean =>
  isObj(p) &&
  typeof p.step === 'number' &&
  ['seconds', 'trainLoss', 'testLoss', 'msPerStep'].every((k) => finiteOrNull(p[k]));

/** A saved point as the page uses it (validated by isPoint and extraOk). */
function readPoint(p: Record<string, unknown>): MetricPoint {
  return {
    step: num(p.step),
    seconds: num(p.seconds),
    trainLoss: num(p.trainLoss),
    testLoss: num(p.testLoss),
    ...(p.trainAccuracy !== undefined
      ? { trainAccuracy: num(p.trainAccuracy), testAccuracy: num(p.testAccuracy) }
      : {}),
    ...(p.trainMse !== undefined ? { trainMse: num(p.trainMse), testMse: num(p.testMse) } : {}),
    auxLoss: typeof p.auxLoss === 'number' ? p.auxLoss : null,
    msPerStep: num(p.msPerStep),
  };
}

/** The saved race for `search`, validated field by field. */
export function loadRace(search: string, store = storage()): LoadOutcome {
  let text: string | null;
  try {
    text = store?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return NONE; // storage disabled: there is nothing to restore
  }
  if (!text || !store) return NONE;
  type Loose = Record<string, unknown>;
  let raw: { version?: unknown; search?: unknown; savedAt?: unknown; runs?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return damaged('it is not valid JSON', store);
  }
  if (typeof raw !== 'object' || raw === null) return damaged('it is not a saved race', store);
  if (raw.version !== 1) return damaged(`it has an unknown format (version ${String(raw.version)})`, store);
  if (typeof raw.search !== 'string' || !Array.isArray(raw.runs)) return damaged('its fields are missing', store);
  if (raw.search !== search) return NONE; // curves of another setup: kept for when that link is opened
  const runs = raw.runs as unknown[];
  const bad = runs.findIndex(
    (r) =>
      typeof r !== 'object' ||
      r === null ||
      !Array.isArray((r as Loose).points) ||
      !((r as Loose).points as unknown[]).every(isPoint),
  );
  if (bad >= 0) return damaged(`run ${bad + 1} has malformed points`, store);
  // Every other field is checked too: a mark or an id read as something else would be shown as if saved.
  const other = (runs as Loose[]).map(runProblem).findIndex((p) => p !== null);
  if (other >= 0) return damaged(`run ${other + 1} ${runProblem((runs as Loose[])[other]!)!}`, store);
  const list = <T>(v: unknown, f: (x: Loose) => T): T[] => (Array.isArray(v) ? (v as Loose[]).map(f) : []);
  const race: SavedRace = {
    version: 1,
    search,
    savedAt: String(raw.savedAt),
    runs: (runs as Loose[]).map((r) => ({
      id: String(r.id),
      diverged: typeof r.diverged === 'number' ? r.diverged : null,
      switches: list(r.switches, (s) => ({ step: num(s.step), approx: s.approx as FishLegApprox })),
      changes: list(r.changes, (c) => ({
        step: num(c.step),
        changes: list(c.changes, (d) => ({ key: String(d.key), from: String(d.from), to: String(d.to) })),
      })).filter((c) => Number.isFinite(c.step) && c.changes.length > 0),
      points: list(r.points, readPoint),
      ...(Array.isArray(r.seeds)
        ? {
            seeds: list(r.seeds, (c) => ({
              seed: num(c.seed),
              diverged: typeof c.diverged === 'number' ? c.diverged : null,
              points: list(c.points, readPoint),
            })),
          }
        : {}),
    })),
  };
  return { kind: 'race', race };
}

const COLUMNS = [
  'step',
  'seconds',
  'trainLoss',
  'testLoss',
  'trainAccuracy',
  'testAccuracy',
  'trainMse',
  'testMse',
  'auxLoss',
  'msPerStep',
] as const;

/** Quotes a CSV field when it holds a comma, quote or line break. */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A run's marks as the chart labels them, by step: approximation switches, live changes, divergence. */
export function historyEvents(history: RunHistory): { step: number; event: string }[] {
  const events = [
    ...history.switches.map((s) => ({ step: s.step, event: `switch → ${s.approx}` })),
    ...(history.changes ?? []).map((c) => ({ step: c.step, event: changeLabel(c.changes) })),
    ...(history.diverged !== null ? [{ step: history.diverged, event: 'diverged' }] : []),
  ];
  return events.sort((a, b) => a.step - b.step);
}

/** The columns each seed of a race on several seeds adds to the CSV (its step is the row's). */
const SEED_COLUMNS = COLUMNS.filter((c) => c !== 'step');

/** A seed's column of a CSV export: `trainLoss_seed3`. */
export const seedColumn = (column: string, seed: number): string => `${column}_seed${seed}`;

/**
 * Every stored point of every run, one row each, and a row per mark (switch, live change, divergence; a tuned
 * run's budget at step 0) with only its step and the `event` column, in step order after the point of the same
 * step. On several seeds the plain columns are the first seed's and every seed has its own columns
 * (`trainLoss_seed2`, …) on each row.
 */
export function toCsv(runs: readonly { spec: RunSpec; history: RunHistory }[]): string {
  const seeds = [...new Set(runs.flatMap((r) => (r.history.seeds ?? []).map((c) => c.seed)))].sort((a, b) => a - b);
  const seedHeads = seeds.flatMap((seed) => SEED_COLUMNS.map((c) => seedColumn(c, seed)));
  const lines = [['run', 'optimizer', ...COLUMNS, ...seedHeads, 'event'].join(',')];
  const cellsOf = (p: MetricPoint | undefined, columns: readonly string[]) => {
    const rec = (p ?? {}) as Record<string, unknown>;
    return columns.map((c) => (typeof rec[c] === 'number' && Number.isFinite(rec[c]) ? String(rec[c]) : ''));
  };
  for (const { spec, history } of runs) {
    const rows: { step: number; line: string }[] = [];
    const head = [csvField(spec.name), spec.optimizer.kind];
    const bySeed = seeds.map((seed) => {
      const c = history.seeds?.find((x) => x.seed === seed);
      return new Map((c?.points ?? []).map((p) => [p.step, p]));
    });
    const own = new Map(history.points.map((p) => [p.step, p]));
    const steps = [...new Set([...own.keys(), ...bySeed.flatMap((m) => [...m.keys()])])].sort((a, b) => a - b);
    for (const step of steps) {
      const cells = cellsOf(own.get(step), COLUMNS);
      cells[0] = String(step);
      const perSeed = bySeed.flatMap((m) => cellsOf(m.get(step), SEED_COLUMNS));
      rows.push({ step, line: [...head, ...cells, ...perSeed, ''].join(',') });
    }
    const blank = seedHeads.map(() => '');
    const tuned = tunedMarker(spec);
    const events = [...(tuned ? [{ step: 0, event: `tuned: ${markerText(tuned)}` }] : []), ...historyEvents(history)];
    for (const e of events) {
      const cells = COLUMNS.map((c) => (c === 'step' ? String(e.step) : ''));
      rows.push({ step: e.step, line: [...head, ...cells, ...blank, csvField(e.event)].join(',') });
    }
    // A stable sort: a step's point stays before its marks.
    rows.sort((a, b) => a.step - b.step);
    lines.push(...rows.map((r) => r.line));
  }
  return `${lines.join('\n')}\n`;
}

/** The config and every run's history as JSON (NaN as null); `tuned` is the run's marker or null. */
export function toJson(search: string, runs: readonly { spec: RunSpec; history: RunHistory }[]): string {
  return JSON.stringify(
    { search, runs: runs.map((r) => ({ ...r.spec, tuned: tunedMarker(r.spec), ...r.history })) },
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}

/** Offers a blob as a download. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
