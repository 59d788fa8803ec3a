/**
 * A preset's claim as something a program can check: the sentence the page shows, the seeds and step budget
 * it was measured on, and a check over each run's final training loss on every seed. `src/ui/preset-claims.test.ts`
 * runs each claim in CI on its seeds and budget; `npm run train -- --preset ID` says whether it holds on the
 * seeds and budget it ran; `npm run bench:claims` judges it on five seeds at its step and at the preset's full budget.
 */

/** Final training loss of each run (by name), one per seed in the order of the seeds. */
export type Finals = (runName: string) => readonly number[];

export interface PresetClaim {
  /** What the preset claims, in words a student reads. */
  readonly sentence: string;
  readonly seeds: readonly number[];
  /** The budget the check runs at (the preset's own, or a shorter one where the claim holds sooner). */
  readonly steps: number;
  /** Why the claim fails on these losses, or null when it holds. */
  readonly check: Check;
}

/** Why a claim fails on the final losses of these seeds, or null when it holds. */
export type Check = (finals: Finals, seeds: readonly number[]) => string | null;

const show = (x: number): string => x.toPrecision(3);

/** `a` ends below `factor ×` `b` on every seed (factor 1: simply below). */
export function belowOnEverySeed(a: string, b: string, factor = 1): Check {
  return (f, seeds) => {
    const [xs, ys] = [f(a), f(b)];
    if (xs.length === 0 || xs.length !== ys.length) return `no final losses for ${a} and ${b} on the same seeds`;
    const i = xs.findIndex((x, k) => !(x < factor * ys[k]!));
    if (i < 0) return null;
    const what = factor === 1 ? b : `${factor} × ${b}`;
    return `on seed ${seeds[i] ?? i + 1}, ${a} ends at ${show(xs[i]!)}, not below ${what} (${show(factor * ys[i]!)})`;
  };
}

/** Every check holds (the first failure is reported). */
export function allOf(...checks: Check[]): Check {
  return (f, seeds) => {
    for (const c of checks) {
      const why = c(f, seeds);
      if (why !== null) return why;
    }
    return null;
  };
}
