/** The sentence Inside FishLeg leads with: whether Q is helping yet (q-helping.ts), in words. */
import { qHelping, type StepCosines } from './q-helping.ts';
import type { ControlLosses, InsideMeasures } from './types.ts';

/** The step's cosines, over the whole model where they were measured there, else on the layer. */
export function stepCosines(m: InsideMeasures | null): StepCosines | null {
  if (!m) return null;
  return m.whole
    ? { fishleg: m.whole.cosFishLeg, gradient: m.whole.cosGradient, over: 'model' }
    : { fishleg: m.cosFishLeg, gradient: m.cosGradient, over: 'layer' };
}

export function QHelpingSentence(props: {
  readonly measures: InsideMeasures | null;
  readonly control: ControlLosses | null;
  readonly qFrozen: boolean;
}) {
  const r = qHelping({ cosines: stepCosines(props.measures), control: props.control, qFrozen: props.qFrozen });
  if (!r) return null;
  return (
    <p className="views-q-helping" data-testid="inside-q-helping" data-verdict={r.verdict}>
      {r.sentence}
    </p>
  );
}
