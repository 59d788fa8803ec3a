/**
 * A run that changes optimizer is a run of another kind: it takes the name and colour a new run of that kind
 * would get (config.ts newRun, colours.ts), so that "the orange curve" and "SGD" keep meaning SGD. A name or a
 * colour the user (or a link) chose stays. Which ones the page chose is read from the run itself, as the
 * frozen-Q pairing is (worker/frozen-control.ts): a link or a reload keeps the distinction without a field of
 * its own.
 */
import { OPTIMIZER_LABELS, type OptimizerConfig, type OptimizerKind } from '../engine/page.ts';
import { FROZEN_SUFFIX } from '../worker/frozen-control.ts';
import type { RunSpec } from '../worker/protocol.ts';
import { kindShades } from './colours.ts';
import { newRun, type PlaygroundConfig } from './config.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `name` is one the page gives a run of `kind`: its label ("Adam"), a numbered one ("Adam 2"), a
 * branch of one ("Adam branch") or a frozen-Q control of one ("FishLeg (Q frozen)").
 */
export function isPageName(name: string, kind: OptimizerKind): boolean {
  const re = new RegExp(`^${escape(OPTIMIZER_LABELS[kind])}( \\d+)?( branch)*(${escape(FROZEN_SUFFIX)})?$`);
  return re.test(name);
}

/** Whether `colour` is one of the shades the page gives runs of `kind`. */
export function isPageColour(colour: string, kind: OptimizerKind): boolean {
  return kindShades(kind).includes(colour.toLowerCase());
}

/**
 * `run` with `optimizer`: when the kind changes, a name and a colour the page gave it follow the new kind (the
 * first free number and shade among `runs`' others); chosen ones stay, and a tuned marker goes.
 */
export function withOptimizer(run: RunSpec, optimizer: OptimizerConfig, runs: readonly RunSpec[]): RunSpec {
  const from = run.optimizer.kind;
  if (optimizer.kind === from) return { ...run, optimizer };
  const fresh = newRun(
    optimizer.kind,
    runs.filter((r) => r.id !== run.id),
    optimizer,
  );
  // A tuned marker vouches for a rate of the old optimizer: the new one was not tuned, whatever its rate.
  const { tuned: _tuned, ...rest } = run;
  return {
    ...rest,
    optimizer,
    name: isPageName(run.name, from) ? fresh.name : run.name,
    colour: isPageColour(run.colour, from) ? fresh.colour : run.colour,
  };
}

/** The config with run `id` changed to `optimizer` (renamed and recoloured as withOptimizer says). */
export function changeOptimizer(config: PlaygroundConfig, id: string, optimizer: OptimizerConfig): PlaygroundConfig {
  return { ...config, runs: config.runs.map((r) => (r.id === id ? withOptimizer(r, optimizer, config.runs) : r)) };
}
