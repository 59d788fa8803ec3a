/**
 * A race trained to a step budget without a page: the same Race the worker runs (same seed, so the same
 * initial weights and batches for every run, advanced in lock-step, diverged runs stopped), evaluated every
 * `evalEvery` steps, with no views and no checkpoints. The CLI's `--preset` and the tuner use it, so what they
 * report is what the page would have drawn for the same setup.
 */
import type { Backend, Dataset } from '../engine/index.ts';
import type { MetricPoint, RaceSpec } from './protocol.ts';
import { Race, type RaceListener } from './race.ts';
import { raceSeeds } from './seeds.ts';

/** One run's curve: every evaluation up to the budget, or up to the evaluation where it diverged. */
export interface HeadlessCurve {
  readonly runId: string;
  /** In a race on several seeds (DataSpec.seeds): the seed of this replica. */
  readonly seed?: number;
  readonly curve: readonly MetricPoint[];
  /** The step at which the divergence rule stopped it (engine/divergence.ts), or null. */
  readonly diverged: number | null;
}

export interface HeadlessOptions {
  readonly steps: number;
  /** Steps between evaluations (default: the spec's model.evalEvery). */
  readonly evalEvery?: number;
  /** Called after every evaluation with the step reached (progress bars, cancellation checks). */
  readonly onEvaluation?: (step: number) => void;
  /** Checked between slices: when it says so, the race stops and the call throws RaceCancelled. */
  readonly cancelled?: () => boolean;
  /** Most steps taken at once between checks of `cancelled` (default: the evaluation interval). */
  readonly slice?: number;
  /**
   * Awaited after every slice, before `cancelled` is checked: a worker yields to its message queue here, so
   * that a cancel sent while it trains is read at all.
   */
  readonly between?: () => Promise<void>;
  /** Called after every slice with the step reached. */
  readonly onStep?: (step: number) => void;
}

/** Thrown when `cancelled` asked the race to stop. */
export class RaceCancelled extends Error {
  override readonly name = 'RaceCancelled';
}

/** `data`: the dataset, or one per seed of a race on several seeds (worker/seeds.ts); curves run by run, seed by seed. */
export async function runHeadless(
  backend: Backend,
  data: Dataset | readonly Dataset[],
  spec: RaceSpec,
  options: HeadlessOptions,
): Promise<HeadlessCurve[]> {
  const { steps } = options;
  const evalEvery = options.evalEvery ?? spec.model.evalEvery;
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a whole number, not ${steps}`);
  if (!Number.isSafeInteger(evalEvery) || evalEvery < 1)
    throw new RangeError(`evalEvery must be a positive whole number, not ${evalEvery}`);
  const key = (runId: string, seed?: number) => (seed === undefined ? runId : `${runId}\u0000${seed}`);
  const slice = options.slice ?? evalEvery;
  if (!Number.isSafeInteger(slice) || slice < 1)
    throw new RangeError(`slice must be a positive whole number, not ${slice}`);
  const diverged = new Map<string, number>();
  const listener: RaceListener = {
    diverged: (runId, step, seed) => diverged.set(key(runId, seed), step),
    switched: () => {},
    taskFrame: () => {},
    insideFrame: () => {},
  };
  const race = Race.build(backend, data, spec, listener, {
    viewEvery: Number.MAX_SAFE_INTEGER,
    checkpointEvery: Number.MAX_SAFE_INTEGER,
  });
  const seeds = raceSeeds(spec.data);
  const several = seeds.length > 1;
  const replicas = spec.runs.flatMap((r): { runId: string; seed?: number }[] =>
    several ? seeds.map((seed) => ({ runId: r.id, seed })) : [{ runId: r.id }],
  );
  const curves = new Map<string, MetricPoint[]>(replicas.map((r) => [key(r.runId, r.seed), []]));
  try {
    for (let step = 0; ;) {
      for (const p of await race.evaluate()) curves.get(key(p.runId, p.seed))!.push(p.point);
      options.onEvaluation?.(step);
      if (step >= steps || race.live.length === 0) break;
      const next = Math.min(step + evalEvery, steps);
      while (step < next) {
        await options.between?.();
        if (options.cancelled?.()) throw new RaceCancelled('cancelled');
        const n = Math.min(slice, next - step);
        await race.step(n);
        step += n;
        options.onStep?.(step);
      }
    }
  } finally {
    race.dispose();
  }
  return replicas.map((r) => {
    const k = key(r.runId, r.seed);
    return { ...r, curve: curves.get(k)!, diverged: diverged.get(k) ?? null };
  });
}
