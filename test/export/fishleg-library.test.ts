/**
 * Exported FishLeg runs through the authors' FishLeg library (docs/pytorch-export.md §5): the library is not
 * vendored, so these run where FISHLEG_SRC points at a checkout's `src` folder and the Python has torch,
 * numpy, tensorboard and transformers (which the library imports); elsewhere they are reported as skipped
 * with the reason. A circles MLP's curve follows the engine's FishLeg (the library's Kron layer against the
 * engine's block-Kron); a bars CNN, whose conv layer the library swaps for its FishConv2d, learns the task.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { exportPytorch, type ExportSetup } from '../../src/engine/export/pytorch.ts';
import { defaultFishLeg, type FishLegConfig } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { needPython, runPython, type SkipContext } from './python.ts';

const dir = mkdtempSync(join(tmpdir(), 'fishleg-library-'));
const SRC = process.env.FISHLEG_SRC;

/** The Python to run with, or a skip naming what is missing. */
function needLibrary(ctx: SkipContext): string {
  if (!SRC || !existsSync(join(SRC, 'optim', 'FishLeg')))
    return ctx.skip(`FISHLEG_SRC does not point at a FishLeg checkout's src folder (${SRC ?? 'unset'})`);
  return needPython(ctx, ['numpy', 'torch', 'tensorboard', 'transformers']);
}

function run(py: string, s: ExportSetup): string[][] {
  const folder = join(dir, s.scriptName.replace('.py', ''));
  mkdirSync(folder, { recursive: true });
  for (const f of exportPytorch(s)) writeFileSync(join(folder, f.name), f.contents);
  runPython(py, [s.scriptName, '--device', 'cpu', '--fishleg-src', SRC!], folder);
  return readFileSync(join(folder, s.scriptName.replace('.py', '_metrics.csv')), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
}

describe("exported FishLeg runs through the authors' library", () => {
  it('a circles MLP follows the engine, and a run at another rate does not', { timeout: 300_000 }, async (ctx) => {
    const py = needLibrary(ctx);
    const data = toyDataset('circles', { n: 200, noise: 0.05, seed: 3 });
    const optimizer: FishLegConfig = { ...defaultFishLeg('block-kron'), lr: 0.1, auxEvery: 5, auxLr: 1e-3 };
    const s = (lr: number): ExportSetup => ({
      scriptName: `circles_fl_${String(lr).replace('.', '_')}.py`,
      data: { source: 'table', dataset: data, embed: true },
      arch: '2-8t-2',
      likelihood: 'categorical',
      sigma: 1,
      batch: 32,
      evalEvery: 50,
      steps: 200,
      seed: 3,
      runs: [{ name: 'fishleg', optimizer: { ...optimizer, lr } }],
    });
    const [same, other] = [run(py, s(0.1)), run(py, s(0.03))];
    const be = new CpuBackend({ precision: 'f32' });
    const t = Trainer.create(be, data, {
      arch: '2-8t-2',
      likelihood: 'categorical',
      optimizer,
      batch: 32,
      seed: 3,
    });
    // The library draws its own auxiliary samples, so the curves agree to a tolerance, not bit for bit: the
    // script's curve stays within a tenth of how far the engine's has moved, and the run at a third of the
    // rate stays well outside that.
    let sameErr = 0;
    let otherErr = 0;
    let moved = 0;
    let start = 0;
    for (const step of [0, 50, 100, 150, 200]) {
      if (step > 0) t.step(50);
      const e = await t.evaluate();
      const at = (table: string[][]) => Number(table.find((x) => Number(x[0]) === step)![3]);
      if (step === 0) start = e.trainLoss;
      moved = Math.max(moved, Math.abs(e.trainLoss - start));
      sameErr = Math.max(sameErr, Math.abs(at(same) - e.trainLoss));
      otherErr = Math.max(otherErr, Math.abs(at(other) - e.trainLoss));
    }
    const figures = JSON.stringify({ sameErr, otherErr, moved });
    expect(sameErr, figures).toBeLessThan(0.1 * moved);
    expect(otherErr, figures).toBeGreaterThan(3 * sameErr);
    t.dispose();
    be.dispose();
  });

  it('a bars CNN trains (its conv layer through FishConv2d)', { timeout: 300_000 }, (ctx) => {
    const py = needLibrary(ctx);
    const ds = barsDataset({ n: 200, noise: 0.1, seed: 4, testFraction: 0.25 });
    const s: ExportSetup = {
      scriptName: 'bars_fl.py',
      data: { source: 'table', dataset: ds, embed: true },
      arch: '8x8x1-c4k3p1r-mp2-f-2',
      likelihood: 'categorical',
      sigma: 1,
      batch: 32,
      evalEvery: 100,
      steps: 100,
      seed: 4,
      runs: [{ name: 'fishleg', optimizer: { ...defaultFishLeg('block-kron'), lr: 0.05 } }],
    };
    const table = run(py, s);
    const [first, last] = [0, 100].map((step) => table.find((x) => Number(x[0]) === step)!);
    expect(Number(last![3]), 'train loss falls').toBeLessThan(0.5 * Number(first![3]));
    expect(Number(last![5]), 'train accuracy').toBeGreaterThan(0.9);
  });
});
