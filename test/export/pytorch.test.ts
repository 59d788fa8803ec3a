/**
 * The PyTorch export (src/engine/export/pytorch.ts, docs/pytorch-export.md): every optimizer on every task
 * gives a script Python compiles, with each setting written into its run's factory; the script's numpy port
 * regenerates the engine's toy points, batch rows, auxiliary rows and initial weights (checked number for
 * number against the engine, which is what "same data, same batches" rests on); CSV splits come back as the
 * engine holds them; and, where a Python with torch exists, the script's SGD/Adam/AdamW curves follow the
 * engine's CPU backend step for step.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { csvDataset } from '../../src/engine/data/csv.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { auxBatchIndices, batchIndices } from '../../src/engine/data/sampler.ts';
import { toyDataset, type ToyTask } from '../../src/engine/data/toy.ts';
import {
  exportLayers,
  exportPytorch,
  ExportError,
  npyFloat32,
  pyStr,
  type ExportData,
  type ExportOptimizer,
  type ExportSetup,
} from '../../src/engine/export/pytorch.ts';
import { initParams } from '../../src/engine/model/mlp.ts';
import { defaultFishLeg } from '../../src/engine/optim/config.ts';
import { threefry2x32 } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { needPython, runPython } from './python.ts';

const dir = mkdtempSync(join(tmpdir(), 'pytorch-export-'));

/** Every optimizer, with values unlike the defaults so that each is found only if it was written. */
const OPTIMIZERS: readonly ExportOptimizer[] = [
  { kind: 'sgd', lr: 0.37, momentum: 0.61, weightDecay: 0.0023 },
  { kind: 'adam', lr: 0.0041, beta1: 0.83, beta2: 0.991, eps: 3e-7, weightDecay: 0.0017 },
  { kind: 'adamw', lr: 0.0052, beta1: 0.87, beta2: 0.993, eps: 4e-9, weightDecay: 0.031 },
  ...(['block-kron', 'kron-diag', 'sum-kron'] as const).flatMap((approx, i) =>
    (['ggn', 'sampled'] as const).map((fisher) => ({
      ...defaultFishLeg(approx),
      fisher,
      lr: 0.013 + i,
      beta: 0.77,
      weightDecay: 0.00021,
      auxLr: 0.0033,
      damping: 0.27,
      initScale: fisher === 'ggn' ? null : 2.5,
      auxEvery: 7,
      auxBatch: fisher === 'ggn' ? null : 19,
      preconditionAux: fisher === 'ggn',
    })),
  ),
  {
    kind: 'kfac',
    lr: 0.21,
    momentum: 0.43,
    weightDecay: 0.0007,
    damping: 0.019,
    dampingRule: 'fixed',
    factorDecay: 0.93,
    invEvery: 13,
    klClip: 0.0011,
    fisher: 'sampled',
  },
  {
    kind: 'kfac',
    lr: 0.22,
    momentum: 0,
    weightDecay: 0,
    damping: 0.018,
    dampingRule: 'fixed',
    factorDecay: 0.94,
    invEvery: 1,
    klClip: null,
    fisher: 'ggn',
  },
  { kind: 'natural', lr: 0.31, momentum: 0.52, weightDecay: 0.0009, damping: 0.029 },
];

/** The literal each setting must appear as in its run's factory. */
function expectedLiterals(o: ExportOptimizer, batch: number): string[] {
  switch (o.kind) {
    case 'sgd':
      return [`lr=${o.lr}`, `momentum=${o.momentum}`, `weight_decay=${o.weightDecay}`, 'torch.optim.SGD('];
    case 'adam':
    case 'adamw':
      return [
        `lr=${o.lr}`,
        `betas=(${o.beta1}, ${o.beta2})`,
        `eps=${o.eps}`,
        `weight_decay=${o.weightDecay}`,
        o.kind === 'adam' ? 'torch.optim.Adam(' : 'torch.optim.AdamW(',
      ];
    case 'fishleg':
      return [
        `lr=${o.lr}`,
        `beta=${o.beta}`,
        `weight_decay=${o.weightDecay}`,
        `aux_lr=${o.auxLr}`,
        `damping=${o.damping}`,
        `update_aux_every=${o.auxEvery}`,
        `fish_scale=${o.initScale ?? 1 / o.damping}`,
        `SETUP["seed"], ${o.auxBatch ?? batch})`,
        `precondition_aux=${o.preconditionAux ? 'True' : 'False'}`,
        o.fisher === 'ggn' ? '"antithetic"' : '"rank-1"',
        `approx '${o.approx}'`,
      ];
    case 'kfac':
      return [
        `lr=${o.lr}`,
        `momentum=${o.momentum}`,
        `weight_decay=${o.weightDecay}`,
        `damping=${o.damping}`,
        `factor_decay=${o.factorDecay}`,
        `inv_every=${o.invEvery}`,
        `kl_clip=${o.klClip ?? 'None'}`,
        `fisher="${o.fisher}"`,
        `damping_rule="${o.dampingRule}"`,
      ];
    case 'natural':
      return [`lr=${o.lr}`, `momentum=${o.momentum}`, `weight_decay=${o.weightDecay}`, `damping=${o.damping}`];
    default:
      return o satisfies never;
  }
}

