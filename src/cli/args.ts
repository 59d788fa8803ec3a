/**
 * Command-line flags of `npm run train`, parsed with commander and validated into one plain config.
 * Every mistake becomes a CliError whose one-line message the entry point prints before exiting with 2.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  TASK_NAMES,
  TOY_TASKS,
  type TaskName,
  formatBytes,
  parseByteSize,
  LIKELIHOODS,
  type Likelihood,
  escapeControls,
  printable,
  SETUP,
  FEATURES_SETTING,
  parseFeatures,
  type FeatureId,
  defaultOptimizer,
  F32_MAX,
  FISHLEG_APPROXES,
  OPTIMIZER_KINDS,
  OPTIMIZER_SPECS,
  settingsOfKind,
  validateOptimizer,
  type FishLegApprox,
  type OptimizerConfig,
  type OptimizerKind,
  settingsOf,
  type KeyedSetting,
} from '../engine/index.ts';

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
  /** Toy tasks: share of the points held out for testing (null = the task's default, 0.2). */
  readonly testFraction: number | null;
  /** Toy tasks: the input features (--features), null for x₁ and x₂ themselves. */
  readonly features: readonly FeatureId[] | null;
  /** Bytes the run may allocate (estimated before anything is; engine/memory.ts). */
  readonly memoryBudget: number;
  readonly quiet: boolean;
  /** --export-pytorch: write a PyTorch script for the setup there and train nothing (src/cli/export-pytorch.ts). */
  readonly exportPytorch: string | null;
}

/** The range of --sigma whose square is a normal float32 (engine/setup-spec.ts). */
export const SIGMA_MIN = SETUP.sigma.cliRange.min;
export const SIGMA_MAX = SETUP.sigma.cliRange.max;

/** The default --memory-budget: what a laptop can spare without swapping. */
export const DEFAULT_MEMORY_BUDGET = 2e9;

/** 1.8e19 rather than 18000000000000000000. */
const sci = (x: number): string => x.toExponential().replace('e+', 'e');

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
 * A float flag. Every one ends up in a float32 buffer, where 1e39 is ∞, so that is refused here with the flag
 * named. Tiny values are judged by each flag's own range check (the optimizer schema, --sigma's range), which
 * knows whether 0 is allowed: one message per value, never "0 or at least …" for a flag that refuses 0.
 */
