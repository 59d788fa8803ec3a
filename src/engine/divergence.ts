/**
 * When a run counts as diverged: one rule for the page's races and the CLI. A run diverges when its
 * training loss
 *   - is not finite (NaN, ±∞), or
 *   - exceeds EXPLODE_FACTOR × the reference loss at one evaluation, or
 *   - stays above STUCK_FACTOR × the reference loss for STUCK_EVALUATIONS consecutive evaluations,
 * where the reference is the first (step-0) loss floored at 1. The floor keeps a start that already fits
 * well (loss ≪ 1) from turning ordinary wobbles into "explosions". The third rule catches runs that blew
 * up to a finite plateau and sit there (SGD or Adam at lr 1e6 on the spiral hover at 1e6–1e7 for ever),
 * while a healthy run's short spike, gone by the next few evaluations, is left alone.
 */

/** A loss this many times the reference diverges at once. */
export const EXPLODE_FACTOR = 1e4;
/** A loss above this many times the reference for STUCK_EVALUATIONS evaluations in a row diverges. */
export const STUCK_FACTOR = 10;
export const STUCK_EVALUATIONS = 5;

/** Why and where a run diverged. */
export interface Divergence {
  readonly step: number;
  readonly loss: number;
  /** A short clause, e.g. 'the loss is NaN' or 'the loss stayed above 10× the initial 543.2 for 5 evaluations'. */
  readonly reason: string;
}

/** The yardstick of the rule: the initial loss floored at 1 (1 when the initial loss is not finite). */
export function referenceLoss(initial: number): number {
  return Number.isFinite(initial) ? Math.max(1, initial) : 1;
}

/** A loss as the messages show it: 4 significant digits. */
export function formatLoss(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

/** Watches one run's evaluations; the first loss it sees is the initial one unless one is given. */
export class DivergenceWatch {
  #initial: number | null;
  #above = 0;

  /** `initial`: the step-0 loss, when the run resumes from a checkpoint and the watch starts afresh. */
  constructor(initial: number | null = null) {
    this.#initial = initial;
  }

  get initial(): number | null {
    return this.#initial;
  }

  /** Feeds the training loss of one evaluation; returns the divergence, or null while the run is healthy. */
  observe(step: number, loss: number): Divergence | null {
    this.#initial ??= loss;
    if (!Number.isFinite(loss)) return { step, loss, reason: `the loss is ${loss}` };
    const initial = this.#initial;
    const ref = referenceLoss(initial);
    const yardstick = (factor: number) =>
      Number.isFinite(initial) && initial >= 1
        ? `${factor}× the initial ${formatLoss(initial)}`
        : `${formatLoss(factor * ref)} (${factor}× the initial loss ${formatLoss(initial)}, floored at 1)`;
    if (loss > EXPLODE_FACTOR * ref) return { step, loss, reason: `the loss is above ${yardstick(EXPLODE_FACTOR)}` };
    this.#above = loss > STUCK_FACTOR * ref ? this.#above + 1 : 0;
    if (this.#above >= STUCK_EVALUATIONS) {
      const reason = `the loss stayed above ${yardstick(STUCK_FACTOR)} for ${STUCK_EVALUATIONS} evaluations`;
      return { step, loss, reason };
    }
    return null;
  }
}