const CLASSIFY_CSV = 'a,b,label\n0.5,1,0\n-1.25,2,1\n3,0.125,2\n1,1,1\n0,-2,0\n2.5,3,2\n';
const REGRESS_CSV = 'x1,"x,2",y\n0.1,0.2,0.3\n1e-3,5,-7\n2,3,4\n-1,-1,0.5\n';

const DATA: Readonly<Record<string, { data: ExportData; arch: string; lik: ExportSetup['likelihood'] }>> = {
  spiral: { data: toy('spiral', 2), arch: '2-16t-16t-2', lik: 'categorical' },
  circles: { data: toy('circles', 3), arch: '2-8r-3', lik: 'categorical' },
  xor: { data: toy('xor', 2), arch: '2-8s-2', lik: 'categorical' },
  gaussians: { data: toy('gaussians', 4), arch: '2-8t-4', lik: 'categorical' },
  mnist: { data: { source: 'mnist', task: 'mnist' }, arch: '784-16r-10', lik: 'categorical' },
  'mnist-ae': { data: { source: 'mnist', task: 'mnist-ae' }, arch: '784-8r-4-8r-784', lik: 'bernoulli' },
  'mnist-cnn': { data: { source: 'mnist', task: 'mnist' }, arch: '28x28x1-c4k5s2p2r-mp2-f-10', lik: 'categorical' },
  'csv-classes': {
    data: { source: 'table', dataset: csvDataset({ text: CLASSIFY_CSV, name: 'c.csv' }, undefined, { seed: 3 }) },
    arch: '2-4t-3',
    lik: 'categorical',
  },
  'csv-regression-embedded': {
    data: {
      source: 'table',
      dataset: csvDataset({ text: REGRESS_CSV, name: 'r.csv' }, undefined, { seed: 1 }),
      embed: true,
    },
    arch: '2-4t-1',
    lik: 'gaussian',
  },
};

function toy(task: ToyTask, classes: number): ExportData {
  return { source: 'toy', task, n: 120, noise: 0.07, seed: 11, testFraction: 0.25, classes };
}

function setup(name: string, runs: ExportSetup['runs'], over: Partial<ExportSetup> = {}): ExportSetup {
  const d = DATA[name]!;
  return {
    scriptName: `${name.replace(/[^a-z]/g, '_')}.py`,
    data: d.data,
    arch: d.arch,
    likelihood: d.lik,
    sigma: 0.7,
    batch: 24,
    evalEvery: 5,
    steps: 20,
    seed: 11,
    runs,
    ...over,
  };
}

/** The text of run i's factory. */
function factory(script: string, i: number): string {
  const start = script.indexOf(`def make_run_${i}(`);
  expect(start).toBeGreaterThan(0);
  const end = script.indexOf('\ndef ', start + 1);
  const stop = script.indexOf('\nRUNS = [', start);
  return script.slice(start, end > 0 && end < stop ? end : stop);
}

function writeAll(sub: string, files: ReturnType<typeof exportPytorch>): string {
  const folder = join(dir, sub);
  mkdirSync(folder, { recursive: true });
  for (const f of files) writeFileSync(join(folder, f.name), f.contents);
  return folder;
}

