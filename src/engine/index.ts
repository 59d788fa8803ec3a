/**
 * The engine's public surface for the UI, the worker and the CLI. Framework-free: no React, no DOM.
 */
export type { Backend, BackendName, Program } from './backend.ts';
export { createBackend, type BackendChoice, type CreateBackendOptions } from './create-backend.ts';
export { DeviceDataset } from './device-data.ts';
export { Trainer, TrainConfigError, type TrainConfig, type EvalResult } from './trainer.ts';
export type { Activation, Likelihood } from './ops.ts';
export { ACTIVATIONS, LIKELIHOODS } from './ops.ts';
export {
  defaultOptimizer,
  validateOptimizer,
  OptimizerConfigError,
  OPTIMIZER_KINDS,
  type OptimizerConfig,
  type OptimizerKind,
} from './optim/config.ts';
export type { Dataset, Split } from './data/dataset.ts';
export * from './data/tasks.ts';

import { getTask, type TaskLoadOptions } from './data/tasks.ts';
import type { Dataset as LoadedDataset } from './data/dataset.ts';
/** Loads a built-in task by name (MNIST is fetched from the app's mnist.bin in the browser). */
export function loadTask(name: string, options?: TaskLoadOptions): Promise<LoadedDataset> {
  return getTask(name).load(options);
}
