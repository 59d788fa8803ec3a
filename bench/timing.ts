/**
 * Side-by-side timing helpers for benchmarks: runs are alternated in rounds so that a noisy shared machine
 * slows every contender alike, and each figure is reported with the ratio to a baseline from the same run.
 */
import type { Trainer } from '../src/engine/trainer.ts';

export interface Timed {
  readonly name: string;
  /** Median milliseconds per step over the rounds. */
  readonly msPerStep: number;
  readonly samples: readonly number[];
}

const now = (): number => performance.now();

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Steady-state step time of several trainers, alternated: each round runs `steps` steps of each in turn,
 * waiting for the device before and after. `warmup` steps first (pipeline compilation, caches).
 */
export async function alternateStepTimes(
  runs: readonly { name: string; trainer: Trainer }[],
  opts: { rounds: number; steps: number; warmup: number },
): Promise<Timed[]> {
  for (const r of runs) {
    r.trainer.step(opts.warmup);
    await r.trainer.settle();
  }
  const samples = runs.map(() => [] as number[]);
  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const t = runs[i]!.trainer;
      await t.backend.sync();
      const t0 = now();
      t.step(opts.steps);
      await t.backend.sync();
      samples[i]!.push((now() - t0) / opts.steps);
    }
  }
  return runs.map((r, i) => ({ name: r.name, msPerStep: median(samples[i]!), samples: samples[i]! }));
}

export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
