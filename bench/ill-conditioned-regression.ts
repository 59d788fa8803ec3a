/**
 * `npx tsx bench/ill-conditioned-regression.ts --out DIR [--seed N] [--kappa X] …`: writes DIR/train.csv and
 * DIR/test.csv from the engine's badly scaled regression (src/engine/data/scaled-regression.ts, the built-in task
 * `scaled-regression` at its defaults), so that its variants (another κ, size or noise) can be trained as CSV
 * files with the CLI (BENCHMARKS.md, "A task where curvature matters").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { SCALED_REGRESSION_DEFAULTS as D, scaledRegressionRows } from '../src/engine/index.ts';

const opts = new Command()
  .requiredOption('--out <dir>', 'folder for train.csv and test.csv')
  .option('--seed <n>', 'data seed', String(D.seed))
  .option('--inputs <n>', 'input dimension', String(D.inputs))
  .option('--targets <n>', 'target dimension', String(D.targets))
  .option('--kappa <x>', 'condition number of the input covariance', String(D.kappa))
  .option('--rows <n>', 'training rows (the test split has a quarter as many)', String(D.rows))
  .option('--noise <x>', 'target noise standard deviation', String(D.noise))
  .parse()
  .opts<{ out: string; seed: string; inputs: string; targets: string; kappa: string; rows: string; noise: string }>();

const { x, y, trainRows, testRows, options } = scaledRegressionRows({
  seed: Number(opts.seed),
  inputs: Number(opts.inputs),
  targets: Number(opts.targets),
  kappa: Number(opts.kappa),
  rows: Number(opts.rows),
  noise: Number(opts.noise),
});
const { inputs: d, targets: k } = options;

function table(from: number, n: number): string {
  const head = [...Array.from({ length: d }, (_, i) => `x${i}`), ...Array.from({ length: k }, (_, j) => `y${j}`)];
  const lines = [head.join(',')];
  for (let r = from; r < from + n; r++) {
    const row = [...x.subarray(r * d, (r + 1) * d), ...y.subarray(r * k, (r + 1) * k)];
    lines.push(row.map((v) => v.toPrecision(7)).join(','));
  }
  return lines.join('\n') + '\n';
}

mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, 'train.csv'), table(0, trainRows));
writeFileSync(join(opts.out, 'test.csv'), table(trainRows, testRows));
console.log(
  `wrote ${trainRows} + ${testRows} rows of ${d} inputs and ${k} targets (κ = ${options.kappa}) to ${opts.out}`,
);
