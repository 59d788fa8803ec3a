/**
 * `npm run train -- [flags]`: trains one run in Node on the CPU reference or on Dawn's WebGPU, with a
 * progress bar on stderr, a summary on stdout and an optional JSON curve. Exit codes: 0 trained; 2 a user
 * mistake (bad flag, unreadable or malformed data, a setup over the memory budget, an --out that cannot be
 * written), printed as one line; 3 the run diverged (engine/divergence.ts): training stops there, the
 * summary and --out still cover the curve so far, and stderr says "diverged at step k (loss …): why".
 * Anything else is a bug (exit 1, with its stack trace).
 */
import { writeFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  setupNotices,
  type Backend,
  DivergenceWatch,
  formatLoss,
  type Divergence,
  bufferLimit,
  checkMemory,
  dataShape,
  estimateMemory,
  type DataShape,
  type MemoryEstimate,
  type MemoryLimits,
  escapeControls,
  Trainer,
  TrainConfigError,
  type TrainConfig,
  parseArch,
  type Arch,
} from '../engine/index.ts';
import { CliError, parseArgs, type CliConfig } from './args.ts';
import { fileProblem } from './file-problem.ts';
import { checkWritable } from './out-file.ts';
import { presetMain } from './preset.ts';
import { loadCliData, defaultsFor, plannedShape } from './data.ts';
import { openBackend } from './backend.ts';
import { writePytorchExport } from './export-pytorch.ts';

export { checkWritable };
export type { CurvePoint } from './out-file.ts';
import type { CurvePoint } from './out-file.ts';

export interface RunSummary {
  readonly config: Record<string, unknown>;
  readonly msPerStep: number;
  readonly curve: CurvePoint[];
  /** What about the setup misleads (engine/data/setup-notices.ts), as warned before training. */
  readonly warnings: readonly string[];
  /** Set when the run diverged; the curve ends at that evaluation. */
  readonly diverged?: Divergence;
}

/** Exit code of a run that diverged. */
export const EXIT_DIVERGED = 3;

function memoryLimits(cli: CliConfig): MemoryLimits {
  return { budget: cli.memoryBudget, hint: 'raise it with --memory-budget' };
}

/** Estimates of the run as it starts and after each --switch-approx (FishLeg's structures differ in size). */
function estimateRun(cli: CliConfig, arch: Arch, data: DataShape, batch: number): MemoryEstimate[] {
  const o = cli.optimizer;
  const variants = [o, ...(o.kind === 'fishleg' ? cli.switchApprox.map((sw) => ({ ...o, approx: sw.approx })) : [])];
  return variants.map((v) => estimateMemory({ arch, batch, data, optimizers: [v] }));
}

function checkAll(estimates: readonly MemoryEstimate[], limits: MemoryLimits): void {
  for (const e of estimates) checkMemory(e, limits);
}

/**
 * Trains as the flags say and returns what --out writes; `onPoint` sees the summary so far after every
 * evaluation (the CLI rewrites --out then, so a run cut short still leaves its curve).
 */
