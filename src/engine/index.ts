/**
 * The engine's public surface for the worker and the CLI: backends, the Trainer, tasks and data, optimizer
 * settings, memory estimates, the views' host math. Framework-free: no React, no DOM. ESLint (eslint.config.js)
 * makes src/worker and src/cli import the engine only through this file (the CLI also through node.ts); the
 * page's main thread has its own, smaller surface (page.ts).
 */
import type { Dataset } from './data/dataset.ts';
import { getTask, type TaskLoadOptions } from './data/tasks.ts';

export { createBackend, type CreateBackendOptions } from './create-backend.ts';
export { getTask, type TaskLoadOptions } from './data/tasks.ts';
export type { Backend } from './backend.ts';
export { CpuBackend } from './cpu/backend.ts';
export type { BackendChoice, FallbackKind } from './create-backend.ts';
export { archOfHidden, parseArch, readsImages } from './data/arch.ts';
export { csvDataset, csvParseBytes } from './data/csv.ts';
export { setupNotices } from './data/setup-notices.ts';
export { type Dataset, imageShapeOf, labelsOf } from './data/dataset.ts';
export { computeFeatures, isFeatureId, parseFeatures, withFeatures, type FeatureId } from './data/features.ts';
export {
  archForData,
  likelihoodFor,
  paramCount,
  type TaskName,
  TASKS,
  type Arch,
  defaultArchFor,
  TASK_NAMES,
} from './data/tasks.ts';
export { isRegressionToy, TOY_DEFAULTS, TOY_TASKS, type ToyTask, toyDataset, toyTarget } from './data/toy.ts';
export {
  SCALED_REGRESSION_DEFAULTS,
  scaledRegressionDataset,
  scaledRegressionRows,
  type ScaledRegressionOptions,
} from './data/scaled-regression.ts';
export { BARS_DEFAULTS, barsDataset } from './data/bars.ts';
export { DeviceDataset } from './device-data.ts';
export { DivergenceWatch, formatLoss, type Divergence } from './divergence.ts';
export { exportPytorch, ExportError, type ExportData, type ExportSetup } from './export/pytorch.ts';
export { materializeHostQ } from './fishleg/host-q.ts';
export { denseDampedInverse, layerFisher, layerFisherColumns, layerFisherEigen } from './fishleg/layer-fisher.ts';
export { relativeError } from './fishleg/linalg.ts';
export { stepMeasures, wholeStepMeasures, type StepMeasures, type WholeStepMeasures } from './fishleg/step-measures.ts';
export { exactFisher } from './fishleg/views.ts';
export {
  bufferLimit,
  checkMemory,
  dataShape,
  estimateMemory,
  type DataShape,
  type MemoryEstimate,
  type MemoryLimits,
  formatBytes,
  MemoryBudgetError,
  parseByteSize,
} from './memory.ts';
export { initParams } from './model/mlp.ts';
export { kronShape, layerInfo, layerKind } from './layers/registry.ts';
export type { ImageShape, LayerFilters, LayerInfo } from './layers/types.ts';
export { type Activation, type Likelihood, LIKELIHOODS } from './ops.ts';
export {
  type FishLegApprox,
  type OptimizerConfig,
  OptimizerConfigError,
  switchedValue,
  validateOptimizer,
  withDefaultsForMissing,
  defaultOptimizer,
  F32_MAX,
  F32_MIN_NORMAL,
  FISHLEG_APPROXES,
  OPTIMIZER_KINDS,
  OPTIMIZER_SPECS,
  settingsOfKind,
  type OptimizerKind,
} from './optim/config.ts';
export { settingsOf, type KeyedSetting } from './optim/schema.ts';
export { escapeControls, printable } from './printable.ts';
export { FEATURES_SETTING, SETUP } from './setup-spec.ts';
export { slice } from './tensor.ts';
export { Trainer, type TrainerCheckpoint, type EvalResult, TrainConfigError, type TrainConfig } from './trainer.ts';

/** Loads a built-in task by name (MNIST is fetched from the app's mnist.bin in the browser). */
export function loadTask(name: string, options?: TaskLoadOptions): Promise<Dataset> {
  return getTask(name).load(options);
}
