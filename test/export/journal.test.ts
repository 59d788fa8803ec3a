/**
 * The change journal and branches in an exported script (docs/pytorch-export.md §7.1): live changes are
 * applied at their steps and a branch takes its parent's weights and optimizer state at its fork, so the
 * script's curves follow the engine's; exporting the final settings from step 0 (what the export did before)
 * leaves them. Bad journals are refused naming the run.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import {
  exportPytorch,
  type ExportData,
  type ExportOptimizer,
  type ExportRun,
  type ExportSetup,
} from '../../src/engine/export/pytorch.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { needPython, runPython } from './python.ts';

const dir = mkdtempSync(join(tmpdir(), 'pytorch-journal-'));
const DATA: ExportData = { source: 'toy', task: 'spiral', n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 };
const ARCH = '2-8t-2';
const STEPS = 28;
const EVERY = 4;

const sgd = (lr: number, momentum: number, weightDecay = 0): ExportOptimizer => ({
  kind: 'sgd',
  lr,
  momentum,
  weightDecay,
});
const adam = (lr: number, beta1: number, weightDecay = 0): ExportOptimizer => ({
  kind: 'adam',
  lr,
  beta1,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay,
});

// A run with two live changes, an Adam run with one, a branch of the first with a change of its own, and a
// branch of that branch.
const RUNS: ExportRun[] = [
  {
    name: 'sgd',
    optimizer: sgd(0.3, 0.9),
    changes: [
      { step: 6, optimizer: sgd(0.05, 0.5) },
      { step: 18, optimizer: sgd(0.05, 0.5, 0.02) },
    ],
  },
  { name: 'adam', optimizer: adam(0.05, 0.9), changes: [{ step: 10, optimizer: adam(0.005, 0.5, 0.01) }] },
  {
    name: 'sgd-branch',
    optimizer: sgd(0.4, 0.2),
    branch: { from: 'sgd', step: 9 },
    changes: [{ step: 21, optimizer: sgd(0.02, 0.2) }],
  },
  { name: 'twig', optimizer: sgd(0.1, 0), branch: { from: 'sgd-branch', step: 13 } },
];

function setup(runs: ExportRun[]): ExportSetup {
  return {
    scriptName: 'journal.py',
    data: DATA,
    arch: ARCH,
    likelihood: 'categorical',
    sigma: 1,
    batch: 16,
    evalEvery: EVERY,
    steps: STEPS,
    seed: 3,
    runs,
  };
}

/** The engine's curve of each run: train loss at every step where the script logs it, by run name. */
async function engineCurves(runs: readonly ExportRun[]): Promise<Map<string, Map<number, number>>> {
  const ds = toyDataset('spiral', { n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 });
  const be = new CpuBackend({ precision: 'f32' });
  const make = (o: ExportOptimizer) =>
    Trainer.create(be, ds, { arch: ARCH, likelihood: 'categorical', optimizer: o, batch: 16, seed: 3 });
  const trainers = new Map<string, Trainer>();
  const curves = new Map<string, Map<number, number>>(runs.map((r) => [r.name, new Map()]));
  const record = async (step: number) => {
    for (const [name, t] of trainers) curves.get(name)!.set(step, (await t.evaluate()).trainLoss);
  };
  for (const r of runs) if (!r.branch) trainers.set(r.name, make(r.optimizer));
  await record(0);
  for (let step = 0; step < STEPS; step++) {
    for (const r of runs) {
      if (r.branch?.step === step) {
        const t = make(r.optimizer);
        t.restore(await trainers.get(r.branch.from)!.checkpoint());
        // As the race branches (src/worker/race.ts): the parent's state, then the branch's own settings.
        t.updateOptimizer(r.optimizer);
        trainers.set(r.name, t);
        curves.get(r.name)!.set(step, (await t.evaluate()).trainLoss);
      }
      const change = r.changes?.find((c) => c.step === step);
      if (change) trainers.get(r.name)!.updateOptimizer(change.optimizer);
    }
    for (const t of trainers.values()) t.step(1);
    if ((step + 1) % EVERY === 0) await record(step + 1);
  }
  for (const t of trainers.values()) t.dispose();
  return curves;
}

