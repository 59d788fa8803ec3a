/**
 * The race's exact data beside an exported script (src/engine/export/data-file.ts, npz.ts;
 * docs/pytorch-export.md §2): the .npz numpy reads is the engine's splits bit for bit (MNIST's playground
 * split with its 3-decimal pixels, a toy task, regression targets), the stored zip is one Python's zipfile
 * accepts, a MNIST script trains on it offline like the engine, and `--data torchvision` without torchvision
 * or without a network ends with one line and leaves no folder behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { csvDataset } from '../../src/engine/data/csv.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { loadMnistNode } from '../../src/engine/data/mnist-node.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { dataArrays } from '../../src/engine/export/data-file.ts';
import { crc32, storedZip } from '../../src/engine/export/npz.ts';
import { exportPytorch, type ExportData, type ExportSetup } from '../../src/engine/export/pytorch.ts';
import { initParams } from '../../src/engine/model/mlp.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { needPython, runPython } from './python.ts';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'pytorch-data-'));

function writeAll(sub: string, files: ReturnType<typeof exportPytorch>): string {
  const folder = join(dir, sub);
  mkdirSync(folder, { recursive: true });
  for (const f of files) writeFileSync(join(folder, f.name), f.contents);
  return folder;
}

const sha = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

/** The sha256 of each array the script's load_data gives, as float32 bytes. */
function scriptDataHashes(py: string, script: string, how = 'None'): { shapes: number[][]; hashes: string[] } {
  const driver = `
import hashlib, importlib.util, json, sys
s = importlib.util.spec_from_file_location("m", ${JSON.stringify(script)})
m = importlib.util.module_from_spec(s)
s.loader.exec_module(m)
arrays = m.load_data(None, ${how})
json.dump({"shapes": [list(a.shape) for a in arrays], "hashes": [hashlib.sha256(a.astype("<f4").tobytes()).hexdigest() for a in arrays]}, sys.stdout)
`;
  return JSON.parse(runPython(py, ['-c', driver])) as { shapes: number[][]; hashes: string[] };
}

function base(data: ExportData, splits: Dataset, arch: string, over: Partial<ExportSetup> = {}): ExportSetup {
  return {
    scriptName: 'race.py',
    data,
    arch,
    likelihood: 'categorical',
    sigma: 1,
    batch: 32,
    evalEvery: 5,
    steps: 10,
    seed: 4,
    runs: [{ name: 'sgd', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 } }],
    splits,
    ...over,
  };
}

const expectSame = (got: { shapes: number[][]; hashes: string[] }, d: Dataset, what: string) => {
  const arrays = [d.train.x, d.train.y, d.test.x, d.test.y];
  expect(got.shapes, what).toEqual([
    [d.train.n, d.inputDim],
    [d.train.n, d.outputDim],
    [d.test.n, d.inputDim],
    [d.test.n, d.outputDim],
  ]);
  expect(got.hashes, what).toEqual(arrays.map(sha));
};

describe('the stored zip and .npz writers', () => {
  it('computes the zip CRC-32 (the check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it("writes a zip Python's zipfile verifies, and arrays numpy reads back as written", (ctx) => {
    const py = needPython(ctx, ['numpy']);
    const zip = join(dir, 'two.zip');
    writeFileSync(
      zip,
      storedZip([
        { name: 'a.txt', data: new TextEncoder().encode('hello') },
        { name: 'b.bin', data: Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff) },
      ]),
    );
    const out = runPython(py, [
      '-c',
      `import zipfile, json, sys
z = zipfile.ZipFile(${JSON.stringify(zip)})
json.dump([z.testzip(), z.namelist(), z.read("a.txt").decode(), list(z.read("b.bin")[:4])], sys.stdout)`,
    ]);
    expect(JSON.parse(out)).toEqual([null, ['a.txt', 'b.bin'], 'hello', [0, 7, 14, 21]]);
  });
});

