/**
 * The Inside view's K-FAC comparison against a float64 reference written here from the definitions: the
 * exact Fisher block of one layer, F = (1/N) Σ_i J_iᵀ Λ(μ_i) J_i over the rows the view uses (J_i the
 * Jacobian of the outputs in that layer's weights, from test/kfac/reference.ts's forward and backprop), damped
 * and inverted by Gauss–Jordan; the comparison's `exact` must be that inverse and its `relError` the
 * Frobenius error ‖(Ĝ ⊗ Â)⁻¹ − (F + γI)⁻¹‖ / ‖(F + γI)⁻¹‖ of its own K-FAC block to it — a wrong error
 * (of another matrix, normalised by the other side, of float32 noise) fails.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultKfac } from '../../src/engine/kfac/spec.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { fisherRows, inverseComparisons } from '../../src/worker/views-data.ts';
import { backprop, forward, outputFisher, type HostNet } from './reference.ts';

/** The inverse of a symmetric positive definite d×d matrix, by Gauss–Jordan with partial pivoting. */
function invert(a: Float64Array, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]!) > Math.abs(m[piv * d + c]!)) piv = r;
    for (const x of [m, inv]) {
      for (let k = 0; k < d; k++) [x[c * d + k], x[piv * d + k]] = [x[piv * d + k]!, x[c * d + k]!];
    }
    const p = m[c * d + c]!;
    for (let k = 0; k < d; k++) {
      m[c * d + k] = m[c * d + k]! / p;
      inv[c * d + k] = inv[c * d + k]! / p;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c]!;
      if (f === 0) continue;
      for (let k = 0; k < d; k++) {
        m[r * d + k] = m[r * d + k]! - f * m[c * d + k]!;
        inv[r * d + k] = inv[r * d + k]! - f * inv[c * d + k]!;
      }
    }
  }
  return inv;
}

const frobenius = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const minus = (a: ArrayLike<number>, b: ArrayLike<number>): number[] => Array.from(a, (v, i) => v - b[i]!);

describe('the K-FAC comparison in the Inside view', () => {
  it('measures its relative error against the exact damped inverse Fisher of the layer', async () => {
    const data = toyDataset('spiral', { n: 300, noise: 0.05, seed: 4 });
    const backend = new CpuBackend({ precision: 'f32' });
    const optimizer = { ...defaultKfac(), lr: 0.05, invEvery: 7 };
    const t = Trainer.create(backend, data, {
      arch: '2-6t-5t-2',
      likelihood: 'categorical',
      optimizer,
      batch: 16,
      seed: 2,
    });
    try {
      t.step(20);
      for (const li of [0, 1, 2]) {
        const [c] = await inverseComparisons([{ runId: 'k', trainer: t }], li);
        expect(c, `layer ${li}`).toBeDefined();
        const layer = t.layout.layers[li]!;
        const p = layer.n + 1;
        const d = layer.m * p;
        expect(c!.damping).toBe(optimizer.damping);

        // F over the first N training rows, with the trainer's own weights.
        const theta = Array.from(await t.readParams());
        const n = fisherRows(t, li);
        const k = data.outputDim;
        const xs = Array.from({ length: n }, (_, i) => Float64Array.from(data.train.x.subarray(i * 2, i * 2 + 2)));
        const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
        const f = forward(net, theta, xs);
        const fisher = new Float64Array(d * d);
        for (let i = 0; i < n; i++) {
          // J[o] = ∂μ_o/∂W_l, flat like the layer's weights (row-major m × p).
          const js = Array.from({ length: k }, (_, o) => {
            const unit = new Float64Array(k);
            unit[o] = 1;
            const fi = { a: [f.a[i]!], s: [f.s[i]!], mu: [f.mu[i]!] };
            const e = backprop(net, theta, fi, [unit])[0]![li]!;
            const a = f.a[i]![li]!;
            return Float64Array.from({ length: d }, (_, q) => e[Math.floor(q / p)]! * a[q % p]!);
          });
          const lam = outputFisher(net, f.mu[i]!);
          for (let o = 0; o < k; o++) {
            for (let o2 = 0; o2 < k; o2++) {
              const w = lam[o * k + o2]! / n;
              if (w === 0) continue;
              for (let r = 0; r < d; r++)
                for (let s = 0; s < d; s++) fisher[r * d + s] = fisher[r * d + s]! + w * js[o]![r]! * js[o2]![s]!;
            }
          }
        }
        for (let r = 0; r < d; r++) fisher[r * d + r] = fisher[r * d + r]! + optimizer.damping;
        const exact = invert(fisher, d);

        // The view's exact inverse is this one (float32 weights and activations on the CPU backend).
        expect(c!.exact).toHaveLength(d * d);
        expect(frobenius(minus(c!.exact, exact)) / frobenius(exact), `layer ${li} exact`).toBeLessThan(1e-3);
        // Its error is K-FAC's block against it, normalised by it.
        const want = frobenius(minus(c!.matrix, exact)) / frobenius(exact);
        expect(want, `layer ${li}`).toBeGreaterThan(1e-3); // K-FAC's block is an approximation, not the inverse
        expect(Math.abs(c!.relError - want) / want, `layer ${li} relError ${c!.relError} vs ${want}`).toBeLessThan(
          1e-4,
        );
      }
    } finally {
      t.dispose();
      backend.dispose();
    }
  });
});
