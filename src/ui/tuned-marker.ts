/**
 * The "tuned" marker of a run, described once: when it holds (the run's rate is still the tuned one), how the
 * badge, the exports and the URL write it, and how a link's text is read back. In a link it is the fifth part
 * of a run, `t:<steps>:<seed>.<seed>…:<objective>` (the tuned value itself is the run's lr field).
 */
import { inSetupRange, SETUP } from '../engine/page.ts';
import { controlledRun } from '../worker/frozen-control.ts';
import type { RunSpec, TunedMarker, TuneObjective, TuneReport } from '../worker/protocol.ts';

export const TUNE_OBJECTIVES = ['train', 'test'] as const satisfies readonly TuneObjective[];

/** What each objective minimises, in words (the tune panel, the badge's title, the exports). */
export const OBJECTIVE_LABELS: Readonly<Record<TuneObjective, string>> = {
  train: 'final train loss',
  test: 'final test loss (held-out split)',
};

/** Most seeds a search (and so a marker) may use. */
export const MAX_TUNE_SEEDS = 5;
/** Longest budget a marker may name (the page's step-budget limit). */
export const MAX_TUNE_STEPS = 10_000_000;

/** The run's marker while its rate is still the tuned one, else null. */
export function tunedMarker(run: RunSpec): TunedMarker | null {
  return run.tuned && run.tuned.lr === run.optimizer.lr ? run.tuned : null;
}

const seedsText = (seeds: readonly number[]): string =>
  seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds.join(', ')}`;

/** The badge's text, e.g. "tuned · 500 steps · 3 seeds". */
export function badgeText(m: TunedMarker): string {
  const n = m.seeds.length;
  return `tuned · ${m.steps.toLocaleString('en-US')} steps · ${n} seed${n === 1 ? '' : 's'}`;
}

/** The whole protocol in one line: the badge's title and the exports' note. */
export function markerText(m: TunedMarker): string {
  return `lr ${m.lr} tuned on ${m.steps.toLocaleString('en-US')} steps, ${seedsText(m.seeds)}, minimising the ${OBJECTIVE_LABELS[m.objective]}`;
}

/** A link's marker text. */
export function encodeMarker(m: TunedMarker): string {
  return `t:${m.steps}:${m.seeds.join('.')}:${m.objective}`;
}

/** The inverse of encodeMarker for a run whose (decoded) rate is `lr`; problems become a warning and no marker. */
export function decodeMarker(text: string, lr: number, index: number, warnings: string[]): TunedMarker | null {
  const [tag, steps = '', seeds = '', objective = '', ...rest] = text.split(':');
  const stepsN = Number(steps);
  const seedList = seeds.split('.').map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  const ok =
    tag === 't' &&
    rest.length === 0 &&
    /^\d{1,8}$/.test(steps) &&
    stepsN >= 1 &&
    stepsN <= MAX_TUNE_STEPS &&
    seedList.length <= MAX_TUNE_SEEDS &&
    new Set(seedList).size === seedList.length &&
    seedList.every((s) => inSetupRange(SETUP.seed, SETUP.seed.page, s)) &&
    (TUNE_OBJECTIVES as readonly string[]).includes(objective);
  if (!ok) {
    const shown = text.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
    warnings.push(
      `run ${index + 1}: tuned marker '${shown}' is not t:<steps>:<seed>.<seed>…:train|test (at most ${MAX_TUNE_SEEDS} seeds); the run is shown untuned`,
    );
    return null;
  }
  return { lr, steps: stepsN, seeds: seedList, objective: objective as TuneObjective };
}

/**
 * The runs with each tuned rate of `report` applied and marked (a run whose every rate diverged is left as it
 * was). A FishLeg run's frozen-Q control follows its learned run's new rate, unmarked: it isolates what learning
 * Q changes at that rate, and stays recognisable as the control (worker/frozen-control.ts).
 */
export function applyTuned(runs: readonly RunSpec[], report: TuneReport): RunSpec[] {
  const best = new Map(report.results.map((r) => [r.runId, r.best]));
  const marked = runs.map((r) => {
    const lr = best.get(r.id);
    if (lr == null) return r;
    const tuned: TunedMarker = { lr, steps: report.steps, seeds: [...report.seeds], objective: report.objective };
    return { ...r, optimizer: { ...r.optimizer, lr }, tuned };
  });
  return marked.map((r, i) => {
    const learned = controlledRun(runs[i]!, runs);
    const lr = learned ? best.get(learned.id) : null;
    if (lr == null) return r;
    const { tuned: _tuned, ...rest } = r;
    return { ...rest, optimizer: { ...r.optimizer, lr } };
  });
}

/** The runs a search of the whole race covers: all but frozen-Q controls, which follow their learned run. */
export function tunableRuns(runs: readonly RunSpec[]): RunSpec[] {
  return runs.filter((r) => controlledRun(r, runs) === null);
}

/** The parts of a PlaygroundConfig (config.ts, which imports this module) that a marker depends on. */
interface MarkedSetup {
  readonly data: { readonly seed: number; readonly seeds?: number };
  readonly model: { readonly evalEvery: number };
  readonly runs: readonly RunSpec[];
}

/** What a tuned rate was searched on, besides its budget and seeds (which the marker names itself). */
const setupOf = (c: MarkedSetup): string => {
  const { seed: _seed, seeds: _count, ...data } = c.data;
  const { evalEvery: _every, ...model } = c.model;
  return JSON.stringify([data, model]);
};

/**
 * The runs of `next` with the markers they carried over from `prev` taken away when the task, its data or the
 * model changed (the rates were tuned on another setup); markers that came with `next` itself (a preset, a
 * link) stay.
 */
export function keepValidMarkers<C extends MarkedSetup>(prev: MarkedSetup, next: C): C {
  if (setupOf(prev) === setupOf(next)) return next;
  const carried = new Set(prev.runs.map((r) => r.tuned).filter((m) => m !== undefined));
  if (!next.runs.some((r) => r.tuned && carried.has(r.tuned))) return next;
  return {
    ...next,
    runs: next.runs.map((r) => {
      if (!r.tuned || !carried.has(r.tuned)) return r;
      const { tuned: _tuned, ...rest } = r;
      return rest;
    }),
  };
}