export async function runTraining(
  cli: CliConfig,
  log: (line: string) => void = () => {},
  onPoint: (summary: RunSummary) => void = () => {},
  warn: (line: string) => void = log,
): Promise<RunSummary> {
  // Refuse what cannot fit before any data is generated or read, as far as the flags tell (toys: fully).
  const planned = plannedShape(cli);
  if (planned) checkAll(estimateRun(cli, planned.arch, planned.data, cli.batch), memoryLimits(cli));
  const data = loadCliData(cli);
  const defaults = defaultsFor(cli, data);
  const config: TrainConfig = {
    arch: cli.arch ?? defaults.arch,
    likelihood: cli.likelihood ?? defaults.likelihood,
    sigma: cli.sigma,
    optimizer: cli.optimizer,
    batch: cli.batch,
    seed: cli.seed,
  };
  // Mistakes in the flags are reported before a backend is opened (and before it says which it chose).
  const arch = parseArch(config.arch, data.inputDim, data.outputDim);
  const estimates = estimateRun(cli, arch, dataShape(data), config.batch);
  checkAll(estimates, memoryLimits(cli));
  const hasTest = data.test.n > 0;
  const warnings = setupNotices(data, config.batch);
  for (const w of warnings) warn(w);
  const backend: Backend = await openBackend(cli.backend, log);
  let trainer: Trainer | null = null;
  try {
    // A WebGPU device caps each buffer; known only once there is a device.
    checkAll(estimates, { ...memoryLimits(cli), maxBuffer: bufferLimit(backend) });
    trainer = Trainer.create(backend, data, config);
    log(
      `training ${data.name} (${data.train.n} train / ${data.test.n} test) with ${config.optimizer.kind} on ${backend.description}`,
    );
    const bar =
      cli.quiet || !process.stderr.isTTY
        ? null
        : new SingleBar({
            format: ' {bar} {value}/{total} steps | loss {loss} | {eta_formatted} left',
            stream: process.stderr,
            hideCursor: true,
          });
    bar?.start(cli.steps, 0, { loss: '…' });
    const curve: CurvePoint[] = [await trainer.evaluate()];
    const watch = new DivergenceWatch();
    let diverged = watch.observe(curve[0]!.step, curve[0]!.trainLoss);
    const runConfig = {
      ...config,
      switchApprox: cli.switchApprox,
      task: cli.task,
      ...(cli.features ? { features: cli.features } : {}),
      data: cli.data,
      test: cli.test,
      steps: cli.steps,
      evalEvery: cli.evalEvery,
      trainRows: data.train.n,
      testRows: data.test.n,
      backend: backend.name,
      device: backend.description,
    };
    const summary = (): RunSummary => {
      const last = curve[curve.length - 1]!;
      const msPerStep = last.step > 0 ? (1000 * last.seconds) / last.step : 0;
      return { config: runConfig, msPerStep, curve, warnings, ...(diverged ? { diverged } : {}) };
    };
    const switches = [...cli.switchApprox];
    while (trainer.stepCount < cli.steps && !diverged) {
      const next = switches[0];
      if (next && next.step <= trainer.stepCount) {
        switches.shift();
        await trainer.switchApprox(next.approx);
        if (!cli.quiet && !bar) log(`step ${trainer.stepCount}: FishLeg switched to ${next.approx}`);
        continue;
      }
      let n = Math.min(cli.evalEvery - (trainer.stepCount % cli.evalEvery), cli.steps - trainer.stepCount);
      if (next) n = Math.min(n, next.step - trainer.stepCount);
      trainer.step(n);
      if (trainer.stepCount % cli.evalEvery !== 0 && trainer.stepCount < cli.steps) continue; // stopped for a switch
      const evaluated = await trainer.evaluate();
      const auxLoss = await trainer.readAuxLoss();
      const point: CurvePoint = auxLoss === null ? evaluated : { ...evaluated, auxLoss };
      curve.push(point);
      diverged = watch.observe(point.step, point.trainLoss);
      onPoint(summary());
      bar?.update(trainer.stepCount, { loss: metric(point.trainLoss, 4) });
      if (!cli.quiet && !bar) log(formatPoint(point, hasTest));
    }
    bar?.stop();
    return summary();
  } finally {
    trainer?.dispose();
    backend.dispose();
  }
}

/**
 * A metric as the summary shows it: a loss that is NaN or ±∞ (the point where a run diverged, whose value
 * the "diverged at step …" line gives) reads 'diverged', never 'NaN'.
 */
function metric(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'diverged';
}

const percent = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'diverged');

