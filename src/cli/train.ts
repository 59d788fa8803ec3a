/**
 * `npm run train -- [flags]`: trains one run in Node on the CPU reference or on Dawn's WebGPU, with a
 * progress bar on stderr, a summary on stdout and an optional JSON curve. User mistakes print one line
 * and exit with code 2; nothing else should ever reach the user as a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { SingleBar } from 'cli-progress';
import type { Backend } from '../engine/backend.ts';
import { Trainer, TrainConfigError, type EvalResult, type TrainConfig } from '../engine/trainer.ts';
import { CliError, parseArgs, type CliConfig } from './args.ts';
import { loadCliData, defaultsFor } from './data.ts';
import { openBackend } from './backend.ts';
import { parseArch } from '../engine/data/tasks.ts';

/** A curve point; FishLeg runs add the mean auxiliary loss of the updates since the previous point. */
export type CurvePoint = EvalResult & { readonly auxLoss?: number };

export interface RunSummary {
  readonly config: Record<string, unknown>;
  readonly msPerStep: number;
  readonly curve: CurvePoint[];
}

/**
 * Trains as the flags say and returns what --out writes; `onPoint` sees the summary so far after every
 * evaluation (the CLI rewrites --out then, so a run cut short still leaves its curve).
 */
export async function runTraining(
  cli: CliConfig,
  log: (line: string) => void = () => {},
  onPoint: (summary: RunSummary) => void = () => {},
): Promise<RunSummary> {
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
  parseArch(config.arch, data.inputDim, data.outputDim);
  const backend: Backend = await openBackend(cli.backend, log);
  let trainer: Trainer | null = null;
  try {
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
    const runConfig = {
      ...config,
      switchApprox: cli.switchApprox,
      task: cli.task,
      data: cli.data,
      test: cli.test,
      steps: cli.steps,
      evalEvery: cli.evalEvery,
      backend: backend.name,
      device: backend.description,
    };
    const summary = (): RunSummary => {
      const last = curve[curve.length - 1]!;
      return { config: runConfig, msPerStep: last.step > 0 ? (1000 * last.seconds) / last.step : 0, curve };
    };
    const switches = [...cli.switchApprox];
    while (trainer.stepCount < cli.steps) {
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
      onPoint(summary());
      bar?.update(trainer.stepCount, { loss: point.trainLoss.toFixed(4) });
      if (!cli.quiet && !bar) log(formatPoint(point));
      if (!Number.isFinite(point.trainLoss)) {
        bar?.stop();
        log(`diverged: the training loss is ${point.trainLoss} at step ${point.step}; stopping`);
        break;
      }
    }
    bar?.stop();
    return summary();
  } finally {
    trainer?.dispose();
    backend.dispose();
  }
}

function formatPoint(p: CurvePoint): string {
  const parts = [
    `step ${p.step}`,
    `${p.seconds.toFixed(2)}s`,
    `train ${p.trainLoss.toFixed(4)}`,
    `test ${p.testLoss.toFixed(4)}`,
  ];
  if (p.testAccuracy !== undefined) parts.push(`test acc ${(100 * p.testAccuracy).toFixed(2)}%`);
  if (p.testMse !== undefined) parts.push(`test mse ${p.testMse.toFixed(5)}`);
  if (p.auxLoss !== undefined) parts.push(`aux ${p.auxLoss.toFixed(4)}`);
  return parts.join('  ');
}

async function main(argv: readonly string[]): Promise<number> {
  let cli: CliConfig;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    if (e instanceof CommanderError) return 0; // --help / --version already printed
    throw e;
  }
  const out = cli.out;
  const save = out ? (s: RunSummary) => writeFileSync(out, JSON.stringify(s, null, 2)) : undefined;
  const summary = await runTraining(cli, cli.quiet ? undefined : (line) => process.stderr.write(`${line}\n`), save);
  const last = summary.curve[summary.curve.length - 1]!;
  process.stdout.write(`${formatPoint(last)}  (${summary.msPerStep.toFixed(2)} ms/step)\n`);
  save?.(summary);
  return 0;
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
