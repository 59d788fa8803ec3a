/**
 * `npx tsx bench/ill-conditioned-regression.ts --out DIR [--seed N]`: writes DIR/train.csv and DIR/test.csv, a
 * linear regression whose inputs are badly scaled along rotated directions, the FishLeg Q-learning study's
 * task where curvature verifiably matters (BENCHMARKS.md). x = z·diag(σ)·Rᵀ with z standard normal, R a
 * random rotation and σ log-spaced from 1 down to 1/√κ, so E[xxᵀ] has condition number κ and no axis-aligned
 * (diagonal, Adam-like) rescaling removes it; y = z·B + noise, so every input direction carries as much of the
 * target as every other and a method that cannot take large steps along the flat directions cannot fit it.
 * For a linear model with a Gaussian likelihood the Fisher is E[x̄x̄ᵀ] ⊗ I exactly: a Kronecker product.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { Rng } from '../src/engine/rng.ts';

const opts = new Command()
  .requiredOption('--out <dir>', 'folder for train.csv and test.csv')
  .option('--seed <n>', 'data seed', '1')
  .option('--inputs <n>', 'input dimension', '16')
  .option('--targets <n>', 'target dimension', '4')
  .option('--kappa <x>', 'condition number of the input covariance', '10000')
  .option('--rows <n>', 'training rows (the test split has a quarter as many)', '2000')
  .option('--noise <x>', 'target noise standard deviation', '0.05')
  .parse()
  .opts<{ out: string; seed: string; inputs: string; targets: string; kappa: string; rows: string; noise: string }>();

const d = Number(opts.inputs);
const k = Number(opts.targets);
const kappa = Number(opts.kappa);
const rows = Number(opts.rows);
const noise = Number(opts.noise);
if (![d, k, rows].every((v) => Number.isInteger(v) && v > 0) || !(kappa >= 1) || !(noise >= 0)) {
  throw new Error('--inputs, --targets and --rows must be positive integers, --kappa ≥ 1 and --noise ≥ 0');
}
const rng = new Rng(Number(opts.seed), 0);

/** A random rotation: Gram–Schmidt on a Gaussian matrix (columns orthonormal), row-major d×d. */
function rotation(n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[r * n + c]! * q[r * n + p]!;
      for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! - dot * q[r * n + p]!;
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + c]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! / norm;
  }
  return q;
}

const rot = rotation(d);
const sigma = Array.from({ length: d }, (_, i) => kappa ** (-(0.5 * i) / Math.max(1, d - 1)));
const b = Array.from({ length: d * k }, () => rng.normal() / Math.sqrt(d));

function table(n: number): string {
  const head = [...Array.from({ length: d }, (_, i) => `x${i}`), ...Array.from({ length: k }, (_, j) => `y${j}`)];
  const lines = [head.join(',')];
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: d }, () => rng.normal());
    const x = Array.from({ length: d }, (_, i) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += rot[i * d + c]! * sigma[c]! * z[c]!;
      return s;
    });
    const y = Array.from({ length: k }, (_, j) => {
      let s = noise * rng.normal();
      for (let c = 0; c < d; c++) s += z[c]! * b[c * k + j]!;
      return s;
    });
    lines.push([...x, ...y].map((v) => v.toPrecision(7)).join(','));
  }
  return lines.join('\n') + '\n';
}

mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, 'train.csv'), table(rows));
writeFileSync(join(opts.out, 'test.csv'), table(Math.ceil(rows / 4)));
console.log(
  `wrote ${rows} + ${Math.ceil(rows / 4)} rows of ${d} inputs and ${k} targets (κ = ${kappa}) to ${opts.out}`,
);