function scriptCurves(sub: string, s: ExportSetup, py: string, args: string[] = []): Map<string, Map<number, number>> {
  const folder = join(dir, sub);
  mkdirSync(folder, { recursive: true });
  for (const f of exportPytorch(s)) writeFileSync(join(folder, f.name), f.contents);
  runPython(py, ['journal.py', '--device', 'cpu', ...args], folder, 170_000);
  const out = new Map<string, Map<number, number>>();
  for (const line of readFileSync(join(folder, 'journal_metrics.csv'), 'utf8').trim().split('\n').slice(1)) {
    const r = line.split(',');
    if (!out.has(r[1]!)) out.set(r[1]!, new Map());
    out.get(r[1]!)!.set(Number(r[0]), Number(r[3]));
  }
  return out;
}

describe('an exported script replays the change journal and branches (needs a Python with torch)', () => {
  it(
    "applies each change at its step and forks each branch from its parent, following the engine's curves",
    { timeout: 180_000 },
    async (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const engine = await engineCurves(RUNS);
      const script = scriptCurves('replay', setup(RUNS), py);
      for (const r of RUNS) {
        const e = engine.get(r.name)!;
        const got = script.get(r.name)!;
        // A branch's curve starts at its fork.
        expect([...got.keys()], r.name).toEqual([...e.keys()]);
        for (const [step, loss] of e)
          expect(Math.abs(got.get(step)! - loss), `${r.name} at ${step}`).toBeLessThan(1e-4);
      }
      // The negative control: each run's final settings from step 0, no branches, leave the curves.
      const flat = RUNS.map((r) => ({ name: r.name, optimizer: r.changes?.at(-1)?.optimizer ?? r.optimizer }));
      const control = await engineCurves(flat);
      for (const r of RUNS.slice(0, 2)) {
        const gap = Math.max(
          ...[...engine.get(r.name)!].map(([step, loss]) => Math.abs(control.get(r.name)!.get(step)! - loss)),
        );
        expect(gap, `${r.name}: final settings from step 0`).toBeGreaterThan(1e-3);
      }
    },
  );

  it('resumes past a change and a fork as the uninterrupted script ran', { timeout: 180_000 }, (ctx) => {
    const py = needPython(ctx, ['numpy', 'torch']);
    const whole = scriptCurves('whole', setup(RUNS), py);
    // Stopped at step 8 (after the first change, before the first fork), then resumed.
    scriptCurves('parts', setup(RUNS), py, ['--steps', '8']);
    const resumed = scriptCurves('parts', setup(RUNS), py, ['--resume']);
    for (const r of RUNS) {
      for (const [step, loss] of whole.get(r.name)!) {
        expect(resumed.get(r.name)!.get(step), `${r.name} at ${step}`).toBe(loss);
      }
    }
  });

  it('refuses journals and branches it cannot replay, naming the run', () => {
    const bad: [ExportRun[], RegExp][] = [
      [
        [{ name: 'a', optimizer: sgd(0.1, 0), changes: [{ step: 3, optimizer: adam(0.1, 0.9) }] }],
        /a changes from sgd to adam at step 3/,
      ],
      [
        [
          {
            name: 'a',
            optimizer: sgd(0.1, 0),
            changes: [
              { step: 5, optimizer: sgd(0.2, 0) },
              { step: 3, optimizer: sgd(0.3, 0) },
            ],
          },
        ],
        /a's change at step 3 must be an integer, in step order/,
      ],
      [
        [{ name: 'b', optimizer: sgd(0.1, 0), branch: { from: 'a', step: 2 } }],
        /b branches from 'a', which is not an earlier run/,
      ],
      [
        [
          { name: 'a', optimizer: adam(0.1, 0.9) },
          { name: 'b', optimizer: sgd(0.1, 0), branch: { from: 'a', step: 2 } },
        ],
        /b is a sgd branch of a adam run/,
      ],
      [
        [
          { name: 'a', optimizer: sgd(0.1, 0) },
          { name: 'b', optimizer: sgd(0.1, 0), branch: { from: 'a', step: STEPS } },
        ],
        /b branches at step 28; it must be an integer from its parent's first step below steps/,
      ],
    ];
    for (const [runs, message] of bad) expect(() => exportPytorch(setup(runs))).toThrow(message);
  });
});