describe('exportPytorch: scripts', () => {
  const runs = OPTIMIZERS.map((optimizer, i) => ({ name: `${optimizer.kind} ${i}`, optimizer }));

  const scripts: string[] = [];

  it('writes every setting of every optimizer into its factory, for every task', () => {
    for (const name of Object.keys(DATA)) {
      const files = exportPytorch(setup(name, runs));
      const script = files[0]!.contents as string;
      expect(files[0]!.name).toBe(setup(name, runs).scriptName);
      runs.forEach((r, i) => {
        const text = factory(script, i);
        for (const lit of expectedLiterals(r.optimizer, 24)) expect(text, `${name} ${r.name}`).toContain(lit);
        expect(script).toContain(`(${pyStr(r.name)}, make_run_${i}),`);
      });
      const d = DATA[name]!.data;
      if (d.source === 'table' && !d.embed) expect(files.map((f) => f.name).sort()).toHaveLength(3);
      scripts.push(join(writeAll(`compile-${name}`, files), files[0]!.name));
    }
  });

  it('writes scripts Python compiles, for every task', (ctx) => {
    expect(scripts).toHaveLength(Object.keys(DATA).length);
    runPython(needPython(ctx, []), ['-m', 'py_compile', ...scripts]);
  });

  it('keeps run names and data names from breaking out of their strings', (ctx) => {
    const hostile = `x"""\n'''\\ ${'\u2028'} é 😀 "); import os #`;
    const files = exportPytorch(setup('spiral', [{ name: hostile, optimizer: OPTIMIZERS[0]! }]));
    const folder = writeAll('hostile', files);
    const py = needPython(ctx, ['numpy']);
    const out = runPython(py, [
      '-c',
      `import importlib.util, json; s = importlib.util.spec_from_file_location("m", ${JSON.stringify(join(folder, files[0]!.name))}); m = importlib.util.module_from_spec(s); s.loader.exec_module(m); print(json.dumps([m.RUNS[0][0], m.SETUP["runs"][0]["name"]]))`,
    ]);
    expect(JSON.parse(out)).toEqual([hostile, hostile]);
  });

  it('refuses setups it cannot write, naming the setting', () => {
    const one = [{ name: 'a', optimizer: OPTIMIZERS[0]! }];
    expect(() => exportPytorch(setup('spiral', []))).toThrow(/no run/);
    expect(() => exportPytorch(setup('spiral', [...one, ...one]))).toThrow(/two runs are named 'a'/);
    expect(() => exportPytorch(setup('spiral', one, { scriptName: 'run.txt' }))).toThrow(/\.py/);
    expect(() => exportPytorch(setup('spiral', one, { steps: 0 }))).toThrow(/steps must be a positive integer/);
    expect(() => exportPytorch(setup('spiral', one, { arch: '3-4t-2' }))).toThrow(/takes 3 inputs/);
    expect(() => exportPytorch(setup('csv-regression-embedded', one, { likelihood: 'categorical' }))).toThrow(
      ExportError,
    );
    expect(() => exportPytorch(setup('spiral', one, { initialParams: new Float32Array(3) }))).toThrow(
      /initialParams holds 3 values/,
    );
    const p = initParams(parseArch('2-16t-16t-2'), 1);
    const at = (step: number, tensors: Record<string, Float32Array> = { momentum: p }) => ({
      step,
      params: p,
      tensors,
    });
    const sgd = OPTIMIZERS[0]!;
    expect(() =>
      exportPytorch(
        setup('spiral', [
          { name: 'a', optimizer: sgd, start: at(3) },
          { name: 'b', optimizer: sgd },
        ]),
      ),
    ).toThrow(/state of every run/);
    expect(() =>
      exportPytorch(
        setup('spiral', [
          { name: 'a', optimizer: sgd, start: at(3) },
          { name: 'b', optimizer: sgd, start: at(4) },
        ]),
      ),
    ).toThrow(/same step/);
    expect(() => exportPytorch(setup('spiral', [{ name: 'a', optimizer: sgd, start: at(20) }]))).toThrow(/below steps/);
    expect(() => exportPytorch(setup('spiral', [{ name: 'a', optimizer: sgd, start: at(3, {}) }]))).toThrow(
      /no momentum buffer/,
    );
  });

  it('writes the .npy header numpy expects', () => {
    const bytes = npyFloat32(new Float32Array([1.5, -2]));
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2,\), \} *\n$/,
    );
    expect(Array.from(new Float32Array(bytes.slice(10 + headerLength).buffer))).toEqual([1.5, -2]);
  });
});

/** float32 values equal to within one unit in the last place (sin/cos may round differently). */
function closeF32(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const tol = 2 ** -23 * Math.max(2 ** -10, Math.abs(b[i]!));
    if (!(Math.abs(a[i]! - b[i]!) <= tol)) expect(a[i], `${what}[${i}]`).toBe(b[i]);
  }
}

