/**
 * FishLeg's curvature control: the same run with its auxiliary updates off, so Q stays at Q₀ = scale·I and
 * the run is momentum SGD along Q₀g. What a learned-Q run gains over its control is what the learned
 * curvature bought; a claim for FishLeg's curvature is only made where the learned run beats it.
 */
import type { RunSpec } from './protocol.ts';

export const FROZEN_SUFFIX = ' (Q frozen)';

/** The control of a FishLeg run (null for other optimizers, and for a run whose Q is already frozen). */
export function frozenQControl(run: RunSpec): RunSpec | null {
  const o = run.optimizer;
  if (o.kind !== 'fishleg' || o.auxLr === 0) return null;
  // Raced at its learned run's rate, which was not tuned for it: it carries no tuned marker.
  const { tuned: _tuned, ...rest } = run;
  return { ...rest, id: `${run.id}-frozen`, name: `${run.name}${FROZEN_SUFFIX}`, optimizer: { ...o, auxLr: 0 } };
}

/** The runs with each FishLeg run's control right after it (a run that already has its control keeps it). */
export function withFrozenControls(runs: readonly RunSpec[]): RunSpec[] {
  const controlled = new Set(runs.map((r) => controlledRun(r, runs)?.id).filter((id) => id !== undefined));
  return runs.flatMap((r) => {
    const c = controlled.has(r.id) ? null : frozenQControl(r);
    return c ? [r, c] : [r];
  });
}

/**
 * The learned run `run` is the frozen-Q control of, or null: a FishLeg run with auxiliary rate 0 and the
 * colour and every other setting of a FishLeg run that learns Q. Derived from the settings, so a link or a
 * saved race that carries both runs shows the pair again without a field of its own.
 */
export function controlledRun(run: RunSpec, runs: readonly RunSpec[]): RunSpec | null {
  const o = run.optimizer;
  if (o.kind !== 'fishleg' || o.auxLr !== 0) return null;
  const same = (r: RunSpec) =>
    r.id !== run.id &&
    r.colour === run.colour &&
    r.optimizer.kind === 'fishleg' &&
    r.optimizer.auxLr > 0 &&
    JSON.stringify({ ...r.optimizer, auxLr: 0 }) === JSON.stringify(o);
  return runs.find(same) ?? null;
}
