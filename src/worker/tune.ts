/**
 * Learning-rate tuning on a race's own budget: every run of the race is tried at a log grid of learning
 * rates around its own (by default 7 points from ÷10 to ×10, a third of a decade apart), on the race's task,
 * model, batch and step budget, on every given seed, all variants of all runs trained together in one
 * lock-step race per seed (so they share initial weights and batches). Protocol: the score of a rate is the
 * mean over seeds of the final training loss at the budget (or the final test loss with objective 'test'); a
 * rate is diverged when, on any seed, the divergence rule (engine/divergence.ts) stopped it or its final loss
 * is not finite; a diverged rate is never chosen. When the best rate sits at an end of the grid the grid is extended past that
 * end (two points at a time, at most `extensions` times), so the choice is not an artefact of where the grid
 * stopped. Only the learning rate is searched; every other setting stays the run's own.
 */
import { type Backend, type Dataset, OptimizerConfigError, validateOptimizer } from '../engine/index.ts';
import { runHeadless, type HeadlessCurve } from './headless-race.ts';
import type { RaceSpec, RunSpec, TuneObjective, TunePoint, TuneReport, TuneResult } from './protocol.ts';

export type { TuneObjective, TunePoint, TuneReport, TuneResult };

export interface TuneOptions {
  /** Steps of the budget (the race's). */
  readonly steps: number;
  readonly evalEvery?: number;
  /** Seeds tried; each seeds the data, the initial weights and the batches, as the race's own seed does. */
  readonly seeds: readonly number[];
  /** Multipliers of each run's learning rate (default: 10^(k/3), k = −3…3). At least 5, increasing. */
  readonly factors?: readonly number[];
  readonly objective?: TuneObjective;
  /** How many times the grid may grow past an end where the best rate sits (default 2). */
  readonly extensions?: number;
  /** Called as the races train: fraction of the work done so far, never falling (an estimate past extensions). */
  readonly onProgress?: (done: number) => void;
  /** Checked between slices of steps: when it says so, tuning stops and the call throws RaceCancelled. */
  readonly cancelled?: () => boolean;
  /** Most steps trained at once between checks of `cancelled` (default: the evaluation interval). */
  readonly slice?: number;
  /** Awaited between slices (a worker yields to its message queue so that a cancel gets through). */
  readonly between?: () => Promise<void>;
}

export const DEFAULT_FACTORS: readonly number[] = [-3, -2, -1, 0, 1, 2, 3].map((k) => 10 ** (k / 3));

/** Thrown for tuning requests that cannot be carried out (too few grid points, no seeds). */
export class TuneError extends Error {
  override readonly name = 'TuneError';
}

/** A rate shown with 3 significant digits and used as shown, so that the URL and the exports reproduce it. */
const round = (x: number): number => Number(x.toPrecision(3));

interface Candidate {
  readonly run: RunSpec;
  readonly lr: number;
}

