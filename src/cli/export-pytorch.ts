/**
 * `npm run train -- <flags> --export-pytorch run.py`: the CLI's setup as an ExportSetup
 * (src/engine/export/pytorch.ts), written as the script and its side files (the engine's initial weights as
 * run_init.npy; a toy's or MNIST's splits as run_data.npz, a CSV's as run_train.csv / run_test.csv) in the
 * script's folder. Nothing is trained.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  parseArch,
  TASKS,
  TOY_DEFAULTS,
  TOY_TASKS,
  type ToyTask,
  isRegressionToy,
  exportPytorch,
  ExportError,
  type ExportData,
  type ExportSetup,
  initParams,
  escapeControls,
} from '../engine/index.ts';
import { CliError, type CliConfig } from './args.ts';
import { defaultsFor, loadCliData } from './data.ts';
import { fileProblem } from './file-problem.ts';

// The script ports the classification toys' generators; a regression toy's points travel as a table.
const isToy = (t: string | null): t is ToyTask =>
  t !== null && (TOY_TASKS as readonly string[]).includes(t) && !isRegressionToy(t as ToyTask);

/** The CLI's flags as an export setup; CSV data is read (and split) as training would. */
export function exportSetupFromCli(cli: CliConfig, scriptName: string): ExportSetup {
  let data: ExportData;
  let arch: string;
  let likelihood = cli.likelihood;
  if (isToy(cli.task)) {
    const d = TOY_DEFAULTS[cli.task];
    data = {
      source: 'toy',
      task: cli.task,
      n: cli.samples ?? d.n,
      noise: cli.noise ?? d.noise,
      seed: cli.seed,
      testFraction: cli.testFraction ?? d.testFraction,
      classes: d.classes,
      ...(cli.features ? { features: cli.features } : {}),
    };
    arch = cli.arch ?? TASKS[cli.task].defaultArch.replace(/^\d+/, String(cli.features?.length ?? 2));
    likelihood ??= TASKS[cli.task].likelihood;
  } else if (cli.task === 'mnist' || cli.task === 'mnist-ae') {
    data = { source: 'mnist', task: cli.task };
    arch = cli.arch ?? TASKS[cli.task].defaultArch;
    likelihood ??= TASKS[cli.task].likelihood;
  } else {
    const dataset = loadCliData(cli);
    data = { source: 'table', dataset };
    const defaults = defaultsFor(cli, dataset);
    arch = cli.arch ?? defaults.arch;
    likelihood ??= defaults.likelihood;
  }
  return {
    scriptName,
    data,
    arch,
    likelihood,
    sigma: cli.sigma,
    batch: cli.batch,
    evalEvery: cli.evalEvery,
    steps: cli.steps,
    seed: cli.seed,
    runs: [{ name: cli.optimizer.kind, optimizer: cli.optimizer }],
    initialParams: initParams(parseArch(arch), cli.seed),
    switchApprox: cli.switchApprox,
    // The race's exact splits beside the script (a CSV's are already its side files, exact as written).
    ...(data.source === 'table' ? {} : { splits: loadCliData(cli) }),
  };
}

/** Writes the script and its side files beside `path`; returns the paths written. Throws CliError. */
export function writePytorchExport(cli: CliConfig, path: string): string[] {
  const shown = escapeControls(path);
  const name = basename(path);
  if (!/\.py$/i.test(name)) throw new CliError(`--export-pytorch ${shown}: the script's name must end in .py`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new CliError(
      `--export-pytorch ${shown}: use letters, digits, '_', '-' and '.' in the script's name (it names its side files and is run with python3)`,
    );
  }
  let files;
  try {
    files = exportPytorch(exportSetupFromCli(cli, name));
  } catch (e) {
    if (e instanceof ExportError) throw new CliError(`--export-pytorch: ${e.message}`);
    throw e;
  }
  const folder = dirname(path);
  const written: string[] = [];
  for (const f of files) {
    const target = join(folder, f.name);
    try {
      writeFileSync(target, f.contents);
    } catch (e) {
      const why = fileProblem(e, 'write');
      throw new CliError(
        `cannot write --export-pytorch ${escapeControls(target)}: ${why}${why.startsWith('its folder') ? ` (${escapeControls(folder)})` : ''}`,
      );
    }
    written.push(target);
  }
  return written;
}
