/**
 * An optimizer's whole state as plain data (structured-clonable): its settings, its device buffers read back
 * by name and its host counters, so that a run rebuilt on a new device (after a GPU device loss) continues
 * exactly where the saved one was. Kept apart from optimizer.ts so that FishLeg can use it without an import cycle.
 */
import type { Backend } from '../backend.ts';
import type { Tensor } from '../tensor.ts';
import type { OptimizerConfig } from './config.ts';

/** Device floats on the host, in the backend's own precision (f64 on the CPU reference, so nothing is rounded). */
export type HostArray = Float32Array | Float64Array;

export interface OptimizerState {
  /** The settings in use when saved (FishLeg's includes the current approximation). */
  readonly config: OptimizerConfig;
  /** Device buffers by name. */
  readonly tensors: Readonly<Record<string, HostArray>>;
  /** Host-side counters by name (e.g. FishLeg's auxiliary-update count, Adam's t on λ). */
  readonly counters: Readonly<Record<string, number>>;
}

/** Thrown when a saved state does not fit the optimizer it is loaded into; nothing has been changed then. */
export class OptimizerStateError extends Error {
  override readonly name = 'OptimizerStateError';
}

/**
 * Reads named tensors. Every read is issued before the first await, so all of them see the same point of
 * the device's queue even if the caller submits more work while they are in flight.
 */
export async function readTensors(
  backend: Backend,
  named: Readonly<Record<string, Tensor>>,
): Promise<Record<string, HostArray>> {
  const names = Object.keys(named);
  // Promise.all: when the device is lost every read rejects, and none may go unhandled.
  const values = await Promise.all(names.map((name) => backend.read(named[name]!)));
  const out: Record<string, HostArray> = {};
  names.forEach((name, i) => {
    const data = values[i]!;
    if (data instanceof Uint32Array) throw new OptimizerStateError(`optimizer tensor '${name}' is not a float buffer`);
    out[name] = data;
  });
  return out;
}

/** The state's tensors of the given sizes; throws OptimizerStateError naming the first one missing or of a wrong size. */
export function expectTensors<K extends string>(
  state: OptimizerState,
  sizes: Readonly<Record<K, number>>,
): Record<K, HostArray> {
  const out = {} as Record<K, HostArray>;
  for (const name of Object.keys(sizes) as K[]) {
    const t = state.tensors[name];
    const want = sizes[name];
    if (!t) throw new OptimizerStateError(`the ${state.config.kind} state has no tensor '${name}'`);
    if (t.length !== want) {
      throw new OptimizerStateError(
        `the ${state.config.kind} state's '${name}' holds ${t.length} values; this run needs ${want}`,
      );
    }
    out[name] = t;
  }
  return out;
}

/** The state's counters (non-negative integers); throws OptimizerStateError naming the first one missing or invalid. */
export function expectCounters<K extends string>(state: OptimizerState, names: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const name of names) {
    const c = state.counters[name];
    if (c === undefined || !Number.isInteger(c) || c < 0) {
      throw new OptimizerStateError(
        `the ${state.config.kind} state's counter '${name}' must be an integer ≥ 0 (got ${String(c)})`,
      );
    }
    out[name] = c;
  }
  return out;
}

/** The error for a state saved by another kind of optimizer. */
export function kindMismatch(state: OptimizerState, kind: OptimizerConfig['kind']): OptimizerStateError {
  return new OptimizerStateError(`cannot load a ${state.config.kind} state into a ${kind} optimizer`);
}
