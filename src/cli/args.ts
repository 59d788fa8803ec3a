/**
 * Command-line flags of `npm run train`, parsed with commander and validated into one plain config.
 * Every mistake becomes a CliError whose one-line message the entry point prints before exiting with 2.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TASK_NAMES, type TaskName } from '../engine/data/tasks.ts';
import { TOY_MAX_NOISE, TOY_MAX_POINTS } from '../engine/data/toy.ts';
import { formatBytes, parseByteSize } from '../engine/memory.ts';
import { LIKELIHOODS, type Likelihood } from '../engine/ops.ts';
import { escapeControls, printable } from '../engine/printable.ts';
import {
  defaultOptimizer,
  F32_MAX,
  F32_MIN_NORMAL,
  FISHER_ESTIMATORS,
  FISHLEG_APPROXES,
  OPTIMIZER_KINDS,
  validateOptimizer,
  type FisherEstimator,
  type FishLegApprox,
  type OptimizerConfig,
  type OptimizerKind,
} from '../engine/optim/config.ts';

/** One `--switch-approx` entry: FishLeg switches to `approx` before step `step`. */
export interface ApproxSwitch {
  readonly step: number;
  readonly approx: FishLegApprox;
}

export interface CliConfig {
  readonly task: TaskName | null;
  readonly data: string | null;
  readonly test: string | null;
  readonly targets: readonly string[] | null;
  readonly arch: string | null;
  readonly likelihood: Likelihood | null;
  readonly sigma: number;
  readonly optimizer: OptimizerConfig;
  /** FishLeg only: approximation switches, by increasing step. */
  readonly switchApprox: readonly ApproxSwitch[];
  readonly batch: number;
  readonly steps: number;
  readonly evalEvery: number;
  readonly seed: number;
  readonly backend: 'auto' | 'cpu' | 'webgpu';
  readonly out: string | null;
  readonly samples: number | null;
  readonly noise: number | null;
  /** Bytes the run may allocate (estimated before anything is; engine/memory.ts). */
  readonly memoryBudget: number;
  readonly quiet: boolean;
}

/** The range of --sigma whose square is a normal float32 (√ of the smallest normal and of the largest float32). */
export const SIGMA_MIN = 1.1e-19;
export const SIGMA_MAX = 1.8e19;

/** The default --memory-budget: what a laptop can spare without swapping. */
export const DEFAULT_MEMORY_BUDGET = 2e9;

/** A user mistake on the command line: printed as one line, exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

function oneOf<T extends string>(allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    }
    return v as T;
  };
}

// Decimal numbers only: Number() would also take '', ' ', '0x1f' and 'Infinity'.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A float flag. Every one ends up in a float32 buffer, where 1e39 is ∞ and 1e-45 is a subnormal that GPUs
 * flush to 0, so both are refused here, with the flag named.
 */
function number(v: string): number {
  const x = Number(v.trim());
  if (!DECIMAL.test(v.trim()) || !Number.isFinite(x)) throw new InvalidArgumentError('expected a number');
  if (Math.abs(x) > F32_MAX) {
    throw new InvalidArgumentError(`expected a number of at most ${F32_MAX} in size (the largest float32)`);
  }
  if (x !== 0 && Math.abs(x) < F32_MIN_NORMAL) {
    throw new InvalidArgumentError(
      `expected 0 or a number of at least ${F32_MIN_NORMAL} in size (the smallest normal float32)`,
    );
  }
  return x + 0; // -0 → 0
}

/** A count; 1e9 is allowed through (the memory budget judges it), 1e20 is not an exact integer in JavaScript. */
function positiveInt(v: string): number {
  const x = Number(v.trim());
  if (!DECIMAL.test(v.trim()) || !Number.isSafeInteger(x) || x < 1) {
    throw new InvalidArgumentError('expected a positive integer below 2^53');
  }
  return x;
}

function byteSize(v: string): number {
  const x = parseByteSize(v);
  if (x === null) throw new InvalidArgumentError('expected a size such as 4GB, 512MB, 1.5GiB or a number of bytes');
  return x;
}

function onOff(v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new InvalidArgumentError('expected on or off');
}

