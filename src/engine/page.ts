/**
 * The engine as the page's main thread may use it: settings and their schemas, the toy data generators, memory
 * estimates, the PyTorch export and small host-side math. No backend, kernel or optimizer class: those run in the
 * worker (src/engine/index.ts), and importing them here would pull the WGSL and the training code into the page's
 * bundle. ESLint (eslint.config.js) makes src/ui import the engine only through this file.
 */
export { archOfHidden, formatArch, paramCount, parseArch, readsImages } from './data/arch.ts';
export type { LayerInfo } from './layers/types.ts';
export { csvCells, csvDataset } from './data/csv.ts';
export { labelsOf } from './data/dataset.ts';
export {
  computeFeatures,
  DEFAULT_FEATURES,
  FEATURES,
  FEATURE_IDS,
  featureSpec,
  formatFeatures,
  isFeatureId,
  parseFeatures,
  withFeatures,
  type FeatureId,
} from './data/features.ts';
export { fetchMnistAsset, mnistDataset, MNIST_CLASSES, MNIST_PIXELS, parseMnistAsset } from './data/mnist.ts';
export type { Dataset } from './data/dataset.ts';
export { storedZip } from './export/npz.ts';
export { likelihoodFor, TASK_NAMES, TASKS } from './data/tasks.ts';
export { isRegressionToy, TOY_DEFAULTS, TOY_TASKS, type ToyTask, toyDataset, toyTarget } from './data/toy.ts';
export { SCALED_REGRESSION_DEFAULTS, scaledRegressionDataset } from './data/scaled-regression.ts';
export {
  ExportError,
  type ExportData,
  type ExportFile,
  type ExportRun,
  type ExportSetup,
  exportPytorch,
} from './export/pytorch.ts';
export { BARS_DEFAULTS, barsDataset } from './data/bars.ts';
export { relativeError } from './fishleg/linalg.ts';
export { estimateMemory, formatBytes, type DataShape } from './memory.ts';
export { shapeNotices } from './data/setup-notices.ts';
export { LIKELIHOODS, ACTIVATIONS, type Activation } from './ops.ts';
export {
  OPTIMIZER_KINDS,
  settingsOfKind,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
  FISHLEG_APPROXES,
  type FishLegApprox,
  defaultFishLeg,
  defaultOptimizer,
  fishLegLearnsQ,
  hasInverseFisher,
  modelRefusal,
  isOptimizerKind,
  OPTIMIZER_LABELS,
  type FishLegConfig,
} from './optim/config.ts';
export { checkSetting, describeRange, type KeyedSetting } from './optim/schema.ts';
export type { HostArray } from './optim/state.ts';
export { normalAt } from './rng.ts';
export { FEATURES_SETTING, inSetupRange, rangeText, SETUP, type SetupSetting } from './setup-spec.ts';
export { defaultKfac, defaultNatural } from './kfac/spec.ts';
export { exportCaveats } from './export/caveats.ts';
