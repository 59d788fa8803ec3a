/**
 * The engine's public surface for the UI, the worker and the CLI. Framework-free: no React, no DOM.
 */
import type { Dataset } from './data/dataset.ts';
import { getTask, type TaskLoadOptions } from './data/tasks.ts';

export type { Backend, BackendName, Program } from './backend.ts';
export { createBackend, type BackendChoice, type CreateBackendOptions, type FallbackKind } from './create-backend.ts';
export { DeviceDataset } from './device-data.ts';
export { Trainer, TrainConfigError, type TrainConfig, type EvalResult } from './trainer.ts';
export type { Activation, Likelihood } from './ops.ts';
export { ACTIVATIONS, LIKELIHOODS } from './ops.ts';
export {
  defaultFishLeg,
  defaultOptimizer,
  validateOptimizer,
  OptimizerConfigError,
  FISHLEG_APPROXES,
  OPTIMIZER_KINDS,
  type FishLegApprox,
  type FishLegConfig,
  type OptimizerConfig,
  type OptimizerKind,
} from './optim/config.ts';
export { FishLeg } from './fishleg/fishleg.ts';
export type { Dataset, Split } from './data/dataset.ts';
export * from './data/tasks.ts';

/** Loads a built-in task by name (MNIST is fetched from the app's mnist.bin in the browser). */
export function loadTask(name: string, options?: TaskLoadOptions): Promise<Dataset> {
  return getTask(name).load(options);
}
