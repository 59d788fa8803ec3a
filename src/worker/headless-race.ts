/**
 * A race trained to a step budget without a page: the same Race the worker runs (same seed, so the same
 * initial weights and batches for every run, advanced in lock-step, diverged runs stopped), evaluated every
 * `evalEvery` steps, with no views and no checkpoints. The CLI's `--preset` and the tuner use it, so what they
 * report is what the page would have drawn for the same setup.
 */
import type { Backend, Dataset } from '../engine/index.ts';
import type { MetricPoint, RaceSpec } from './protocol.ts';
import { Race, type RaceListener } from './race.ts';

/** One run's curve: every evaluation up to the budget, or up to the evaluation where it diverged. */
export interface HeadlessCurve {
  readonly runId: string;
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

export async function runHeadless(
  backend: Backend,
  data: Dataset,
  spec: RaceSpec,
  options: HeadlessOptions,
): Promise<HeadlessCurve[]> {
  const { steps } = options;
  const evalEvery = options.evalEvery ?? spec.model.evalEvery;
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a whole number, not ${steps}`);
  if (!Number.isSafeInteger(evalEvery) || evalEvery < 1)
    throw new RangeError(`evalEvery must be a positive whole number, not ${evalEvery}`);
  const slice = options.slice ?? evalEvery;
  if (!Number.isSafeInteger(slice) || slice < 1)
    throw new RangeError(`slice must be a positive whole number, not ${slice}`);
  const diverged = new Map<string, number>();
  const listener: RaceListener = {
    diverged: (runId, step) => diverged.set(runId, step),
    switched: () => {},
    taskFrame: () => {},
    fishlegFrame: () => {},
  };
  const race = Race.build(backend, data, spec, listener, {
    viewEvery: Number.MAX_SAFE_INTEGER,
    checkpointEvery: Number.MAX_SAFE_INTEGER,
  });
  const curves = new Map<string, MetricPoint[]>(spec.runs.map((r) => [r.id, []]));
  try {
    for (let step = 0; ;) {
      for (const p of await race.evaluate()) curves.get(p.runId)!.push(p.point);
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
  return spec.runs.map((r) => ({ runId: r.id, curve: curves.get(r.id)!, diverged: diverged.get(r.id) ?? null }));
}
