/**
 * The task registry: each named task's default architecture, default likelihood and loader. MNIST bytes
 * come from a caller-supplied source (fetch in the browser, the file in Node via mnist-node.ts), so this
 * module stays browser-safe. User CSV datasets are not registered tasks: see `likelihoodFor` and
 * `defaultArchFor`.
 */
import type { Likelihood } from '../ops.ts';
import { parseArch, type Arch } from './arch.ts';
import { BARS_SIDE, barsDataset } from './bars.ts';
import type { ImageShape } from '../layers/types.ts';
import type { Dataset, DatasetKind } from './dataset.ts';
import { fetchMnistAsset, mnistDataset, parseMnistAsset } from './mnist.ts';
import { scaledRegressionDataset, SCALED_REGRESSION_DEFAULTS } from './scaled-regression.ts';
import { isRegressionToy, toyDataset, TOY_DEFAULTS, type ToyOptions, type ToyTask } from './toy.ts';

export { ArchError, formatArch, paramCount, parseArch, type Arch } from './arch.ts';

export type TaskName =
  'mnist-ae' | 'mnist' | 'spiral' | 'circles' | 'xor' | 'gaussians' | 'plane' | 'bumps' | 'scaled-regression' | 'bars';
export const TASK_NAMES = [
  'mnist-ae',
  'mnist',
  'spiral',
  'circles',
  'xor',
  'gaussians',
  'plane',
  'bumps',
  'scaled-regression',
  'bars',
] as const satisfies readonly TaskName[];

/** What a loader may need: toy-generation settings, and where MNIST bytes come from. */
export interface TaskLoadOptions extends ToyOptions {
  /** Returns the bytes of mnist.bin; default: fetch it from the app's base URL. */
  mnistBytes?: () => Promise<ArrayBuffer | Uint8Array>;
}

export interface TaskSpec {
  readonly name: TaskName;
  /** A short human title for menus. */
  readonly title: string;
  readonly kind: DatasetKind;
  readonly defaultArch: string;
  readonly likelihood: Likelihood;
  /** Its inputs' image (metadata: the data stay rows of h·w·c values), which architectures over images read. */
  readonly image?: ImageShape;
  readonly load: (options?: TaskLoadOptions) => Promise<Dataset>;
}

/** Error for an unknown task name (e.g. from a URL). */
export class TaskError extends Error {
  override name = 'TaskError';
}

function mnistLoader(task: 'mnist' | 'mnist-ae') {
  return async (options: TaskLoadOptions = {}): Promise<Dataset> => {
    const bytes = await (options.mnistBytes ?? fetchMnistAsset)();
    return mnistDataset(parseMnistAsset(bytes), task);
  };
}

function toy(name: ToyTask, title: string): TaskSpec {
  const regression = isRegressionToy(name);
  return {
    name,
    title,
    kind: regression ? 'regression' : 'classification',
    defaultArch: `2-16t-16t-${TOY_DEFAULTS[name].classes}`,
    likelihood: regression ? 'gaussian' : 'categorical',
    load: (options: TaskLoadOptions = {}) => Promise.resolve(toyDataset(name, options)),
  };
}

/** Every task, by name. */
export const TASKS: Readonly<Record<TaskName, TaskSpec>> = {
  'mnist-ae': {
    name: 'mnist-ae',
    title: 'MNIST autoencoder',
    kind: 'autoencoder',
    // docs/benchmarks.md: ReLU everywhere except the 30-unit code layer and the output.
    defaultArch: '784-1000r-500r-250r-30-250r-500r-1000r-784',
    likelihood: 'bernoulli',
    image: { h: 28, w: 28, c: 1 },
    load: mnistLoader('mnist-ae'),
  },
  mnist: {
    name: 'mnist',
    title: 'MNIST digits',
    kind: 'classification',
    defaultArch: '784-128r-10',
    likelihood: 'categorical',
    image: { h: 28, w: 28, c: 1 },
    load: mnistLoader('mnist'),
  },
  spiral: toy('spiral', 'Spiral'),
  circles: toy('circles', 'Circles'),
  xor: toy('xor', 'XOR'),
  gaussians: toy('gaussians', 'Gaussian blobs'),
  plane: toy('plane', 'Plane (regression)'),
  bumps: toy('bumps', 'Gaussian bumps (regression)'),
  'scaled-regression': {
    name: 'scaled-regression',
    title: 'Badly scaled regression',
    kind: 'regression',
    // A deep linear network, the kind the FishLeg authors use to show curvature (BENCHMARKS.md).
    defaultArch: `${SCALED_REGRESSION_DEFAULTS.inputs}-16-16-${SCALED_REGRESSION_DEFAULTS.targets}`,
    likelihood: 'gaussian',
    // Only the seed is a setting: the size, noise and conditioning are the task's (scaled-regression.ts).
    load: (options: TaskLoadOptions = {}) =>
      Promise.resolve(scaledRegressionDataset(options.seed !== undefined ? { seed: options.seed } : {})),
  },
  bars: {
    name: 'bars',
    title: 'Bars and stripes (8×8 images)',
    kind: 'classification',
    defaultArch: '8x8x1-c4k3p1r-mp2-f-2',
    likelihood: 'categorical',
    image: { h: BARS_SIDE, w: BARS_SIDE, c: 1 },
    load: (options: TaskLoadOptions = {}) => Promise.resolve(barsDataset(withoutClasses(options))),
  },
};

/** The toy options bars takes (two classes, always). */
function withoutClasses(options: ToyOptions): Omit<ToyOptions, 'classes'> {
  return { n: options.n, noise: options.noise, seed: options.seed, testFraction: options.testFraction };
}

export function isTaskName(s: string): s is TaskName {
  return (TASK_NAMES as readonly string[]).includes(s);
}

/** The spec of a task named by a string; throws TaskError listing the valid names. */
export function getTask(name: string): TaskSpec {
  if (!isTaskName(name)) throw new TaskError(`unknown task '${name}': choose one of ${TASK_NAMES.join(', ')}`);
  return TASKS[name];
}

/** Default likelihood of a kind of data: classification → categorical, autoencoder → bernoulli, else gaussian. */
export function likelihoodFor(kind: DatasetKind): Likelihood {
  switch (kind) {
    case 'classification':
      return 'categorical';
    case 'autoencoder':
      return 'bernoulli';
    case 'regression':
      return 'gaussian';
    default:
      return kind satisfies never;
  }
}

/** A default architecture for arbitrary data (CSV): two tanh hidden layers of 32, linear output. */
export function defaultArchFor(data: Pick<Dataset, 'inputDim' | 'outputDim'>): string {
  return `${data.inputDim}-32t-32t-${data.outputDim}`;
}

/**
 * The architecture to use for a task and its data: `spec` if given, else the task's default. For toys
 * with a non-default class count, the default's last size follows the data.
 */
export function archForData(spec: string | undefined, data: Dataset, task?: TaskName): Arch {
  // A toy fed through input features (features.ts) has as many inputs as features.
  let s = spec ?? (task ? TASKS[task].defaultArch.replace(/^\d+/, String(data.inputDim)) : defaultArchFor(data));
  if (spec === undefined && task && TASKS[task].kind === 'classification' && data.numClasses !== undefined) {
    s = s.replace(/-\d+$/, `-${data.numClasses}`);
  }
  return parseArch(s, data.inputDim, data.outputDim);
}