function number(v: string): number {
  const x = Number(v.trim());
  if (!DECIMAL.test(v.trim()) || !Number.isFinite(x)) throw new InvalidArgumentError('expected a number');
  if (Math.abs(x) > F32_MAX) {
    throw new InvalidArgumentError(`expected a number of at most ${F32_MAX} in size (the largest float32)`);
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

function featureList(v: string): FeatureId[] {
  try {
    return parseFeatures(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
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
  if (!/^\d+$/.test(v.trim()) || x > SETUP.seed.cliRange.max) {
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

/** One optimizer flag: the settings it sets (one per optimizer that has it) and the kinds that take it. */
export interface OptimizerFlag {
  readonly flag: string;
  /** The first description of the flag (help, type). */
  readonly setting: KeyedSetting;
  /** Config key per kind that takes the flag. */
  readonly keys: ReadonlyMap<OptimizerKind, string>;
}

/** Every optimizer flag, from the optimizers' schemas, in the order they first appear. */
export const OPTIMIZER_FLAGS: readonly OptimizerFlag[] = (() => {
  const byFlag = new Map<string, { setting: KeyedSetting; keys: Map<OptimizerKind, string> }>();
  for (const spec of OPTIMIZER_SPECS) {
    for (const s of settingsOf(spec)) {
      const entry = byFlag.get(s.cli) ?? { setting: s, keys: new Map<OptimizerKind, string>() };
      if (entry.setting.type !== s.type) {
        throw new Error(`${s.cli} is a ${entry.setting.type} for one optimizer and a ${s.type} for another`);
      }
      for (const k of spec.kinds) entry.keys.set(k, s.key);
      byFlag.set(s.cli, entry);
    }
  }
  return [...byFlag].map(([flag, e]) => ({ flag, ...e }));
})();

/** The flag with its value placeholder, e.g. '--aux-every <n>'. */
export function flagSyntax(s: KeyedSetting): string {
  const arg = { number: '<x>', integer: '<n>', enum: '<name>', boolean: '<on|off>' }[s.type];
  return `${s.cli} ${arg}`;
}

/** The flag's help line: the setting's help, its choices, and what leaving it out means. */
export function flagHelp(s: KeyedSetting): string {
  const choices = s.type === 'enum' ? `: ${s.choices.map((c) => c.value).join(', ')}` : '';
  const unset = s.nullable ? ` (default: ${s.nullable.meaning})` : '';
  return `${s.help}${choices}${unset}`;
}

function optimizerOption({ setting: s }: OptimizerFlag): Option {
  const option = new Option(flagSyntax(s), flagHelp(s));
  switch (s.type) {
    case 'number':
    case 'integer':
      // Integers go through the float parser too, so that validation names the setting ("aux-every K must be…").
      return option.argParser(number);
    case 'enum':
      // A flag several optimizers share (--fisher) has choices per optimizer: judged once the optimizer is
      // known (optimizerFrom), against its own choices.
      return option.argParser((v: string) => v);
    case 'boolean':
      return option.argParser(onOff);
    default:
      return s satisfies never;
  }
}

export function buildCommand(): Command {
  const cmd = new Command('train')
    .description(
      'Train an MLP on a built-in task or a CSV file with the WebGPU or CPU engine.\n' +
        'Exit codes: 0 trained, 1 internal error, 2 bad input (one line on stderr), 3 the run diverged.\n' +
        'To race every run of a page preset (optionally tuned first): train --preset ID --help.',
    )
    .option('--task <name>', `built-in task: ${TASK_NAMES.join(', ')}`, oneOf(TASK_NAMES))
    .option('--data <train.csv>', 'train on a numeric CSV file (header row; a "label" column means classification)')
    .option('--test <test.csv>', 'test split for --data (same header)')
    .option('--targets <cols>', 'comma-separated regression target columns of the CSV (default: the last column)')
    .option(
      '--arch <spec>',
      'architecture, e.g. 784-1000r-30-784 (r ReLU, t tanh, s sigmoid) or 28x28x1-c16k5p2r-mp2-f-10',
    )
    .option('--likelihood <name>', `${LIKELIHOODS.join(', ')} (default: the task's)`, oneOf(LIKELIHOODS))
    .option('--sigma <s>', SETUP.sigma.help, number, 1)
    .option('--optimizer <name>', OPTIMIZER_KINDS.join(', '), oneOf(OPTIMIZER_KINDS), 'adam');
  for (const flag of OPTIMIZER_FLAGS) cmd.addOption(optimizerOption(flag));
  cmd
    .option(
      '--switch-approx <list>',
      'FishLeg: switch approximation at steps, e.g. 1000:kron-diag,2000:sum-kron',
      switchList,
    )
    .option('--batch <n>', SETUP.batch.help, positiveInt, 100)
    .option('--steps <n>', 'training steps', positiveInt, 1000)
    .option('--eval-every <n>', SETUP.evalEvery.help, positiveInt, 100)
    .option('--seed <n>', SETUP.seed.help, seedInt, 1)
    .option('--samples <n>', SETUP.samples.help, positiveInt)
    .option('--noise <x>', SETUP.noise.help, number)
    .option('--test-fraction <x>', 'toy tasks: share of the points held out for testing (default 0.2)', number)
    .option(`${FEATURES_SETTING.cli} <list>`, FEATURES_SETTING.help, featureList)
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
  // Kept apart from the flags above: graduating to PyTorch (docs/pytorch-export.md).
  cmd.option(
    '--export-pytorch <file.py>',
    'write a PyTorch script (and its side files) for this setup; trains nothing',
  );
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
  switchApprox?: ApproxSwitch[];
  batch: number;
  steps: number;
  evalEvery: number;
  seed: number;
  samples?: number;
  noise?: number;
  testFraction?: number;
  features?: FeatureId[];
  memoryBudget: number;
  backend: 'auto' | 'cpu' | 'webgpu';
  out?: string;
  quiet?: boolean;
  exportPytorch?: string;
}

/** "a and b" / "a, b and c". */
const and = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)!}`;

/** The optimizer's settings from its flags over its defaults; flags of other optimizers are refused. */
function optimizerFrom(o: RawOptions, values: Readonly<Record<string, unknown>>): OptimizerConfig {
  const kind = o.optimizer;
  const given = OPTIMIZER_FLAGS.filter((f) => values[attributeOf(f.flag)] !== undefined);
  // Flags of other optimizers, grouped by the optimizers that take them: "--aux-lr, --damping apply to fishleg, not adam".
  const foreign = new Map<string, string[]>();
  for (const f of given.filter((f) => !f.keys.has(kind))) {
    const owners = and([...f.keys.keys()]);
    foreign.set(owners, [...(foreign.get(owners) ?? []), f.flag]);
  }
  if (o.switchApprox !== undefined && !settingsOfKind(kind).some((s) => s.live === 'switch')) {
    const owners = and(OPTIMIZER_KINDS.filter((k) => settingsOfKind(k).some((s) => s.live === 'switch')));
    foreign.set(owners, [...(foreign.get(owners) ?? []), '--switch-approx']);
  }
  const problem = [...foreign].map(
    ([owners, flags]) => `${flags.join(', ')} ${flags.length === 1 ? 'applies' : 'apply'} to ${owners}, not ${kind}`,
  );
  if (problem.length > 0) throw new CliError(problem.join('; '));
  // A shared enum flag is judged against this optimizer's choices (a value it refuses with a reason, such as
  // K-FAC's 'ggn', is left to validateOptimizer, which gives the reason).
  for (const f of given) {
    const s = settingsOfKind(kind).find((x) => x.cli === f.flag);
    const v = values[attributeOf(f.flag)];
    if (s?.type !== 'enum' || s.choices.some((c) => c.value === v)) continue;
    if (typeof v === 'string' && (s.refused as Readonly<Record<string, string>> | undefined)?.[v] !== undefined)
      continue;
    throw new CliError(
      `option '${flagSyntax(s)}' argument '${printable(String(v))}' is invalid. expected one of ${s.choices.map((c) => c.value).join(', ')}${f.keys.size > 1 ? ` with ${kind}` : ''}`,
    );
  }
  const config: Record<string, unknown> = { ...defaultOptimizer(kind) };
  for (const f of given) config[f.keys.get(kind)!] = values[attributeOf(f.flag)];
  const late = o.switchApprox?.find((sw) => sw.step >= o.steps);
  if (late) throw new CliError(`--switch-approx step ${late.step} is not before --steps ${o.steps}`);
  const c = config as unknown as OptimizerConfig;
  try {
    validateOptimizer(c);
  } catch (e) {
    throw new CliError(escapeControls(e instanceof Error ? e.message : String(e)));
  }
  return c;
}

/** Commander's attribute name of a long flag ('--aux-lr' → 'auxLr'). */
const attributeOf = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Commander keeps the last of a repeated flag: `--lr 0.1 --lr 0.3` would train at 0.3 without a word, so a
 * flag given twice is refused, naming both values.
 */
function refuseRepeats(cmd: Command, argv: readonly string[]): void {
  const seen = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const option = cmd.options.find((o) => o.long === flag);
    if (!option) continue; // commander names it
    const takesValue = option.required || option.optional;
    const value = eq >= 0 ? arg.slice(eq + 1) : takesValue ? (argv[i + 1] ?? '') : '';
    if (eq < 0 && takesValue) i++;
    const before = seen.get(flag);
    if (before !== undefined) {
      const values = takesValue ? ` ('${printable(before)}' and '${printable(value)}')` : '';
      throw new CliError(`${flag} is given twice${values}; give it once`);
    }
    seen.set(flag, value);
  }
}

/** Parses argv (without node and script) into a validated config, or throws CliError. */
export function parseArgs(argv: readonly string[]): CliConfig {
  const cmd = buildCommand();
  refuseRepeats(cmd, argv);
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
  const values = cmd.opts<Record<string, unknown>>();
  if (o.task && o.data) throw new CliError('give either --task or --data, not both');
  if (!o.task && !o.data) throw new CliError('nothing to train on: give --task <name> or --data <train.csv>');
  if (o.test && !o.data) throw new CliError('--test needs --data');
  if (o.targets !== undefined && !o.data) throw new CliError('--targets needs --data');
  if (o.out !== undefined && o.out.trim() === '') throw new CliError('--out needs a file name, e.g. --out run.json');
  if (o.exportPytorch !== undefined && o.exportPytorch.trim() === '') {
    throw new CliError('--export-pytorch needs a file name, e.g. --export-pytorch train.py');
  }
  // The likelihood kernels form log σ² and 1/σ² in float32: σ² must be a normal float32, and so is 1/σ² then.
  if (!(o.sigma >= SIGMA_MIN && o.sigma <= SIGMA_MAX)) {
    throw new CliError(
      `--sigma must be from ${sci(SIGMA_MIN)} to ${sci(SIGMA_MAX)}, so that σ² is a normal float32 (got ${o.sigma})`,
    );
  }
  const noise = SETUP.noise.cliRange;
  if (o.noise !== undefined && !(o.noise >= noise.min && o.noise <= noise.max)) {
    throw new CliError(`--noise must be from ${noise.min} to ${noise.max} (got ${o.noise})`);
  }
  if (o.targets !== undefined && o.targets.split(',').every((t) => t.trim() === '')) {
    throw new CliError('--targets needs at least one column name, e.g. --targets y or --targets y1,y2');
  }
  const toy = o.task !== undefined && ([...TOY_TASKS, 'bars'] as readonly string[]).includes(o.task);
  if ((o.samples !== undefined || o.noise !== undefined) && !toy) {
    throw new CliError('--samples and --noise apply to the toy tasks spiral, circles, xor, gaussians and bars');
  }
  if (o.testFraction !== undefined) {
    if (!toy) throw new CliError('--test-fraction applies to the toy tasks spiral, circles, xor and gaussians');
    if (!(o.testFraction > 0 && o.testFraction < 1))
      throw new CliError(`--test-fraction must be between 0 and 1, e.g. 0.2 (got ${o.testFraction})`);
  }
  if (o.features !== undefined && (!o.task || o.task.startsWith('mnist'))) {
    throw new CliError(`${FEATURES_SETTING.cli} applies to the toy tasks spiral, circles, xor and gaussians`);
  }
  if (o.samples !== undefined && o.samples > SETUP.samples.cliRange.max) {
    throw new CliError(`--samples must be at most ${SETUP.samples.cliRange.max} (got ${o.samples})`);
  }
  return {
    task: o.task ?? null,
    data: o.data ?? null,
    test: o.test ?? null,
    targets: o.targets ? o.targets.split(',').map((s) => s.trim()) : null,
    arch: o.arch ?? null,
    likelihood: o.likelihood ?? null,
    sigma: o.sigma,
    optimizer: optimizerFrom(o, values),
    switchApprox: o.switchApprox ?? [],
    batch: o.batch,
    steps: o.steps,
    evalEvery: o.evalEvery,
    seed: o.seed,
    backend: o.backend,
    out: o.out ?? null,
    samples: o.samples ?? null,
    noise: o.noise ?? null,
    testFraction: o.testFraction ?? null,
    features: o.features ?? null,
    memoryBudget: o.memoryBudget,
    quiet: o.quiet ?? false,
    exportPytorch: o.exportPytorch ?? null,
  };
}
