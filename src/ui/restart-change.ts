/**
 * Changes that start the race over (data, model, a run's optimizer kind) ask first once the race has
 * progress. This says what a change is in words, for the question, and whether it must be asked.
 */
import { DEFAULT_FEATURES, featureSpec, OPTIMIZER_LABELS, type FeatureId } from '../engine/page.ts';
import { TASK_LABELS, type PlaygroundConfig } from './config.ts';

const hiddenText = (h: string) => (h === '' ? 'none' : h);
const inputsText = (f: readonly FeatureId[] | undefined) =>
  (f ?? DEFAULT_FEATURES).map((id) => featureSpec(id).label).join(' ');

/** What differs between two setups, one phrase per change ("points 400 → 1000"), in the panel's order. */
export function restartChanges(old: PlaygroundConfig, next: PlaygroundConfig): string[] {
  const out: string[] = [];
  const was = (label: string, a: string | number, b: string | number) => {
    if (a !== b) out.push(`${label} ${a} → ${b}`);
  };
  const d0 = old.data;
  const d1 = next.data;
  if (d0.task !== d1.task) out.push(`task ${TASK_LABELS[d0.task]} → ${TASK_LABELS[d1.task]}`);
  else {
    was('points', d0.n, d1.n);
    was('noise', d0.noise, d1.noise);
    if (d0.testFraction !== d1.testFraction && d1.testFraction !== undefined)
      was('test %', Math.round(100 * (d0.testFraction ?? 0.2)), Math.round(100 * d1.testFraction));
    was('inputs', inputsText(d0.features), inputsText(d1.features));
  }
  was('seed', d0.seed, d1.seed);
  was('seeds', d0.seeds ?? 1, d1.seeds ?? 1);
  const m0 = old.model;
  const m1 = next.model;
  if (d0.task === d1.task) was('hidden layers', hiddenText(m0.hidden), hiddenText(m1.hidden));
  was('likelihood', m0.likelihood, m1.likelihood);
  was('batch', m0.batch, m1.batch);
  was('evaluate every', m0.evalEvery, m1.evalEvery);
  for (const r of next.runs) {
    const before = old.runs.find((o) => o.id === r.id);
    if (before && before.optimizer.kind !== r.optimizer.kind) {
      const renamed = before.name !== r.name ? `, renamed ${r.name}` : '';
      out.push(
        `${before.name}: ${OPTIMIZER_LABELS[before.optimizer.kind]} → ${OPTIMIZER_LABELS[r.optimizer.kind]}${renamed}`,
      );
    }
  }
  return out;
}

/** Whether a change must be confirmed: it restarts a race that has taken steps. */
export function asksFirst(step: number, old: PlaygroundConfig, next: PlaygroundConfig): boolean {
  return step > 0 && restartChanges(old, next).length > 0;
}

/**
 * What a change that restarted the race without asking (it had no steps yet) did to the runs' optimizers, one
 * phrase per run ("run 1 is now K-FAC (was SGD)"): the run's name and colour change with its kind
 * (run-kind.ts), which the page then says rather than leaving the user to notice.
 */
export function kindChanges(old: PlaygroundConfig, next: PlaygroundConfig): string[] {
  const out: string[] = [];
  next.runs.forEach((r, i) => {
    const before = old.runs.find((o) => o.id === r.id);
    if (!before || before.optimizer.kind === r.optimizer.kind) return;
    const kind = OPTIMIZER_LABELS[r.optimizer.kind];
    const named = r.name === kind ? '' : `, named ${r.name}`;
    out.push(`run ${i + 1} is now ${kind} (was ${OPTIMIZER_LABELS[before.optimizer.kind]})${named}`);
  });
  return out;
}

/** The question's words for a preset that would replace a race with progress. */
export function presetChange(title: string): string {
  return `the preset “${title}”`;
}
