/**
 * The playground's whole state as one serialisable config (backend choice + run settings), its defaults,
 * and its round trip through the URL query string. Values read from the URL are validated: anything
 * unknown or out of range falls back to the default and is reported as a warning.
 */
import { TOY_DEFAULTS, TOY_TASKS, type ToyTask } from '../engine/data/toy.ts';
import { defaultOptimizer, type OptimizerConfig, type OptimizerKind } from '../engine/optim/config.ts';
import type { BackendChoice, RunConfig } from '../worker/protocol.ts';

export interface PlaygroundConfig {
  readonly backend: BackendChoice;
  readonly run: RunConfig;
}

export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const satisfies readonly BackendChoice[];

/** Learning rates offered in the UI (log-spaced, as in TF Playground). */
export const LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1] as const;

/** Optimizers this page offers (FishLeg joins once its UI controls exist). */
export const UI_OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const satisfies readonly OptimizerKind[];
export type UiOptimizerKind = (typeof UI_OPTIMIZERS)[number];

/** Per-optimizer starting learning rates that train the toy tasks in a few hundred steps. */
const UI_DEFAULT_LR: Readonly<Record<UiOptimizerKind, number>> = { sgd: 0.1, adam: 0.01, adamw: 0.01 };

export const TASK_LABELS: Readonly<Record<ToyTask, string>> = {
  spiral: 'Spiral',
  circles: 'Circles',
  xor: 'XOR',
  gaussians: 'Gaussian blobs',
};

export const OPTIMIZER_LABELS: Readonly<Record<UiOptimizerKind, string>> = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW' };

/** An optimizer's settings with the UI's default learning rate (or the one given). */
export function optimizerFor(kind: UiOptimizerKind, lr: number = UI_DEFAULT_LR[kind]): OptimizerConfig {
  return { ...defaultOptimizer(kind), lr };
}

/** A run on `task` with the playground's small, fast defaults (tiny model: SwiftShader is slow). */
export function runFor(task: ToyTask, optimizer: OptimizerConfig, seed = 1): RunConfig {
  return {
    task,
    n: 400,
    noise: TOY_DEFAULTS[task].noise,
    seed,
    hidden: '16t-16t',
    optimizer,
    batch: 32,
    evalEvery: 20,
  };
}

export const DEFAULT_CONFIG: PlaygroundConfig = {
  backend: 'auto',
  run: runFor('spiral', optimizerFor('adam')),
};

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** Reads a config from a query string such as '?backend=cpu&task=xor&opt=sgd&lr=0.1&seed=3'. */
export function parseSearch(search: string): { config: PlaygroundConfig; warnings: string[] } {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  const pick = <T extends string>(key: string, list: readonly T[], fallback: T): T => {
    const v = q.get(key);
    if (v === null) return fallback;
    if (isOneOf(list, v)) return v;
    warnings.push(`?${key}=${v} is not one of ${list.join(', ')}; using ${fallback}`);
    return fallback;
  };
  const number = (key: string, ok: (x: number) => boolean, fallback: number, rule: string): number => {
    const v = q.get(key);
    if (v === null) return fallback;
    const x = Number(v);
    if (v.trim() !== '' && ok(x)) return x;
    warnings.push(`?${key}=${v} must be ${rule}; using ${fallback}`);
    return fallback;
  };
  const backend = pick('backend', BACKEND_CHOICES, DEFAULT_CONFIG.backend);
  const task = pick('task', TOY_TASKS, DEFAULT_CONFIG.run.task);
  const kind = pick('opt', UI_OPTIMIZERS, 'adam');
  const lr = number('lr', (x) => Number.isFinite(x) && x > 0 && x <= 10, UI_DEFAULT_LR[kind], 'a number in (0, 10]');
  const seed = number('seed', (x) => Number.isSafeInteger(x) && x >= 0, DEFAULT_CONFIG.run.seed, 'an integer ≥ 0');
  return { config: { backend, run: runFor(task, optimizerFor(kind, lr), seed) }, warnings };
}

/** The query string for a config; the inverse of parseSearch. */
export function toSearch(config: PlaygroundConfig): string {
  const q = new URLSearchParams();
  if (config.backend !== 'auto') q.set('backend', config.backend);
  q.set('task', config.run.task);
  q.set('opt', config.run.optimizer.kind);
  q.set('lr', String(config.run.optimizer.lr));
  q.set('seed', String(config.run.seed));
  return `?${q.toString()}`;
}