/** Parses '1000:kron-diag,2000:sum-kron' (steps strictly increasing). */
function switchList(v: string): ApproxSwitch[] {
  const out: ApproxSwitch[] = [];
  for (const item of v.split(',').map((s) => s.trim())) {
    const m = /^(\d+):([a-z-]+)$/.exec(item);
    if (!m) throw new InvalidArgumentError(`'${printable(item)}' is not STEP:APPROX (e.g. 1000:kron-diag)`);
    const step = Number(m[1]);
    const approx = m[2]!;
    if (!Number.isSafeInteger(step)) {
      throw new InvalidArgumentError(`switch step ${printable(m[1]!)} is not an integer below 2^53`);
    }
    if (!(FISHLEG_APPROXES as readonly string[]).includes(approx)) {
      throw new InvalidArgumentError(
        `unknown approximation '${approx}' (expected one of ${FISHLEG_APPROXES.join(', ')})`,
      );
    }
    if (step < 1) throw new InvalidArgumentError(`switch step must be ≥ 1 (got ${step})`);
    if (out.length > 0 && step <= out[out.length - 1]!.step)
      throw new InvalidArgumentError('switch steps must increase');
    out.push({ step, approx: approx as FishLegApprox });
  }
  return out;
}

/** Seeds are uint32 (the counter RNG's key): digits only, so that '' or ' ' cannot quietly mean seed 0. */
function seedInt(v: string): number {
  const x = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || x > 0xffffffff) {
    throw new InvalidArgumentError('expected an integer seed from 0 to 4294967295 (2^32 − 1)');
  }
  return x;
}

/**
 * Commander quotes a rejected argument as it came (`argument '…' is invalid`): a value holding escape
 * sequences or newlines, or a megabyte of digits, would reach the terminal raw or turn the one-line error
 * into many. Each option's parser is wrapped so that the value is quoted cut and escaped (printable.ts).
 */
function quoteRejectedValues(cmd: Command): Command {
  for (const option of cmd.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse<T>(value, previous);
      } catch (e) {
        if (!(e instanceof InvalidArgumentError)) throw e;
        throw new CliError(`option '${option.flags}' argument '${printable(value)}' is invalid. ${e.message}`);
      }
    };
  }
  return cmd;
}

/**
 * Any other commander message as one printable line: quoted parts (an unknown option's name) cut and
 * escaped, and the "(Did you mean --task?)" suggestion, which commander puts on a line of its own, joined on.
 */
function oneLine(message: string): string {
  const quoted = message.replace(/^error: /, '').replace(/'([^']*)'/g, (_, s: string) => `'${printable(s)}'`);
  return escapeControls(quoted.replace(/\s*\n\s*/g, ' ').trim());
}