/** One evaluation as a line; without a test split its test columns (NaN) are left out, and said to be. */
export function formatPoint(p: CurvePoint, hasTest = true): string {
  const parts = [`step ${p.step}`, `${p.seconds.toFixed(2)}s`, `train ${metric(p.trainLoss, 4)}`];
  if (hasTest) {
    parts.push(`test ${metric(p.testLoss, 4)}`);
    if (p.testAccuracy !== undefined) parts.push(`test acc ${percent(p.testAccuracy)}`);
    if (p.testMse !== undefined) parts.push(`test mse ${metric(p.testMse, 5)}`);
  } else {
    if (p.trainAccuracy !== undefined) parts.push(`train acc ${percent(p.trainAccuracy)}`);
    if (p.trainMse !== undefined) parts.push(`train mse ${metric(p.trainMse, 5)}`);
    parts.push('(no test split)');
  }
  if (p.auxLoss !== undefined) parts.push(`aux ${metric(p.auxLoss, 4)}`);
  return parts.join('  ');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.some((a) => a === '--preset' || a.startsWith('--preset='))) return presetMain(argv, (t) => writeStdout(t));
  let cli: CliConfig;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    if (e instanceof CommanderError) return 0; // --help / --version already printed
    throw e;
  }
  if (cli.exportPytorch !== null) return exportOnly(cli, cli.exportPytorch);
  const out = cli.out;
  if (out) checkWritable(out);
  const write = (s: RunSummary) => writeFileSync(out!, JSON.stringify(s, null, 2));
  let warned = false;
  // A write that fails mid-run (disk full, folder removed) is said once and training goes on: the final write
  // below tries again, and its failure is the run's error.
  const save = out
    ? (s: RunSummary) => {
        try {
          write(s);
        } catch (e) {
          if (!warned)
            process.stderr.write(`warning: cannot write --out ${escapeControls(out)}: ${fileProblem(e, 'write')}\n`);
          warned = true;
        }
      }
    : undefined;
  const summary = await runTraining(
    cli,
    cli.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    save,
    // Said even with --quiet: the run's numbers mislead without them.
    (line) => process.stderr.write(`warning: ${line}\n`),
  );
  const last = summary.curve[summary.curve.length - 1]!;
  const hasTest = summary.config.testRows !== 0;
  await writeStdout(`${formatPoint(last, hasTest)}  (${summary.msPerStep.toFixed(2)} ms/step)\n`);
  if (out) {
    try {
      write(summary);
    } catch (e) {
      throw new CliError(`cannot write --out ${escapeControls(out)}: ${fileProblem(e, 'write')}`);
    }
  }
  const d = summary.diverged;
  if (d) {
    process.stderr.write(`diverged at step ${d.step} (loss ${formatLoss(d.loss)}): ${d.reason}; stopped\n`);
    return EXIT_DIVERGED;
  }
  return 0;
}

/** --export-pytorch: writes the script and its side files, says where, and trains nothing. */
async function exportOnly(cli: CliConfig, path: string): Promise<number> {
  if (cli.out) throw new CliError('--export-pytorch trains nothing, so --out would have nothing to write');
  const files = writePytorchExport(cli, path);
  await writeStdout(files.map((file) => `wrote ${escapeControls(file)}\n`).join(''));
  return 0;
}

/**
 * Writes to standard output and waits until it has gone: a write that fails (a full disk, a closed pipe)
 * is the run's error, not an exit code of 0 with the result lost.
 */
export function writeStdout(text: string, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) =>
      reject(new CliError(`cannot write to standard output: ${fileProblem(e, 'write')}`, { cause: e }));
    // The error also comes as an event, after the callback: without a listener Node would crash on it.
    stream.once('error', fail);
    stream.write(text, (e) => (e ? fail(e) : resolve()));
  });
}

/** Errors a user can fix: their message is the whole story. */
function isUserError(e: unknown): e is Error {
  return (
    e instanceof Error &&
    [
      'CliError',
      'TrainConfigError',
      'CsvError',
      'ArchError',
      'ToyError',
      'DatasetError',
      'MnistAssetError',
      'MemoryBudgetError',
      'OptimizerConfigError',
      'WebGpuUnavailableError',
    ].includes(e.name)
  );
}

const isEntry = process.argv[1] !== undefined && /train\.(ts|mjs)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (isUserError(e) || e instanceof CliError || e instanceof TrainConfigError) {
        process.stderr.write(`error: ${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
