/**
 * The one-layer exact Fisher against the whole model's (views.ts exactFisher, one R-op pass per parameter):
 * the same block for every likelihood and layer, through the dense (ZZᵀ) and the Gram (ZᵀZ) eigen paths, and
 * (F + γI)⁻¹ from the eigenpairs against a Cholesky inverse.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../cpu/backend.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Likelihood } from '../ops.ts';
import { defaultFishLeg } from '../optim/config.ts';
import { Rng } from '../rng.ts';
import { Trainer } from '../trainer.ts';
import {
  applyDampedFisher,
  applyDampedInverse,
  denseDampedInverse,
  denseLayerFisher,
  layerFisher,
  layerFisherEigen,
  outputSandwich,
} from './layer-fisher.ts';
import { addDiagonal, matmul, relativeError } from './linalg.ts';
import { dampedInverse, exactFisher, fisherBlock, outputFisher } from './views.ts';

/** 40 rows, 3 inputs, 3 outputs: labels for softmax, 0/1 targets for Bernoulli, reals for Gaussian. */
function data(lik: Likelihood): Dataset {
  const n = 40;
  const rng = new Rng(7, 1);
  const x = Float32Array.from({ length: 3 * n }, () => rng.normal());
  const y = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    if (lik === 'categorical') y[3 * i + (i % 3)] = 1;
    else for (let j = 0; j < 3; j++) y[3 * i + j] = lik === 'bernoulli' ? Number(x[3 * i + j]! > 0) : x[3 * i + j]!;
  }
  const split = { x, y, n };
  const kind = lik === 'categorical' ? 'classification' : 'regression';
  return { name: lik, inputDim: 3, outputDim: 3, kind, train: split, test: split, numClasses: 3 };
}

describe.each(['categorical', 'bernoulli', 'gaussian'] as const)('layerFisher, %s outputs', (lik) => {
  it('equals the diagonal block of the whole-model Fisher, and (F + γI)⁻¹ matches Cholesky', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, data(lik), {
      arch: '3-4t-3r-3',
      likelihood: lik,
      sigma: 0.5,
      optimizer: defaultFishLeg('block-kron'),
      batch: 8,
      seed: 2,
    });
    try {
      t.step(3);
      await t.settle();
      const idx = [0, 3, 5, 8, 13, 21, 34];
      const F = await exactFisher(t, t.trainSplit, idx);
      for (let l = 0; l < t.layout.layers.length; l++) {
        const d = t.layout.layers[l]!.size;
        const block = fisherBlock(F, t.layout, l);
        const f = await layerFisher(t, t.trainSplit, idx, l);
        expect(f.rows).toBe(idx.length);
        expect(relativeError(denseLayerFisher(f), block)).toBeLessThan(1e-12);
        const eig = layerFisherEigen(f);
        const ref = dampedInverse(block, d, 0.1);
        expect(relativeError(denseDampedInverse(eig, 0.1), ref)).toBeLessThan(1e-8);
        const x = Float64Array.from({ length: d }, (_, i) => Math.cos(i));
        expect(relativeError(applyDampedInverse(eig, 0.1, x), matmul(ref, x, d, d, 1))).toBeLessThan(1e-8);
        expect(
          relativeError(applyDampedFisher(eig, 0.1, x), matmul(addDiagonal(block, d, 0.1), x, d, d, 1)),
        ).toBeLessThan(1e-10);
      }
    } finally {
      t.dispose();
      be.dispose();
    }
  });
});

describe('layer Fisher helpers', () => {
  it('outputSandwich is GᵀΛG with the explicit output Fisher', () => {
    const k = 4;
    const m = 3;
    const g = Float64Array.from({ length: k * m }, (_, i) => Math.sin(1 + i));
    const mu = [0.3, -1.2, 2, 0.1];
    for (const lik of ['categorical', 'bernoulli', 'gaussian'] as const) {
      const lam = outputFisher(lik, mu, 0.7);
      const ref = matmul(g, matmul(lam, g, k, k, m), m, k, m, true);
      expect(relativeError(outputSandwich(lik, mu, 0.7, g, m), ref)).toBeLessThan(1e-13);
    }
  });

  it('the Gram path (few rows, d > r) gives the same eigenpairs as the dense one (d ≤ r)', () => {
    // Two rows of a 2×3 layer with M_i of rank 2: r = 4 < d = 6.
    const f = {
      m: 2,
      p: 3,
      d: 6,
      r: 4,
      positions: 1,
      c: Float64Array.from([1, 0.5, -0.2, 0.8, 0.3, 0.3, 1.1, -0.4]),
      abar: Float64Array.from([0.5, -1, 1, 2, 0.3, 1]),
      rowOf: Uint32Array.from([0, 0, 1, 1]),
      rows: 2,
    };
    const gram = layerFisherEigen(f);
    expect(gram.values.length).toBe(4);
    // Two zero columns make r = d: the dense path, same matrix.
    const padded = {
      ...f,
      r: 6,
      c: Float64Array.from([...f.c, 0, 0, 0, 0]),
      rowOf: Uint32Array.from([0, 0, 1, 1, 0, 0]),
    };
    const dense = layerFisherEigen(padded);
    expect(Array.from(dense.values, (v) => v.toFixed(10))).toEqual(Array.from(gram.values, (v) => v.toFixed(10)));
    const F = denseLayerFisher(f);
    expect(relativeError(denseLayerFisher(padded), F)).toBe(0);
    // Each listed pair satisfies F u = λ u with a unit u.
    for (const e of [gram, dense]) {
      for (let j = 0; j < e.values.length; j++) {
        const u = e.vectors.subarray(j * 6, (j + 1) * 6);
        const fu = matmul(F, u, 6, 6, 1);
        expect(
          relativeError(
            fu,
            u.map((x) => x * e.values[j]!),
          ),
        ).toBeLessThan(1e-10);
        expect(u.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 12);
      }
    }
    expect(relativeError(denseDampedInverse(gram, 0.2), dampedInverse(F, 6, 0.2))).toBeLessThan(1e-10);
  });
});