describe('the exported script regenerates the engine data (numpy, no torch)', () => {
  const TOYS: readonly [ToyTask, number, number, number, number, number][] = [
    // task, n, noise, seed, testFraction, classes
    ['spiral', 300, 0.05, 7, 0.2, 2],
    ['circles', 250, 0.1, 2, 0.3, 3],
    ['xor', 101, 0, 3, 0.25, 2],
    ['gaussians', 200, 0.15, 4294967295, 0.1, 4],
  ];
  // seed, step, batch, rows; the last one's counters pass 2^32 (the high word of the counter).
  const BATCHES: readonly [number, number, number, number][] = [
    [1, 0, 32, 320],
    [5, 17, 100, 8000],
    [9, 67108867, 64, 1000],
  ];
  const INITS: readonly [string, number][] = [
    ['2-16t-16t-3', 5],
    ['784-8r-10', 1],
    ['8x8x2-c3k3p1r-ap2-c5k3s2t-f-3', 2],
  ];

  it('gives the same Threefry words, toy points, batch rows, auxiliary rows and initial weights', (ctx) => {
    const py = needPython(ctx, ['numpy']);
    const files = exportPytorch(setup('spiral', [{ name: 'sgd', optimizer: OPTIMIZERS[0]! }]));
    const script = join(writeAll('port', files), files[0]!.name);
    const words: [number, number, number, number][] = [
      [0, 1, 0, 0],
      [0xffffffff, 6, 0xfffffffe, 3],
      [123456789, 2, 42, 0],
    ];
    const driver = `
import importlib.util, json, sys
import numpy as np
s = importlib.util.spec_from_file_location("m", ${JSON.stringify(script)})
m = importlib.util.module_from_spec(s)
s.loader.exec_module(m)
out = {"words": [[int(v[0]) for v in m.threefry2x32(*w)] for w in ${JSON.stringify(words)}], "toys": [], "batches": [], "aux": [], "init": []}
for task, n, noise, seed, tf, k in ${JSON.stringify(TOYS)}:
    tx, tl, sx, sl = m.toy_dataset(task, n, noise, seed, tf, k)
    out["toys"].append([tx.ravel().tolist(), tl.tolist(), sx.ravel().tolist(), sl.tolist()])
for seed, step, batch, n in ${JSON.stringify(BATCHES)}:
    out["batches"].append(m.batch_indices(seed, step, batch, n).tolist())
    out["aux"].append(m.aux_batch_indices(seed, step, batch, n).tolist())
for layers, seed in ${JSON.stringify(INITS.map(([arch, seed]) => [exportLayers(arch), seed]))}:
    out["init"].append(m.init_params(layers, seed).view(np.uint32).tolist())
json.dump(out, sys.stdout)
`;
    const got = JSON.parse(runPython(py, ['-c', driver])) as {
      words: [number, number][];
      toys: [number[], number[], number[], number[]][];
      batches: number[][];
      aux: number[][];
      init: number[][];
    };
    expect(got.words).toEqual(words.map((w) => threefry2x32(...w)));
    TOYS.forEach(([task, n, noise, seed, testFraction, classes], t) => {
      const d = toyDataset(task, { n, noise, seed, testFraction, classes });
      const [tx, tl, sx, sl] = got.toys[t]!;
      closeF32(tx, d.train.x, `${task} train x`);
      closeF32(sx, d.test.x, `${task} test x`);
      expect(tl).toEqual(labels(d, 'train'));
      expect(sl).toEqual(labels(d, 'test'));
    });
    BATCHES.forEach(([seed, step, batch, n], b) => {
      expect(got.batches[b], `batch ${b}`).toEqual(Array.from(batchIndices(seed, step, batch, n)));
      expect(got.aux[b], `aux batch ${b}`).toEqual(Array.from(auxBatchIndices(seed, step, batch, n)));
    });
    // The initial weights bit for bit: both sides form (2u − 1)/√n in float64 and round once to float32.
    INITS.forEach(([arch, seed], i) => {
      expect(got.init[i], arch).toEqual(Array.from(new Uint32Array(initParams(parseArch(arch), seed).buffer)));
    });
  });

  it('reads a CSV setup back as the engine split it, from side files and embedded', (ctx) => {
    const py = needPython(ctx, ['numpy']);
    for (const name of ['csv-classes', 'csv-regression-embedded']) {
      const files = exportPytorch(setup(name, [{ name: 'sgd', optimizer: OPTIMIZERS[0]! }]));
      const script = join(writeAll(`table-${name}`, files), files[0]!.name);
      const driver = `
import importlib.util, json, sys
s = importlib.util.spec_from_file_location("m", ${JSON.stringify(script)})
m = importlib.util.module_from_spec(s)
s.loader.exec_module(m)
json.dump([a.ravel().tolist() for a in m.load_data(None)], sys.stdout)
`;
      const [tx, ty, sx, sy] = JSON.parse(runPython(py, ['-c', driver])) as number[][];
      const d = (DATA[name]!.data as { dataset: Dataset }).dataset;
      expect(tx, name).toEqual(Array.from(d.train.x));
      expect(ty, name).toEqual(Array.from(d.train.y));
      expect(sx, name).toEqual(Array.from(d.test.x));
      expect(sy, name).toEqual(Array.from(d.test.y));
    }
  });
});

function labels(d: Dataset, which: 'train' | 'test'): number[] {
  const k = d.outputDim;
  const y = d[which].y;
  return Array.from({ length: d[which].n }, (_, i) => y.subarray(i * k, (i + 1) * k).indexOf(1));
}

