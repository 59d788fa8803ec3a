/**
 * Whether FishLeg's learned Q is helping yet, in one sentence a student can read: two pieces of evidence,
 * each compared with what FishLeg would do without it. The loss: the learned-Q run against its frozen-Q
 * control (worker/frozen-control.ts), which is the same run with Q held at Q₀ — what the learning bought.
 * The direction: the cosine of FishLeg's step with the exact natural gradient against the plain gradient's —
 * whether Q turns the step towards the natural gradient at all. Q is helping when both say so.
 */
import { formatValue } from './numbers.ts';
import type { ControlLosses } from './types.ts';

export type { ControlLosses };

/** The step's cosines with the natural gradient: FishLeg's, the plain gradient's, and over what. */
export interface StepCosines {
  readonly fishleg: number;
  readonly gradient: number;
  /** 'model' when measured against the whole model's natural gradient, else this layer's. */
  readonly over: 'model' | 'layer';
}

export interface QHelpingInput {
  readonly cosines: StepCosines | null;
  readonly control: ControlLosses | null;
  /** The run's own Q is frozen (auxiliary rate 0): it is a control, with nothing learned to judge. */
  readonly qFrozen?: boolean;
}

export type QHelpingVerdict = 'yes' | 'partly' | 'not yet' | 'frozen';

export interface QHelping {
  readonly verdict: QHelpingVerdict;
  readonly sentence: string;
}

/** Cosines closer than this are "about as close": the measures move by more than that from frame to frame. */
export const COSINE_MARGIN = 0.02;
/** Losses within this share of each other are level: seeds alone move a loss by about that much. */
export const LOSS_MARGIN = 0.01;

type Compare = 'better' | 'level' | 'worse';

function compareCosines(c: StepCosines): Compare {
  const d = c.fishleg - c.gradient;
  return d > COSINE_MARGIN ? 'better' : d < -COSINE_MARGIN ? 'worse' : 'level';
}

function compareLosses(c: ControlLosses): Compare {
  const scale = Math.max(Math.abs(c.learned), Math.abs(c.frozen));
  const d = c.frozen - c.learned;
  return d > LOSS_MARGIN * scale ? 'better' : d < -LOSS_MARGIN * scale ? 'worse' : 'level';
}

const cos2 = (x: number): string => x.toFixed(2);

function directionClause(c: StepCosines): string {
  const where = c.over === 'model' ? ' over the whole model' : ' on this layer';
  const nums = `(cos ${cos2(c.fishleg)} vs ${cos2(c.gradient)}${where})`;
  switch (compareCosines(c)) {
    case 'better':
      return `FishLeg's step points closer to the natural gradient than the plain gradient does ${nums}`;
    case 'level':
      return `FishLeg's step points about as close to the natural gradient as the plain gradient does ${nums}`;
    case 'worse':
      return `FishLeg's step points further from the natural gradient than the plain gradient does ${nums}`;
  }
}

function lossClause(c: ControlLosses): string {
  const nums = `(train loss ${formatValue(c.learned)} vs ${formatValue(c.frozen)} at step ${c.step})`;
  switch (compareLosses(c)) {
    case 'better':
      return `learning Q has lowered the loss below its frozen-Q control's ${nums}`;
    case 'level':
      return `learning Q has not lowered the loss below its frozen-Q control's ${nums}`;
    case 'worse':
      return `the loss with learned Q is above its frozen-Q control's ${nums}`;
  }
}

/**
 * The sentence, or null while there is nothing to judge yet (no step measured and no control evaluated past
 * step 0). Without a control it judges the direction alone and says the control would tell the rest.
 */
export function qHelping({ cosines, control, qFrozen = false }: QHelpingInput): QHelping | null {
  if (qFrozen) {
    return {
      verdict: 'frozen',
      sentence:
        'Q is frozen in this run (auxiliary learning rate 0): it stays at Q₀, so this run is the baseline a learned Q is judged against.',
    };
  }
  const cos = cosines && Number.isFinite(cosines.fishleg) && Number.isFinite(cosines.gradient) ? cosines : null;
  const loss =
    control && control.step > 0 && Number.isFinite(control.learned) && Number.isFinite(control.frozen) ? control : null;
  if (!cos && !loss) return null;
  const dir = cos ? compareCosines(cos) : null;
  const trains = loss ? compareLosses(loss) : null;
  const verdicts = [dir, trains].filter((v) => v !== null);
  const verdict: Exclude<QHelpingVerdict, 'frozen'> = verdicts.every((v) => v === 'better')
    ? 'yes'
    : verdicts.some((v) => v === 'better')
      ? 'partly'
      : 'not yet';
  const lead = { yes: 'Q is helping', partly: 'Q is helping in part', 'not yet': 'Q is not helping yet' }[verdict];
  if (cos && loss) {
    // The two clauses agree ("and") or pull apart ("but").
    const join = dir === trains || (dir !== 'better' && trains !== 'better') ? 'and' : 'but';
    return { verdict, sentence: `${lead}: ${lossClause(loss)}, ${join} ${directionClause(cos)}.` };
  }
  if (cos) {
    return {
      verdict,
      sentence: `${lead}: ${directionClause(cos)}. A frozen-Q control in the race would show whether learning Q also lowers the loss.`,
    };
  }
  return { verdict, sentence: `${lead}: ${lossClause(loss!)}.` };
}

/** The learned and frozen train losses at the latest step both runs were evaluated at (null when none). */
export function controlLosses(
  learned: readonly { readonly step: number; readonly trainLoss: number }[],
  frozen: readonly { readonly step: number; readonly trainLoss: number }[],
): ControlLosses | null {
  const byStep = new Map(frozen.map((p) => [p.step, p.trainLoss]));
  for (let i = learned.length - 1; i >= 0; i--) {
    const p = learned[i]!;
    const f = byStep.get(p.step);
    if (f !== undefined) return { step: p.step, learned: p.trainLoss, frozen: f };
  }
  return null;
}
