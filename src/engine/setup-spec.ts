/**
 * The task, data and model settings that are numbers (points, noise, seed, batch, evaluation interval,
 * hidden-layer limits, σ), described once with their limits: in the page (its widgets and the link,
 * src/ui/setup-panel.tsx and src/ui/config.ts) and on the command line (src/cli/args.ts), which allows more
 * because its memory budget judges big setups. Plain data.
 */
import { FEATURE_IDS } from './data/features.ts';
import { TOY_MAX_NOISE, TOY_MAX_POINTS } from './data/toy.ts';

/** A closed range [min, max]. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface SetupSetting {
  readonly label: string;
  readonly type: 'number' | 'integer';
  /** Link key, where the page has it. */
  readonly url?: string;
  /** CLI flag, where the CLI has it. */
  readonly cli?: string;
  readonly help: string;
  /** What the page's widget and a link allow. */
  readonly page?: Range;
  /** What the CLI allows (absent: any positive integer, judged by the memory budget). */
  readonly cliRange?: Range;
}

/** The range of a setting in words: "an integer in [1, 4096]", "a number in [0, 1]". */
export function rangeText(s: SetupSetting, r: Range): string {
  return `${s.type === 'integer' ? 'an integer' : 'a number'} in [${r.min}, ${r.max}]`;
}

/** Whether x is in r (an integer for an integer setting). */
export function inSetupRange(s: SetupSetting, r: Range, x: number): boolean {
  return (s.type === 'integer' ? Number.isSafeInteger(x) : Number.isFinite(x)) && x >= r.min && x <= r.max;
}

/** The range of --sigma whose square is a normal float32 (√ of the smallest normal and of the largest float32). */
export const SIGMA_RANGE: Range = { min: 1.1e-19, max: 1.8e19 };

export const SETUP = {
  samples: {
    label: 'points',
    type: 'integer',
    url: 'n',
    cli: '--samples',
    help: 'toy tasks: number of points',
    page: { min: 20, max: 20000 },
    cliRange: { min: 1, max: TOY_MAX_POINTS },
  },
  noise: {
    label: 'noise',
    type: 'number',
    url: 'noise',
    cli: '--noise',
    help: 'toy tasks: noise level',
    page: { min: 0, max: 1 },
    cliRange: { min: 0, max: TOY_MAX_NOISE },
  },
  seed: {
    label: 'seed',
    type: 'integer',
    url: 'seed',
    cli: '--seed',
    help: 'seed for weights, batches and toy data',
    // The page keeps seeds below 2³¹ (the widget is an HTML number input); the RNG's key is uint32.
    page: { min: 0, max: 2 ** 31 - 1 },
    cliRange: { min: 0, max: 0xffffffff },
  },
  seeds: {
    label: 'seeds',
    type: 'integer',
    url: 'seeds',
    help: 'train every run on this many seeds (seed, seed + 1, …): the chart draws their median and range',
    // Each seed is one more trainer per run.
    page: { min: 1, max: 5 },
  },
  batch: {
    label: 'batch',
    type: 'integer',
    url: 'batch',
    cli: '--batch',
    help: 'batch size',
    page: { min: 1, max: 4096 },
  },
  evalEvery: {
    label: 'evaluate every',
    type: 'integer',
    url: 'eval',
    cli: '--eval-every',
    help: 'evaluate on the whole train and test splits every n steps',
    page: { min: 1, max: 10000 },
  },
  hiddenSize: {
    label: 'width of a hidden layer',
    type: 'integer',
    help: 'units in one hidden layer',
    page: { min: 1, max: 2048 },
  },
  hiddenLayers: {
    label: 'hidden layers',
    type: 'integer',
    help: 'number of hidden layers',
    page: { min: 0, max: 11 },
  },
  sigma: {
    label: 'σ',
    type: 'number',
    cli: '--sigma',
    help: 'gaussian likelihood standard deviation',
    cliRange: SIGMA_RANGE,
  },
} as const satisfies Readonly<Record<string, SetupSetting>>;

/** The toy tasks' input features (engine/data/features.ts lists them): a list, not a number, so kept apart. */
export const FEATURES_SETTING = {
  label: 'input features',
  url: 'features',
  cli: '--features',
  help: `toy tasks: the network's inputs, a list of ${FEATURE_IDS.join(',')}`,
} as const;
