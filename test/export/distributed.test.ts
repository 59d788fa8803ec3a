/**
 * An exported script under torchrun (docs/pytorch-export.md §8): two CPU processes (gloo) with
 * DistributedDataParallel, each its shard of the same ported batches (an odd batch size: unequal shards),
 * give the one-process curve of SGD, Adam and AdamW to float tolerance, and the engine's; only rank 0
 * writes; runs the script cannot spread over processes are refused by name.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { exportPytorch, type ExportOptimizer, type ExportSetup } from '../../src/engine/export/pytorch.ts';
import { defaultFishLeg } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { needPython, runPython } from './python.ts';

const dir = mkdtempSync(join(tmpdir(), 'pytorch-ddp-'));
const OPTIMIZERS: readonly ExportOptimizer[] = [
  { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.001 },
  { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 },
  { kind: 'adamw', lr: 0.02, beta1: 0.8, beta2: 0.999, eps: 1e-7, weightDecay: 0.1 },
];
const ARCH = '2-8t-2';
const BATCH = 15;

function setup(optimizers: readonly ExportOptimizer[]): ExportSetup {
  return {
    scriptName: 'ddp.py',
    data: { source: 'toy', task: 'spiral', n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 },
    arch: ARCH,
    likelihood: 'categorical',
    sigma: 1,
    batch: BATCH,
    evalEvery: 10,
    steps: 30,
    seed: 3,
    runs: optimizers.map((optimizer) => ({ name: optimizer.kind, optimizer })),
  };
}

function write(sub: string, s: ExportSetup): string {
  const folder = join(dir, sub);
  mkdirSync(folder, { recursive: true });
  for (const f of exportPytorch(s)) writeFileSync(join(folder, f.name), f.contents);
  return folder;
}

const torchrun = (py: string, folder: string, args: string[]) =>
  spawnSync(
    py,
    ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', 'ddp.py', '--device', 'cpu', ...args],
    { cwd: folder, encoding: 'utf8', timeout: 170_000, env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );

function rows(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
}

describe('an exported script under torchrun (needs a Python with torch)', () => {
  it(
    'gives the one-process curve (and the engine) on 2 gloo ranks for SGD, Adam and AdamW',
    { timeout: 240_000 },
    async (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const folder = write('curve', setup(OPTIMIZERS));
      runPython(py, ['ddp.py', '--device', 'cpu', '--out', 'one.csv'], folder, 170_000);
      const r = torchrun(py, folder, ['--out', 'two.csv']);
      expect(r.status, r.stderr).toBe(0);
      const one = rows(join(folder, 'one.csv'));
      const two = rows(join(folder, 'two.csv'));
      // Rank 0 alone writes and prints: one row and one line per evaluation, as with one process.
      expect(two.map((x) => [x[0], x[1]])).toEqual(one.map((x) => [x[0], x[1]]));
      expect(r.stdout.split('\n').filter((l) => l.startsWith('step ')).length).toBe(one.length);
      for (const [i, a] of one.entries()) {
        for (const col of [3, 4]) {
          expect(Math.abs(Number(two[i]![col]) - Number(a[col])), `${a[1]} at ${a[0]}`).toBeLessThan(1e-5);
        }
      }
      const ds = toyDataset('spiral', { n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 });
      for (const o of OPTIMIZERS) {
        const t = Trainer.create(new CpuBackend({ precision: 'f32' }), ds, {
          arch: ARCH,
          likelihood: 'categorical',
          optimizer: o,
          batch: BATCH,
          seed: 3,
        });
        t.step(30);
        const e = await t.evaluate();
        const last = two.find((x) => x[1] === o.kind && x[0] === '30')!;
        expect(Math.abs(Number(last[3]) - e.trainLoss), `${o.kind} against the engine`).toBeLessThan(1e-4);
        t.dispose();
      }
    },
  );

  it('refuses, by name, runs that cannot train over several processes', { timeout: 120_000 }, (ctx) => {
    const py = needPython(ctx, ['numpy', 'torch']);
    const folder = write('refuse', setup([OPTIMIZERS[0]!, defaultFishLeg('block-kron')]));
    const r = torchrun(py, folder, ['--steps', '2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/under torchrun only SGD, Adam and AdamW runs train .*fishleg cannot: pass --runs/);
    const ok = torchrun(py, folder, ['--steps', '2', '--runs', 'sgd', '--out', 'sgd.csv']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(rows(join(folder, 'sgd.csv')).map((x) => x[1])).toEqual(['sgd', 'sgd']);
  });
});