export function buildCommand(): Command {
  const cmd = new Command('train')
    .description(
      'Train an MLP on a built-in task or a CSV file with the WebGPU or CPU engine.\n' +
        'Exit codes: 0 trained, 1 internal error, 2 bad input (one line on stderr), 3 the run diverged.',
    )
    .option('--task <name>', `built-in task: ${TASK_NAMES.join(', ')}`, oneOf(TASK_NAMES))
    .option('--data <train.csv>', 'train on a numeric CSV file (header row; a "label" column means classification)')
    .option('--test <test.csv>', 'test split for --data (same header)')
    .option('--targets <cols>', 'comma-separated regression target columns of the CSV (default: the last column)')
    .option('--arch <spec>', 'architecture, e.g. 784-1000r-500r-30-784 (r ReLU, t tanh, s sigmoid, none linear)')
    .option('--likelihood <name>', `${LIKELIHOODS.join(', ')} (default: the task's)`, oneOf(LIKELIHOODS))
    .option('--sigma <s>', 'gaussian likelihood standard deviation', number, 1)
    .option('--optimizer <name>', OPTIMIZER_KINDS.join(', '), oneOf(OPTIMIZER_KINDS), 'adam')
    .option('--lr <x>', 'learning rate', number)
    .option('--momentum <x>', 'SGD momentum', number)
    .option('--beta1 <x>', 'Adam beta1', number)
    .option('--beta2 <x>', 'Adam beta2', number)
    .option('--eps <x>', 'Adam epsilon', number)
    .option('--weight-decay <x>', 'weight decay (AdamW: decoupled)', number)
    .option('--approx <name>', `FishLeg approximation: ${FISHLEG_APPROXES.join(', ')}`, oneOf(FISHLEG_APPROXES))
    .option('--beta <x>', 'FishLeg momentum β', number)
    .option('--aux-lr <x>', 'FishLeg auxiliary (λ) Adam learning rate α', number)
    .option('--damping <x>', 'FishLeg damping γ', number)
    .option('--init-scale <x>', 'FishLeg Q₀ = scale·I (default 1/damping)', number)
    .option('--aux-every <n>', 'FishLeg auxiliary update every K steps', number)
    .option('--aux-batch <n>', 'FishLeg auxiliary batch size (default: --batch)', number)
    .option(
      '--fisher <name>',
      `FishLeg Fisher-vector estimator: ${FISHER_ESTIMATORS.join(', ')}`,
      oneOf(FISHER_ESTIMATORS),
    )
    .option('--precondition-aux <on|off>', 'FishLeg: precondition the auxiliary gradient by Q', onOff)
    .option(
      '--switch-approx <list>',
      'FishLeg: switch approximation at steps, e.g. 1000:kron-diag,2000:sum-kron',
      switchList,
    )
    .option('--batch <n>', 'batch size', positiveInt, 100)
    .option('--steps <n>', 'training steps', positiveInt, 1000)
    .option('--eval-every <n>', 'evaluate on the whole train and test splits every n steps', positiveInt, 100)
    .option('--seed <n>', 'seed for weights, batches and toy data', seedInt, 1)
    .option('--samples <n>', 'toy tasks: number of points', positiveInt)
    .option('--noise <x>', 'toy tasks: noise level', number)
    .option(
      '--backend <name>',
      'auto (a real GPU through Dawn if there is one, else the CPU), cpu, or webgpu (Dawn, any adapter)',
      oneOf(['auto', 'cpu', 'webgpu'] as const),
      'auto',
    )
    .addOption(
      new Option(
        '--memory-budget <size>',
        'refuse setups estimated to need more memory than this (e.g. 4GB, 512MB, or bytes)',
      )
        .argParser(byteSize)
        .default(DEFAULT_MEMORY_BUDGET, formatBytes(DEFAULT_MEMORY_BUDGET)),
    )
    .option('--out <file.json>', 'write the config, ms per step and the curve as JSON')
    .option('--quiet', 'no progress bar')
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  return quoteRejectedValues(cmd);
}

interface RawOptions {
  task?: TaskName;
  data?: string;
  test?: string;
  targets?: string;
  arch?: string;
  likelihood?: Likelihood;
  sigma: number;
  optimizer: OptimizerKind;
  lr?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  approx?: FishLegApprox;
  beta?: number;
  auxLr?: number;
  damping?: number;
  initScale?: number;
  auxEvery?: number;
  auxBatch?: number;
  fisher?: FisherEstimator;
  preconditionAux?: boolean;
  switchApprox?: ApproxSwitch[];
  batch: number;
  steps: number;
  evalEvery: number;
  seed: number;
  samples?: number;
  noise?: number;
  memoryBudget: number;
  backend: 'auto' | 'cpu' | 'webgpu';
  out?: string;
  quiet?: boolean;
}

const FISHLEG_FLAGS = [
  ['approx', '--approx'],
  ['beta', '--beta'],
  ['auxLr', '--aux-lr'],
  ['damping', '--damping'],
  ['initScale', '--init-scale'],
  ['auxEvery', '--aux-every'],
  ['auxBatch', '--aux-batch'],
  ['fisher', '--fisher'],
  ['preconditionAux', '--precondition-aux'],
  ['switchApprox', '--switch-approx'],
] as const satisfies readonly (readonly [keyof RawOptions, string])[];