/** Tunes every run of `spec`; `load(seed)` gives the race's dataset for a seed. */
export async function tuneRace(
  backend: Backend,
  load: (seed: number) => Promise<Dataset>,
  spec: RaceSpec,
  options: TuneOptions,
): Promise<TuneReport> {
  const factors = options.factors ?? DEFAULT_FACTORS;
  const objective = options.objective ?? 'train';
  const extensions = options.extensions ?? 2;
  if (factors.length < 5) throw new TuneError(`a learning-rate grid needs at least 5 points, not ${factors.length}`);
  if (!factors.every((f, i) => f > 0 && Number.isFinite(f) && (i === 0 || f > factors[i - 1]!)))
    throw new TuneError('grid factors must be positive and increasing');
  if (options.seeds.length === 0) throw new TuneError('tuning needs at least one seed');
  const ratio = factors.at(-1)! / factors.at(-2)!;
  const lowRatio = factors[1]! / factors[0]!;

  const points = new Map<string, Map<number, TunePoint>>(spec.runs.map((r) => [r.id, new Map()]));
  let work = spec.runs.length * factors.length;
  let done = 0;
  let reported = 0;
  // Extensions add work, so the raw fraction can fall back: the bar only ever moves forward.
  const report = (fraction: number): void => {
    reported = Math.max(reported, Math.min(1, fraction));
    options.onProgress?.(reported);
  };
  const evaluate = async (candidates: readonly Candidate[]): Promise<void> => {
    const valid = candidates.filter((c) => isValidRate(c.run, c.lr));
    const perSeed: HeadlessCurve[][] = [];
    for (const seed of options.seeds) {
      const data = await load(seed);
      const runs = valid.map((c, i) => ({
        ...c.run,
        id: `${c.run.id}@${i}`,
        optimizer: { ...c.run.optimizer, lr: c.lr },
      }));
      const seedIndex = perSeed.length;
      perSeed.push(
        await runHeadless(
          backend,
          data,
          // One seed per headless race: the search runs its seeds one after another.
          { ...spec, data: { ...spec.data, seed, seeds: 1 }, runs },
          {
            steps: options.steps,
            ...(options.evalEvery !== undefined ? { evalEvery: options.evalEvery } : {}),
            ...(options.slice !== undefined ? { slice: options.slice } : {}),
            ...(options.cancelled ? { cancelled: options.cancelled } : {}),
            ...(options.between ? { between: options.between } : {}),
            onStep: (step) => {
              const share = (seedIndex + step / Math.max(1, options.steps)) / options.seeds.length;
              report((done + valid.length * share) / work);
            },
          },
        ),
      );
    }
    done += valid.length;
    valid.forEach((c, i) => {
      const finals = perSeed.map((curves) => finalOf(curves[i]!, options.steps));
      const diverged = finals.some((f) => f === null);
      const train = finals.map((f) => f?.train ?? null);
      const test = finals.map((f) => f?.test ?? null);
      const chosen = objective === 'train' ? train : test;
      const score = diverged || chosen.some((x) => x === null) ? Infinity : mean(chosen as number[]);
      points.get(c.run.id)!.set(c.lr, { lr: c.lr, train, test, diverged, score });
    });
  };

  await evaluate(spec.runs.flatMap((run) => factors.map((f) => ({ run, lr: round(run.optimizer.lr * f) }))));
  for (let round_ = 0; round_ < extensions; round_++) {
    const more: Candidate[] = [];
    for (const run of spec.runs) {
      const sorted = sortedPoints(points.get(run.id)!);
      const edge = edgeOf(sorted);
      if (edge === 'high') more.push(...[1, 2].map((k) => ({ run, lr: round(sorted.at(-1)!.lr * ratio ** k) })));
      if (edge === 'low') more.push(...[1, 2].map((k) => ({ run, lr: round(sorted[0]!.lr / lowRatio ** k) })));
    }
    const fresh = more.filter((c) => !points.get(c.run.id)!.has(c.lr) && isValidRate(c.run, c.lr));
    if (fresh.length === 0) break;
    work += fresh.length;
    await evaluate(fresh);
  }
  report(1);

  const results = spec.runs.map((run): TuneResult => {
    const sorted = sortedPoints(points.get(run.id)!);
    const best = bestOf(sorted);
    return {
      runId: run.id,
      name: run.name,
      kind: run.optimizer.kind,
      points: sorted,
      best: best?.lr ?? null,
      original: run.optimizer.lr,
      atEdge: edgeOf(sorted),
    };
  });
  return { objective, steps: options.steps, seeds: [...options.seeds], results };
}

/** The race with every run at its tuned rate (a run whose every rate diverged keeps its own). */
export function tunedSpec(spec: RaceSpec, report: TuneReport): RaceSpec {
  const best = new Map(report.results.map((r) => [r.runId, r.best]));
  return {
    ...spec,
    runs: spec.runs.map((r) => {
      const lr = best.get(r.id);
      return lr == null ? r : { ...r, optimizer: { ...r.optimizer, lr } };
    }),
  };
}

function isValidRate(run: RunSpec, lr: number): boolean {
  try {
    validateOptimizer({ ...run.optimizer, lr });
    return true;
  } catch (e) {
    if (e instanceof OptimizerConfigError) return false;
    throw e;
  }
}

/** A run's losses at the budget, or null when the divergence rule stopped it or its loss is not finite. */
function finalOf(c: HeadlessCurve, steps: number): { train: number; test: number | null } | null {
  const last = c.curve.at(-1);
  if (c.diverged !== null || !last || last.step < steps || !Number.isFinite(last.trainLoss)) return null;
  return { train: last.trainLoss, test: Number.isFinite(last.testLoss) ? last.testLoss : null };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

const sortedPoints = (m: ReadonlyMap<number, TunePoint>): TunePoint[] => [...m.values()].sort((a, b) => a.lr - b.lr);

function bestOf(sorted: readonly TunePoint[]): TunePoint | null {
  let best: TunePoint | null = null;
  for (const p of sorted) if (Number.isFinite(p.score) && (best === null || p.score < best.score)) best = p;
  return best;
}

/** Which end of the grid the best rate sits at, if either. */
function edgeOf(sorted: readonly TunePoint[]): 'low' | 'high' | null {
  const best = bestOf(sorted);
  if (best === null || sorted.length < 2) return null;
  if (best === sorted[0]) return 'low';
  if (best === sorted.at(-1)) return 'high';
  return null;
}