describe('the exported script trains like the engine (needs a Python with torch)', () => {
  // A hang guard: importing torch takes up to ~7 s on a loaded 2-core machine, the training about 2 s.
  it(
    'follows the CPU backend step for step with SGD, Adam and AdamW; K-FAC and natural train',
    { timeout: 120_000 },
    async (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const data: ExportData = {
        source: 'toy',
        task: 'spiral',
        n: 200,
        noise: 0.05,
        seed: 3,
        testFraction: 0.2,
        classes: 2,
      };
      const runs = [
        { name: 'sgd', optimizer: { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.001 } },
        { name: 'adam', optimizer: { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 } },
        {
          name: 'adamw',
          optimizer: { kind: 'adamw', lr: 0.02, beta1: 0.8, beta2: 0.999, eps: 1e-7, weightDecay: 0.1 },
        },
        OPTIMIZERS.filter((o) => o.kind === 'kfac').map((o, i) => ({ name: `kfac${i}`, optimizer: o })),
        { name: 'natural', optimizer: { ...OPTIMIZERS[OPTIMIZERS.length - 1]!, lr: 0.05 } },
      ].flat() as { name: string; optimizer: ExportOptimizer }[];
      const arch = '2-8t-8t-2';
      const s: ExportSetup = {
        scriptName: 'train.py',
        data,
        arch,
        likelihood: 'categorical',
        sigma: 1,
        batch: 16,
        evalEvery: 15,
        steps: 30,
        seed: 3,
        runs,
        initialParams: initParams(parseArch(arch), 3),
      };
      const folder = writeAll('torch', exportPytorch(s));
      runPython(py, ['train.py', '--device', 'cpu'], folder);
      const rows = readFileSync(join(folder, 'train_metrics.csv'), 'utf8').trim().split('\n').slice(1);
      const table = rows.map((r) => r.split(','));
      const at = (run: string, step: number) => table.find((r) => r[1] === run && Number(r[0]) === step)!;
      const be = new CpuBackend({ precision: 'f32' });
      const ds = toyDataset('spiral', { n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 });
      for (const r of runs.slice(0, 3)) {
        const t = Trainer.create(be, ds, {
          arch,
          likelihood: 'categorical',
          optimizer: r.optimizer,
          batch: 16,
          seed: 3,
        });
        for (const step of [0, 15, 30]) {
          if (step > 0) t.step(15);
          const e = await t.evaluate();
          const row = at(r.name, step);
          expect(Math.abs(Number(row[3]) - e.trainLoss), `${r.name} train loss at ${step}`).toBeLessThan(1e-4);
          expect(Math.abs(Number(row[4]) - e.testLoss), `${r.name} test loss at ${step}`).toBeLessThan(1e-4);
          expect(Number(row[5]), `${r.name} train accuracy at ${step}`).toBeCloseTo(e.trainAccuracy!, 6);
        }
        t.dispose();
      }
      for (const r of runs.slice(3)) {
        const last = at(r.name, 30);
        expect(Number.isFinite(Number(last[3])), `${r.name} train loss`).toBe(true);
        // Started from the engine's weights like every run.
        expect(Number(at(r.name, 0)[3])).toBe(Number(at('sgd', 0)[3]));
      }
    },
  );

  it(
    'a CNN (conv with padding and stride, max and average pooling) follows the CPU backend with SGD and Adam; K-FAC and natural train it',
    { timeout: 120_000 },
    async (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const ds = barsDataset({ n: 120, noise: 0.1, seed: 4, testFraction: 0.25 });
      const arch = '8x8x1-c3k3p1r-mp2-c2k3s2p1t-ap2-f-2';
      const runs: { name: string; optimizer: ExportOptimizer }[] = [
        { name: 'sgd', optimizer: { kind: 'sgd', lr: 0.3, momentum: 0.9, weightDecay: 0.001 } },
        { name: 'adam', optimizer: { kind: 'adam', lr: 0.03, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 } },
        ...OPTIMIZERS.filter((o) => o.kind === 'kfac' || o.kind === 'natural').map((o, i) => ({
          name: `curvature${i}`,
          optimizer: { ...o, lr: 0.05 },
        })),
      ];
      const s: ExportSetup = {
        scriptName: 'cnn.py',
        data: { source: 'table', dataset: ds, embed: true },
        arch,
        likelihood: 'categorical',
        sigma: 1,
        batch: 16,
        evalEvery: 10,
        steps: 20,
        seed: 5,
        runs,
      };
      const folder = writeAll('torch-cnn', exportPytorch(s));
      runPython(py, ['cnn.py', '--device', 'cpu'], folder);
      const table = readFileSync(join(folder, 'cnn_metrics.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split(','));
      for (const r of runs.slice(2)) {
        const [first, last] = [0, 20].map((step) => table.find((x) => x[1] === r.name && Number(x[0]) === step)!);
        expect(Number(first![3]), `${r.name} starts from the engine's weights`).toBe(Number(table[0]![3]));
        expect(Number(last![3]), `${r.name} trains`).toBeLessThan(Number(first![3]));
      }
      const be = new CpuBackend({ precision: 'f32' });
      for (const r of runs.slice(0, 2)) {
        const t = Trainer.create(be, ds, {
          arch,
          likelihood: 'categorical',
          optimizer: r.optimizer,
          batch: 16,
          seed: 5,
        });
        let moved = 0;
        for (const step of [0, 10, 20]) {
          if (step > 0) t.step(10);
          const e = await t.evaluate();
          const row = table.find((x) => x[1] === r.name && Number(x[0]) === step)!;
          expect(Math.abs(Number(row[3]) - e.trainLoss), `${r.name} train loss at ${step}`).toBeLessThan(1e-4);
          expect(Math.abs(Number(row[4]) - e.testLoss), `${r.name} test loss at ${step}`).toBeLessThan(1e-4);
          if (step === 0) moved = e.trainLoss;
          else moved = Math.max(moved, Math.abs(moved - e.trainLoss));
        }
        // The curve moves far more than the tolerance: matching it is not matching a flat line.
        expect(moved, r.name).toBeGreaterThan(1e-2);
        t.dispose();
      }
    },
  );

  it(
    'forms the exact Fisher for the natural gradient and the K-FAC factors and step as documented, KFC on a conv layer',
    { timeout: 120_000 },
    (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const files = exportPytorch(setup('spiral', [{ name: 'sgd', optimizer: OPTIMIZERS[0]! }]));
      const script = join(writeAll('curvature', files), files[0]!.name);
      // Double precision, tiny models: the script's matrices against ones built from their definitions.
      const driver = `
import importlib.util, json, sys, math
import torch
s = importlib.util.spec_from_file_location("m", ${JSON.stringify(script)})
m = importlib.util.module_from_spec(s)
s.loader.exec_module(m)
torch.manual_seed(0)
nn = torch.nn
out = {}
for lik in ["categorical", "bernoulli", "gaussian"]:
    m.SETUP["likelihood"], m.SETUP["sigma"] = lik, 0.7
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    nat = m.Natural(model, lr=0.1, momentum=0, weight_decay=0, damping=0.1)
    rows = nat._fisher_rows(x)
    fisher = rows.T @ rows / 5
    params = list(model.parameters())
    mu = model(x)
    ref = 0
    for i in range(5):
        jac = torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(mu[i, o], params, retain_graph=True)]) for o in range(3)])
        if lik == "categorical":
            p = torch.softmax(mu[i], 0).detach()
            lam = torch.diag(p) - torch.outer(p, p)
        elif lik == "bernoulli":
            p = torch.sigmoid(mu[i]).detach()
            lam = torch.diag(p * (1 - p))
        else:
            lam = torch.eye(3, dtype=torch.float64) / 0.49
        ref = ref + jac.T @ lam @ jac / 5
    out["natural " + lik] = (fisher - ref).abs().max().item() / ref.abs().max().item()
    # The engine's CG after min(P, B k + 1) iterations against the dense solve.
    gv = torch.randn(fisher.shape[0], dtype=torch.float64)
    dense = torch.linalg.solve(fisher + 0.1 * torch.eye(fisher.shape[0], dtype=torch.float64), gv)
    cg = nat._cg(fisher, gv, min(gv.numel(), rows.shape[0] + 1))
    out["natural cg " + lik] = (cg - dense).abs().max().item() / dense.abs().max().item()
    # K-FAC on one layer: S is the mean output Fisher, A the mean of a-bar a-bar^T; then one step.
    lin = nn.Linear(3, 3).double()
    one = nn.Sequential(lin)
    k = m.KFAC(one, lr=0.3, momentum=0, weight_decay=0.01, damping=0.04, factor_decay=0.9, inv_every=1, kl_clip=None, fisher="ggn", seed=1)
    abar, errs, _ = m.layer_errors(one, x, "ggn", None)
    s_fac = sum(e.T @ e for e in errs[0]) / 5
    mu1 = one(x).detach()
    if lik == "categorical":
        p = torch.softmax(mu1, 1)
        lam = (torch.diag_embed(p) - p.unsqueeze(2) * p.unsqueeze(1)).mean(0)
    elif lik == "bernoulli":
        p = torch.sigmoid(mu1)
        lam = torch.diag_embed(p * (1 - p)).mean(0)
    else:
        lam = torch.eye(3, dtype=torch.float64) / 0.49
    out["kfac S " + lik] = (s_fac - lam).abs().max().item()
    y = torch.nn.functional.one_hot(torch.arange(5) % 3, 3).double()
    one.zero_grad()
    m.batch_loss(one(x), y).backward()
    wbar = torch.cat([lin.weight, lin.bias[:, None]], 1).detach().clone()
    g = torch.cat([lin.weight.grad, lin.bias.grad[:, None]], 1)
    a_fac = abar[0].T @ abar[0] / 5
    # docs/kfac.md: pi-split damping, P on the raw gradient, then SGD's d = P + wd W-bar.
    pi = math.sqrt((a_fac.trace().item() / 4) / (lam.trace().item() / 3))
    pstep = torch.linalg.inv(lam + 0.2 / pi * torch.eye(3, dtype=torch.float64)) @ g @ torch.linalg.inv(a_fac + 0.2 * pi * torch.eye(4, dtype=torch.float64))
    expect = wbar - 0.3 * (pstep + 0.01 * wbar)
    k.step(0, x)
    after = torch.cat([lin.weight, lin.bias[:, None]], 1).detach()
    out["kfac step " + lik] = (after - expect).abs().max().item()
    # The Levenberg-Marquardt rule at step 4 (an adaptation step), from its definition: for one linear layer
    # J_i delta = dW x_i + db exactly, F = (1/B) sum_i J_i^T Lambda_i J_i with Lambda from the likelihood.
    lin2 = nn.Linear(3, 3).double()
    one2 = nn.Sequential(lin2)
    k2 = m.KFAC(one2, lr=0.3, momentum=0, weight_decay=0.01, damping=0.04, factor_decay=0.9, inv_every=1, kl_clip=None, fisher="ggn", seed=1, damping_rule="levenberg-marquardt")
    one2.zero_grad()
    h0 = m.batch_loss(one2(x), y)
    h0.backward()
    g2 = torch.cat([lin2.weight.grad, lin2.bias.grad[:, None]], 1).detach().clone()
    w0 = torch.cat([lin2.weight, lin2.bias[:, None]], 1).detach().clone()
    mu0 = one2(x).detach()
    k2.step(4, x, y)
    w1 = torch.cat([lin2.weight, lin2.bias[:, None]], 1).detach()
    dw = w1 - w0
    jd = x @ dw[:, :-1].T + dw[:, -1]
    if lik == "categorical":
        p2 = torch.softmax(mu0, 1)
        lams = torch.diag_embed(p2) - p2.unsqueeze(2) * p2.unsqueeze(1)
    elif lik == "bernoulli":
        p2 = torch.sigmoid(mu0)
        lams = torch.diag_embed(p2 * (1 - p2))
    else:
        lams = torch.eye(3, dtype=torch.float64).expand(5, 3, 3) / 0.49
    dfd = torch.einsum("bi,bij,bj->", jd, lams, jd).item() / 5
    model_m = (g2 * dw).sum().item() + 0.5 * (dfd + 0.04 * (dw * dw).sum().item())
    with torch.no_grad():
        rho = (m.batch_loss(one2(x), y).item() - h0.item()) / model_m
    omega = 0.95 ** 5
    want = 0.04 * omega if rho > 0.75 else 0.04 / omega if rho < 0.25 else 0.04
    out["kfac lm " + lik] = abs(k2.damping - want) / want
    out["kfac lm moves the damping " + lik] = 0.0 if abs(k2.damping - 0.04) > 1e-6 else 1.0
    k2.step(5, x, y)
    out["kfac lm holds between adaptations " + lik] = abs(k2.damping - want) / want
# KFC on a conv layer over NHWC rows (5x4 images, 2 channels; 3 filters of 3x2, stride (2, 1), padding (1, 1)):
# A-bar's rows are the patches in the engine's order (channel, row, column), the ones column last, built here
# by loops from that definition; S averages the errors' outer products over the T output positions.
m.SETUP["likelihood"] = "categorical"
conv = nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 1)).double()
img = {"h": 5, "w": 4, "c": 2}
net = nn.Sequential(m.NHWC(img, conv), nn.Tanh(), nn.Linear(3 * 3 * 5, 3)).double()
xc = torch.randn(4, 5 * 4 * 2, dtype=torch.float64)
abar, errs, positions = m.layer_errors(net, xc, "ggn", None)
t = 3 * 5
pat = torch.zeros(4 * t, 2 * 3 * 2 + 1, dtype=torch.float64)
for b in range(4):
    for oy in range(3):
        for ox in range(5):
            r = (b * 3 + oy) * 5 + ox
            for ci in range(2):
                for ky in range(3):
                    for kx in range(2):
                        iy, ix = oy * 2 - 1 + ky, ox - 1 + kx
                        if 0 <= iy < 5 and 0 <= ix < 4:
                            pat[r, (ci * 3 + ky) * 2 + kx] = xc[b, (iy * 4 + ix) * 2 + ci]
            pat[r, -1] = 1
out["kfc patches"] = (abar[0] - pat).abs().max().item() + abs(positions[0] - t) + abs(positions[1] - 1)
# S from its definition: per example and output column j of the output Fisher's root, the gradient of mu . root_j
# with respect to the conv layer's output at each position.
h1 = net[0](xc)
h1.retain_grad()
mu = net[2](net[1](h1))
root = m.output_fisher_root(mu.detach())
s_ref = torch.zeros(3, 3, dtype=torch.float64)
for j in range(3):
    g1 = torch.autograd.grad(mu, h1, grad_outputs=root[:, :, j], retain_graph=True)[0].reshape(4 * t, 3)
    s_ref += g1.T @ g1
s_ref /= 4 * t
kc = m.KFAC(net, lr=0.1, momentum=0, weight_decay=0, damping=0.01, factor_decay=0.9, inv_every=1, kl_clip=None, fisher="ggn", seed=1)
yc = torch.nn.functional.one_hot(torch.arange(4) % 3, 3).double()
net.zero_grad()
m.batch_loss(net(xc), yc).backward()
w_before = conv.weight.detach().clone()
kc.step(0, xc)
out["kfc A"] = (kc.A[0] - pat.T @ pat / 4).abs().max().item()
out["kfc S"] = (kc.S[0] - s_ref).abs().max().item()
out["kfc moves the conv weights"] = 0.0 if (conv.weight - w_before).abs().max().item() > 1e-6 else 1.0
json.dump(out, sys.stdout)
`;
      const got = JSON.parse(runPython(py, ['-c', driver])) as Record<string, number>;
      expect(Object.keys(got)).toHaveLength(25);
      // CG's rounding in float64 over its few iterations stays far below 1e-6; the closed forms are exact.
      for (const [what, err] of Object.entries(got)) {
        expect(err, what).toBeLessThan(what.startsWith('natural cg') ? 1e-6 : 1e-9);
      }
    },
  );

  it(
    'resumes from its checkpoint to the same curve bit for bit, writes final weights, explains every flag',
    { timeout: 180_000 },
    (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const runs = [
        { name: 'sgd', optimizer: { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.001 } },
        { name: 'adam', optimizer: { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 } },
        { name: 'kfac', optimizer: { ...OPTIMIZERS.find((o) => o.kind === 'kfac')!, invEvery: 7 } },
        { name: 'natural', optimizer: { ...OPTIMIZERS[OPTIMIZERS.length - 1]!, lr: 0.05 } },
      ] as { name: string; optimizer: ExportOptimizer }[];
      const s = setup('spiral', runs, { arch: '2-6t-2', steps: 20, evalEvery: 5, batch: 16, scriptName: 'r.py' });
      const whole = writeAll('resume-whole', exportPytorch(s));
      const split = writeAll('resume-split', exportPytorch(s));
      runPython(py, ['r.py', '--device', 'cpu'], whole, 170_000);
      // Stopped at 10 (between K-FAC's inverse refreshes at 7 and 14), then resumed to 20.
      runPython(py, ['r.py', '--device', 'cpu', '--steps', '10'], split, 170_000);
      const resumed = runPython(py, ['r.py', '--device', 'cpu', '--steps', '20', '--resume'], split, 170_000);
      expect(resumed).toContain('step 20  sgd  loss train');
      expect(resumed).toMatch(/accuracy train [\d.]+% {2}test [\d.]+%/);
      const curve = (folder: string) =>
        readFileSync(join(folder, 'r_metrics.csv'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(',').filter((_, j) => j !== 2)); // all but the seconds column
      const a = curve(whole);
      expect(a).toHaveLength(1 + 4 * 5);
      expect(curve(split)).toEqual(a);
      const driver = `
import torch, json, sys
a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])
print(json.dumps({n: all(torch.equal(a[n][k], b[n][k]) for k in a[n]) for n in a}))
`;
      const same = JSON.parse(
        runPython(py, ['-c', driver, join(whole, 'r_final.pt'), join(split, 'r_final.pt')], undefined, 170_000),
      ) as Record<string, boolean>;
      expect(same).toEqual({ sgd: true, adam: true, kfac: true, natural: true });

      // Every flag of the script's parser carries a help text, and --help prints them.
      const helps = JSON.parse(
        runPython(py, [
          '-c',
          `import importlib.util, json; s = importlib.util.spec_from_file_location("m", ${JSON.stringify(join(whole, 'r.py'))}); m = importlib.util.module_from_spec(s); s.loader.exec_module(m); print(json.dumps({a.option_strings[-1]: a.help for a in m.build_parser()._actions}))`,
        ]),
      ) as Record<string, string | null>;
      expect(Object.keys(helps)).toEqual(
        expect.arrayContaining(['--steps', '--eval-every', '--device', '--resume', '--checkpoint', '--final']),
      );
      for (const [flag, text] of Object.entries(helps)) expect(text ?? '', flag).toMatch(/\w{3,}/);
      const help = runPython(py, ['r.py', '--help'], whole, 170_000);
      for (const flag of Object.keys(helps)) expect(help).toContain(flag);
      expect(() => runPython(py, ['r.py', '--runs', 'sgd,nope'], whole, 170_000)).toThrow(/no run named 'nope'/);
    },
  );

  it(
    "continues from the engine's step with its weights and SGD/Adam/AdamW state, following the engine's curve",
    { timeout: 180_000 },
    async (ctx) => {
      const py = needPython(ctx, ['numpy', 'torch']);
      const optimizers: ExportOptimizer[] = [
        { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.001 },
        { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 },
        { kind: 'adamw', lr: 0.02, beta1: 0.8, beta2: 0.999, eps: 1e-7, weightDecay: 0.1 },
      ];
      const arch = '2-8t-2';
      const ds = toyDataset('spiral', { n: 200, noise: 0.05, seed: 3, testFraction: 0.2, classes: 2 });
      const be = new CpuBackend({ precision: 'f32' });
      const trainers = optimizers.map((optimizer) =>
        Trainer.create(be, ds, { arch, likelihood: 'categorical', optimizer, batch: 16, seed: 3 }),
      );
      for (const t of trainers) t.step(12);
      const checkpoints = await Promise.all(trainers.map((t) => t.checkpoint()));
      const runs = optimizers.map((optimizer, i) => ({
        name: optimizer.kind,
        optimizer,
        start: { step: 12, params: checkpoints[i]!.params, tensors: checkpoints[i]!.optimizer.tensors },
      }));
      const data: ExportData = {
        source: 'toy',
        task: 'spiral',
        n: 200,
        noise: 0.05,
        seed: 3,
        testFraction: 0.2,
        classes: 2,
      };
      const s: ExportSetup = {
        scriptName: 'here.py',
        data,
        arch,
        likelihood: 'categorical',
        sigma: 1,
        batch: 16,
        evalEvery: 6,
        steps: 30,
        seed: 3,
        runs,
      };
      const folder = writeAll('continue', exportPytorch(s));
      runPython(py, ['here.py', '--device', 'cpu'], folder, 170_000);
      const table = readFileSync(join(folder, 'here_metrics.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split(','));
      expect(table.map((r) => Number(r[0])).filter((v, i, a) => a.indexOf(v) === i)).toEqual([12, 18, 24, 30]);
      // The negative control: the same weights with the optimizer state started afresh leave the curve.
      const fresh = trainers.map((_, i) => {
        const f = Trainer.create(be, ds, {
          arch,
          likelihood: 'categorical',
          optimizer: optimizers[i]!,
          batch: 16,
          seed: 3,
        });
        f.loadParams(Float32Array.from(checkpoints[i]!.params), 12);
        return f;
      });
      let freshGap = 0;
      for (const step of [12, 18, 24, 30]) {
        if (step > 12) for (const t of [...trainers, ...fresh]) t.step(6);
        for (const [i, t] of trainers.entries()) {
          const e = await t.evaluate();
          const row = table.find((r) => r[1] === optimizers[i]!.kind && Number(r[0]) === step)!;
          expect(Math.abs(Number(row[3]) - e.trainLoss), `${optimizers[i]!.kind} train loss at ${step}`).toBeLessThan(
            1e-4,
          );
          expect(Math.abs(Number(row[4]) - e.testLoss), `${optimizers[i]!.kind} test loss at ${step}`).toBeLessThan(
            1e-4,
          );
          const f = await fresh[i]!.evaluate();
          freshGap = Math.max(freshGap, Math.abs(f.trainLoss - e.trainLoss));
        }
      }
      expect(freshGap).toBeGreaterThan(1e-3);
      for (const t of [...trainers, ...fresh]) t.dispose();
    },
  );
});
