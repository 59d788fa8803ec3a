/**
 * Resuming a race the page saved before a reload (ui/saved-state.ts keeps it in IndexedDB): the same path as
 * the device-loss recovery (Race.fromSaved), with the saved runs matched to the setup's runs by position.
 * The page's ids, names and colours win (ids are renumbered when a link is loaded); the optimizer settings
 * are the saved ones, replayed change by change, and a setting the page changed after the save is applied
 * as a live change at the restored step.
 */
import {
  type Backend,
  type Dataset,
  validateOptimizer,
  withDefaultsForMissing,
  type OptimizerConfig,
} from '../engine/index.ts';
import type { RaceSpec, SavedRaceState } from './protocol.ts';
import { Race, type RaceListener, type RaceOptions } from './race.ts';

/** Thrown when a saved state cannot continue as the given setup; the caller starts the race afresh. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
}

const same = (a: OptimizerConfig, b: OptimizerConfig): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The saved state with its runs renamed to the setup's (by position); throws ResumeError when they do not match. */
export function adoptRuns(saved: SavedRaceState, spec: RaceSpec): SavedRaceState {
  if (saved.runs.length !== spec.runs.length) {
    throw new ResumeError(`the saved race has ${saved.runs.length} runs; this setup has ${spec.runs.length}`);
  }
  const ids = new Map<string, string>();
  const runs = saved.runs.map((r, i) => {
    const run = spec.runs[i]!;
    if (r.spec.optimizer.kind !== run.optimizer.kind) {
      throw new ResumeError(`run ${i + 1} was saved as ${r.spec.optimizer.kind}; this setup has ${run.optimizer.kind}`);
    }
    ids.set(r.spec.id, run.id);
    // A record saved before a setting existed gets that setting's default.
    const rename = <T extends { id: string; name: string; colour: string; optimizer: OptimizerConfig }>(s: T): T => ({
      ...s,
      id: run.id,
      name: run.name,
      colour: run.colour,
      optimizer: withDefaultsForMissing(s.optimizer),
    });
    const replicas = r.replicas?.map((x) => ({
      ...x,
      checkpoint: { ...x.checkpoint, spec: rename(x.checkpoint.spec) },
    }));
    return {
      ...r,
      spec: rename(r.spec),
      checkpoint: { ...r.checkpoint, spec: rename(r.checkpoint.spec) },
      ...(replicas ? { replicas } : {}),
    };
  });
  const changes = saved.changes.map((c) => {
    const runId = ids.get(c.runId);
    if (runId === undefined) throw new ResumeError(`a saved change names a run '${c.runId}' the race does not have`);
    return { ...c, runId, optimizer: withDefaultsForMissing(c.optimizer) };
  });
  // Settings come from storage: the engine's own rules decide whether they are usable.
  for (const r of runs) {
    for (const cp of [r.checkpoint, ...(r.replicas ?? []).map((x) => x.checkpoint)])
      validateOptimizer(cp.spec.optimizer);
  }
  for (const c of changes) validateOptimizer(c.optimizer);
  return { ...saved, runs, changes };
}

/**
 * Builds the race a saved state describes on `data`; returns it and the step it stands at. Throws (ResumeError,
 * TrainConfigError or OptimizerConfigError), having kept nothing allocated, when the state does not fit.
 */
export function resumeRace(
  backend: Backend,
  data: Dataset | readonly Dataset[],
  spec: RaceSpec,
  saved: SavedRaceState,
  listener: RaceListener,
  options?: RaceOptions,
): { race: Race; step: number } {
  const adopted = adoptRuns(saved, spec);
  const race = Race.fromSaved(backend, data, spec, adopted, listener, options);
  adopted.runs.forEach((r, i) => {
    const want = spec.runs[i]!;
    const latest = [...adopted.changes].reverse().find((c) => c.runId === want.id)?.optimizer ?? r.spec.optimizer;
    // Changed on the page after the save (or while its answer was on the way): a live change from here.
    if (r.diverged === null && !same(latest, want.optimizer)) race.update(want.id, want.optimizer);
  });
  return { race, step: adopted.step };
}