function optimizerFrom(o: RawOptions): OptimizerConfig {
  const base = defaultOptimizer(o.optimizer);
  const lr = o.lr ?? base.lr;
  const weightDecay = o.weightDecay ?? base.weightDecay;
  if (base.kind !== 'fishleg') {
    const given = FISHLEG_FLAGS.filter(([key]) => o[key] !== undefined).map(([, flag]) => flag);
    if (given.length > 0) {
      throw new CliError(
        `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to fishleg, not ${base.kind}`,
      );
    }
  }
  let config: OptimizerConfig;
  if (base.kind === 'fishleg') {
    if (o.momentum !== undefined || o.beta1 !== undefined || o.beta2 !== undefined || o.eps !== undefined) {
      throw new CliError('--momentum, --beta1, --beta2 and --eps do not apply to fishleg (use --beta)');
    }
    config = {
      ...base,
      approx: o.approx ?? base.approx,
      lr,
      weightDecay,
      beta: o.beta ?? base.beta,
      auxLr: o.auxLr ?? base.auxLr,
      damping: o.damping ?? base.damping,
      initScale: o.initScale ?? base.initScale,
      auxEvery: o.auxEvery ?? base.auxEvery,
      auxBatch: o.auxBatch ?? base.auxBatch,
      fisher: o.fisher ?? base.fisher,
      preconditionAux: o.preconditionAux ?? base.preconditionAux,
    };
    const late = o.switchApprox?.find((sw) => sw.step >= o.steps);
    if (late) throw new CliError(`--switch-approx step ${late.step} is not before --steps ${o.steps}`);
  } else if (base.kind === 'sgd') {
    if (o.beta1 !== undefined || o.beta2 !== undefined || o.eps !== undefined) {
      throw new CliError('--beta1, --beta2 and --eps apply to adam and adamw, not sgd');
    }
    config = { ...base, lr, weightDecay, momentum: o.momentum ?? base.momentum };
  } else if (base.kind === 'kfac' || base.kind === 'natural') {
    if (o.beta1 !== undefined || o.beta2 !== undefined || o.eps !== undefined) {
      throw new CliError(`--beta1, --beta2 and --eps apply to adam and adamw, not ${base.kind}`);
    }
    config = { ...base, lr, weightDecay, momentum: o.momentum ?? base.momentum };
  } else {
    if (o.momentum !== undefined) throw new CliError(`--momentum applies to sgd, not ${base.kind} (use --beta1)`);
    config = {
      ...base,
      lr,
      weightDecay,
      beta1: o.beta1 ?? base.beta1,
      beta2: o.beta2 ?? base.beta2,
      eps: o.eps ?? base.eps,
    };
  }
  try {
    validateOptimizer(config);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  return config;
}

/** Parses argv (without node and script) into a validated config, or throws CliError. */
export function parseArgs(argv: readonly string[]): CliConfig {
  const cmd = buildCommand();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') throw e;
      throw new CliError(oneLine(e.message));
    }
    throw e;
  }
  const o = cmd.opts<RawOptions>();
  if (o.task && o.data) throw new CliError('give either --task or --data, not both');
  if (!o.task && !o.data) throw new CliError('nothing to train on: give --task <name> or --data <train.csv>');
  if (o.test && !o.data) throw new CliError('--test needs --data');
  if (o.targets !== undefined && !o.data) throw new CliError('--targets needs --data');
  if (!(o.sigma > 0)) throw new CliError(`--sigma must be positive (got ${o.sigma})`);
  // The likelihood kernels form log σ² and 1/σ² in float32: σ² must be a normal float32, and so is 1/σ² then.
  if (!(o.sigma >= SIGMA_MIN && o.sigma <= SIGMA_MAX)) {
    throw new CliError(`--sigma must be from 1.1e-19 to 1.8e19, so that σ² is a normal float32 (got ${o.sigma})`);
  }
  if (o.noise !== undefined && !(o.noise >= 0 && o.noise <= TOY_MAX_NOISE)) {
    throw new CliError(`--noise must be from 0 to ${TOY_MAX_NOISE} (got ${o.noise})`);
  }
  if (o.targets !== undefined && o.targets.split(',').every((t) => t.trim() === '')) {
    throw new CliError('--targets needs at least one column name, e.g. --targets y or --targets y1,y2');
  }
  if ((o.samples !== undefined || o.noise !== undefined) && (!o.task || o.task.startsWith('mnist'))) {
    throw new CliError('--samples and --noise apply to the toy tasks spiral, circles, xor and gaussians');
  }
  if (o.samples !== undefined && o.samples > TOY_MAX_POINTS) {
    throw new CliError(`--samples must be at most ${TOY_MAX_POINTS} (got ${o.samples})`);
  }
  return {
    task: o.task ?? null,
    data: o.data ?? null,
    test: o.test ?? null,
    targets: o.targets ? o.targets.split(',').map((s) => s.trim()) : null,
    arch: o.arch ?? null,
    likelihood: o.likelihood ?? null,
    sigma: o.sigma,
    optimizer: optimizerFrom(o),
    switchApprox: o.switchApprox ?? [],
    batch: o.batch,
    steps: o.steps,
    evalEvery: o.evalEvery,
    seed: o.seed,
    backend: o.backend,
    out: o.out ?? null,
    samples: o.samples ?? null,
    noise: o.noise ?? null,
    memoryBudget: o.memoryBudget,
    quiet: o.quiet ?? false,
  };
}
