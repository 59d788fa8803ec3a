/**
 * The exported script computes a toy's input features as the engine does (engine/data/features.ts): the
 * script's own data loader, run with numpy, against withFeatures on the same points.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_IDS, withFeatures } from '../../src/engine/data/features.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { exportPytorch } from '../../src/engine/export/pytorch.ts';
import { needPython, runPython } from './python.ts';

describe('the exported script computes the input features', () => {
  it('gives the engine features of every point, bit for bit (numpy)', (ctx) => {
    const py = needPython(ctx, ['numpy']);
    const features = [...FEATURE_IDS];
    const files = exportPytorch({
      scriptName: 'features.py',
      data: { source: 'toy', task: 'spiral', n: 200, noise: 0.1, seed: 5, testFraction: 0.25, classes: 2, features },
      arch: `${features.length}-8t-2`,
      likelihood: 'categorical',
      sigma: 1,
      batch: 16,
      evalEvery: 5,
      steps: 10,
      seed: 5,
      runs: [{ name: 'sgd', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 } }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'features-export-'));
    for (const f of files) writeFileSync(join(dir, f.name), f.contents);
    const driver = `
import importlib.util, json, sys
import numpy as np
s = importlib.util.spec_from_file_location("m", ${JSON.stringify(join(dir, 'features.py'))})
m = importlib.util.module_from_spec(s)
s.loader.exec_module(m)
tx, ty, sx, sy = m.load_data(None)
json.dump({"train": tx.view(np.uint32).ravel().tolist(), "test": sx.view(np.uint32).ravel().tolist(), "width": tx.shape[1]}, sys.stdout)
`;
    const got = JSON.parse(runPython(py, ['-c', driver])) as { train: number[]; test: number[]; width: number };
    const want = withFeatures(toyDataset('spiral', { n: 200, noise: 0.1, seed: 5, testFraction: 0.25 }), features);
    expect(got.width).toBe(features.length);
    expect(got.train).toEqual(
      Array.from(new Uint32Array(want.train.x.buffer, want.train.x.byteOffset, want.train.x.length)),
    );
    expect(got.test).toEqual(
      Array.from(new Uint32Array(want.test.x.buffer, want.test.x.byteOffset, want.test.x.length)),
    );
  });
});
