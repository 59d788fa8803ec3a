/**
 * The Inside view's K-FAC comparison on a conv net, against a float64 reference: the exact Fisher block of the
 * conv layer, F = (1/N) Σ_i J_iᵀ Λ(μ_i) J_i with J_i = Σ_t ∂μ_i/∂s_it ⊗ ā_it from test/kfac/conv-reference.ts,
 * damped and inverted by Cholesky; the comparison's `exact` must be that inverse and its `relError` K-FAC's
 * KFC block against it. The one-layer Fisher (layerFisher, through both of its eigen paths) must equal the
 * whole-model Fisher's diagonal block, and a pooling layer is never compared (the view moves to the next layer).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { denseLayerFisher, layerFisher, layerFisherEigen } from '../../src/engine/fishleg/layer-fisher.ts';
import { addDiagonal, relativeError, spdInverse } from '../../src/engine/fishleg/linalg.ts';
import { exactFisher, fisherBlock } from '../../src/engine/fishleg/views.ts';
import { denseLayerInverse, Kfac } from '../../src/engine/kfac/kfac.ts';
import { defaultKfac } from '../../src/engine/kfac/spec.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { fisherRows, inverseComparisons } from '../../src/worker/views-data.ts';
import { convFisher, images } from './conv-reference.ts';
import type { HostNet } from './reference.ts';

describe('the K-FAC comparison in the Inside view on a conv net', () => {
  it('compares the KFC block of the conv layer with the exact damped inverse of its Fisher block; pooling is skipped', async () => {
    const arch = '5x5x1-c2k3p1t-mp2-f-3';
    const data = images(5, 5, 1, 3, 40, 3);
    const backend = new CpuBackend({ precision: 'f64' });
    const optimizer = { ...defaultKfac(), lr: 0.05, invEvery: 4 };
    const t = Trainer.create(backend, data, { arch, likelihood: 'categorical', optimizer, batch: 8, seed: 2 });
    try {
      t.step(9);
      const layers = t.layout.layers;
      expect(layers.map((l) => l.kind)).toEqual(['conv2d', 'pool', 'dense']);
      // Asked for the pooling layer, the view compares the next layer with parameters (the dense one).
      const [atPool] = await inverseComparisons([{ runId: 'k', trainer: t }], 1);
      expect(atPool!.matrix).toEqual(denseLayerInverse(await t.optimizerAs(Kfac)!.layerInverse(2)));

      const li = 0;
      const [c] = await inverseComparisons([{ runId: 'k', trainer: t }], li);
      expect(c).toBeDefined();
      const layer = layers[li]!;
      const d = layer.size;
      expect(c!.matrix).toEqual(denseLayerInverse(await t.optimizerAs(Kfac)!.layerInverse(li)));

      const theta = Array.from(await t.readParams());
      const n = fisherRows(t, li);
      const xs = Array.from({ length: n }, (_, i) =>
        Float64Array.from(data.train.x.subarray(i * data.inputDim, (i + 1) * data.inputDim)),
      );
      const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
      const fisher = convFisher(net, theta, xs, layer.offset, d);
      const exact = spdInverse(addDiagonal(fisher, d, optimizer.damping), d);

      expect(c!.exact).toHaveLength(d * d);
      // Float64 throughout; the eigen path drops directions below 1e-10 of the largest.
      expect(relativeError(c!.exact, exact), 'the exact inverse').toBeLessThan(1e-6);
      const want = relativeError(c!.matrix, exact);
      // KFC assumes independent positions and uncorrelated factors: an approximation, not the inverse.
      expect(want).toBeGreaterThan(1e-3);
      expect(Math.abs(c!.relError - want) / want).toBeLessThan(1e-5);
    } finally {
      t.dispose();
      backend.dispose();
    }
  });

  it.each([
    ['Gram (ZᵀZ) path: 4 rows, r = 8 < d', [0, 1, 2, 3]],
    ['dense (ZZᵀ) path: 30 rows, r = 60 > d', Array.from({ length: 30 }, (_, i) => i)],
  ] as const)("layerFisher of a conv layer equals the whole-model Fisher's block (%s)", async (_, idx) => {
    const data = images(4, 4, 2, 3, 30, 5);
    const backend = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(backend, data, {
      arch: '4x4x2-c2k2s2t-c3k1r-f-3',
      likelihood: 'categorical',
      optimizer: { ...defaultKfac(), invEvery: 3 },
      batch: 6,
      seed: 4,
    });
    try {
      t.step(2);
      const F = await exactFisher(t, t.trainSplit, idx);
      for (const l of [0, 1]) {
        const f = await layerFisher(t, t.trainSplit, [...idx], l);
        expect(f.positions).toBe(4);
        const block = fisherBlock(F, t.layout, l);
        expect(relativeError(denseLayerFisher(f), block), `layer ${l}`).toBeLessThan(1e-10);
        const eig = layerFisherEigen(f);
        // Its eigenpairs rebuild the block, through whichever path its size picks.
        const rebuilt = new Float64Array(f.d * f.d);
        eig.values.forEach((v, j) => {
          for (let a = 0; a < f.d; a++)
            for (let b = 0; b < f.d; b++)
              rebuilt[a * f.d + b]! += v * eig.vectors[j * f.d + a]! * eig.vectors[j * f.d + b]!;
        });
        expect(relativeError(rebuilt, block), `layer ${l} eigen`).toBeLessThan(1e-8);
      }
    } finally {
      t.dispose();
      backend.dispose();
    }
  });
});