describe("the exported script reads the race's exact splits (numpy, no torch)", () => {
  it("gives MNIST's playground split bit for bit: 3-decimal pixels as one byte each, labels one-hot", (ctx) => {
    const py = needPython(ctx, ['numpy']);
    for (const task of ['mnist', 'mnist-ae'] as const) {
      const ds = loadMnistNode(task);
      const arrays = dataArrays(ds);
      // The pixel table is small enough for one byte per pixel; the autoencoder stores no targets.
      expect(Object.keys(arrays).sort(), task).toEqual(
        task === 'mnist'
          ? ['test_labels', 'test_x_codes', 'train_labels', 'train_x_codes', 'x_values']
          : ['test_x_codes', 'train_x_codes', 'x_values'],
      );
      const arch = task === 'mnist' ? '784-8r-10' : '784-4r-784';
      const files = exportPytorch(
        base({ source: 'mnist', task }, ds, arch, task === 'mnist' ? {} : { likelihood: 'bernoulli' }),
      );
      const npz = files.find((f) => f.name === 'race_data.npz');
      expect(npz, task).toBeDefined();
      const folder = writeAll(task, files);
      expectSame(scriptDataHashes(py, join(folder, 'race.py')), ds, task);
    }
  });

  it('gives a toy task and CSV regression targets bit for bit', (ctx) => {
    const py = needPython(ctx, ['numpy']);
    const toy = toyDataset('spiral', { n: 150, noise: 0.1, seed: 9, testFraction: 0.2, classes: 2 });
    const files = exportPytorch(
      base(
        { source: 'toy', task: 'spiral', n: 150, noise: 0.1, seed: 9, testFraction: 0.2, classes: 2 },
        toy,
        '2-8t-2',
      ),
    );
    const script = join(writeAll('toy', files), 'race.py');
    expectSame(scriptDataHashes(py, script), toy, 'spiral (exported)');
    // The port regenerates the same rows (within an ulp, since sin and cos may round differently).
    const ported = scriptDataHashes(py, script, '"port"');
    expect(ported.shapes).toEqual([
      [toy.train.n, 2],
      [toy.train.n, 2],
      [toy.test.n, 2],
      [toy.test.n, 2],
    ]);
    const csv = csvDataset({ text: 'a,b,y\n0.1,2,3.5\n-1,1e-3,7\n4,5,-6\n1,1,1\n2,2,2\n', name: 'r.csv' }, undefined, {
      seed: 2,
    });
    const regression = exportPytorch(
      base({ source: 'table', dataset: csv }, csv, '2-3t-1', { likelihood: 'gaussian' }),
    );
    expectSame(scriptDataHashes(py, join(writeAll('regression', regression), 'race.py')), csv, 'csv regression');
  });

  it('refuses splits that do not fit the setup', () => {
    const toy = toyDataset('spiral', { n: 50, seed: 1, classes: 2 });
    expect(() => exportPytorch(base({ source: 'mnist', task: 'mnist' }, toy, '784-10'))).toThrow(
      /the splits have 2 inputs and 2 outputs; the data has 784 and 10/,
    );
  });
});

describe('an exported MNIST script offline (needs a Python with torch)', () => {
  it("trains on the race's digits like the engine, with no download", { timeout: 180_000 }, async (ctx) => {
    const py = needPython(ctx, ['numpy', 'torch']);
    const ds = loadMnistNode('mnist');
    const arch = '784-16r-10';
    const optimizer = { kind: 'adam', lr: 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;
    const s = base({ source: 'mnist', task: 'mnist' }, ds, arch, {
      runs: [{ name: 'adam', optimizer }],
      initialParams: initParams(parseArch(arch), 4),
      steps: 8,
      evalEvery: 4,
    });
    const folder = writeAll('mnist-train', exportPytorch(s));
    runPython(py, ['race.py', '--device', 'cpu'], folder, 170_000);
    expect(existsSync(join(folder, 'data')), 'no torchvision folder').toBe(false);
    const rows = readFileSync(join(folder, 'race_metrics.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((r) => r.split(','));
    const t = Trainer.create(new CpuBackend({ precision: 'f32' }), ds, {
      arch,
      likelihood: 'categorical',
      optimizer,
      batch: 32,
      seed: 4,
    });
    for (const step of [0, 4, 8]) {
      if (step > 0) t.step(4);
      const e = await t.evaluate();
      const row = rows.find((r) => Number(r[0]) === step)!;
      expect(Math.abs(Number(row[3]) - e.trainLoss), `train loss at ${step}`).toBeLessThan(1e-4);
      expect(Math.abs(Number(row[4]) - e.testLoss), `test loss at ${step}`).toBeLessThan(1e-4);
      expect(Number(row[6]), `test accuracy at ${step}`).toBeCloseTo(e.testAccuracy!, 6);
    }
    t.dispose();
  });

  it('says in one line why --data torchvision cannot run, and leaves no data folder', { timeout: 120_000 }, (ctx) => {
    const py = needPython(ctx, ['numpy', 'torch']);
    const ds = loadMnistNode('mnist');
    const folder = writeAll('mnist-tv', exportPytorch(base({ source: 'mnist', task: 'mnist' }, ds, '784-10')));
    // Offline: a stand-in torchvision whose download makes data/MNIST/raw and fails as torchvision does.
    const fake = join(folder, 'fake');
    mkdirSync(join(fake, 'torchvision'), { recursive: true });
    writeFileSync(join(fake, 'torchvision', '__init__.py'), '');
    writeFileSync(
      join(fake, 'torchvision', 'datasets.py'),
      'import os, urllib.error\nclass MNIST:\n    def __init__(self, root, train, download):\n' +
        '        os.makedirs(os.path.join(root, "MNIST", "raw"), exist_ok=True)\n' +
        '        raise urllib.error.URLError("[Errno -2] Name or service not known")\n',
    );
    const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
      ['offline', { ...process.env, PYTHONPATH: fake }, /could not get MNIST through torchvision .*URLError/],
    ];
    const hasTorchvision = spawnSync(py, ['-c', 'import torchvision']).status === 0;
    if (!hasTorchvision) {
      cases.push(['without torchvision', process.env, /--data torchvision needs torchvision: pip install torchvision/]);
    }
    for (const [what, env, message] of cases) {
      const r = spawnSync(py, ['race.py', '--data', 'torchvision', '--device', 'cpu'], {
        cwd: folder,
        env,
        encoding: 'utf8',
        timeout: 100_000,
      });
      expect(r.status, what).toBe(1);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).toMatch(/the default --data exported trains on the race's own digits/);
      expect(r.stderr, what).not.toMatch(/Traceback/);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(existsSync(join(folder, 'data')), `${what}: no data folder left`).toBe(false);
    }
  });
});
