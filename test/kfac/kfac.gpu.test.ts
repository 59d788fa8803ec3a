/**
 * K-FAC and the exact natural gradient on WebGPU against the CPU reference (float32 both; the CPU side is
 * checked against float64 host references in kfac.test.ts): the factors, the Newton–Schulz inverses and
 * whole runs with KL clip, momentum, weight decay and inverse refreshes. Both are built from the closed op
 * list only, so this checks that the WGSL kernels compose into the same algorithms. Shapes stay small
 * (SwiftShader on CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultKfac, defaultNatural } from '../../src/engine/kfac/spec.ts';
import { Kfac, LM_OMEGA } from '../../src/engine/kfac/kfac.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { expectClose, Pair } from '../gpu/harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const spiral = toyDataset('spiral', { n: 200, noise: 0.03, seed: 7 });

describe('K-FAC and the natural gradient on WebGPU', () => {
  it('K-FAC: factors, inverses and θ after 7 steps (inverses at 0, 3, 6; KL clip on) match the CPU', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const before = pair.gpu.liveStorages();
    const cfg = {
      arch: '2-4t-4t-3',
      likelihood: 'categorical',
      optimizer: { ...defaultKfac(), lr: 0.2, invEvery: 3, weightDecay: 1e-3, damping: 0.01 },
      batch: 16,
      seed: 3,
    } as const;
    const data = toyDataset('spiral', { n: 200, noise: 0.03, seed: 7, classes: 3 });
    const runs = [Trainer.create(cpu, data, cfg), Trainer.create(pair.gpu, data, cfg)] as const;
    for (const t of runs) t.step(7);
    for (let l = 0; l < 3; l++) {
      const [fc, fg] = [
        await runs[0].optimizerAs(Kfac)!.layerFactors(l),
        await runs[1].optimizerAs(Kfac)!.layerFactors(l),
      ];
      expectClose(fg.a, fc.a, { atol: 1e-4, rtol: 1e-3 }, `A_${l}`);
      expectClose(fg.g, fc.g, { atol: 1e-4, rtol: 1e-3 }, `G_${l}`);
      const [ic, ig] = [
        await runs[0].optimizerAs(Kfac)!.layerInverse(l),
        await runs[1].optimizerAs(Kfac)!.layerInverse(l),
      ];
      expectClose(ig.aInv, ic.aInv, { atol: 1e-3, rtol: 2e-3 }, `A_${l}⁻¹`);
      expectClose(ig.gInv, ic.gInv, { atol: 1e-3, rtol: 2e-3 }, `G_${l}⁻¹`);
    }
    expectClose(await runs[1].readParams(), await runs[0].readParams(), { atol: 2e-4, rtol: 2e-3 }, 'θ after 7 steps');
    for (const t of runs) t.dispose();
    expect(pair.gpu.liveStorages()).toBe(before);
    cpu.dispose();
  });

  it('K-FAC with Levenberg–Marquardt damping: λ after its adaptations (steps 4, 9) and θ after 12 steps match the CPU', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const before = pair.gpu.liveStorages();
    const cfg = {
      arch: '2-4t-4t-3',
      likelihood: 'categorical',
      optimizer: { ...defaultKfac(), lr: 0.2, invEvery: 3, damping: 0.01, dampingRule: 'levenberg-marquardt' },
      batch: 16,
      seed: 3,
    } as const;
    const data = toyDataset('spiral', { n: 200, noise: 0.03, seed: 7, classes: 3 });
    const runs = [Trainer.create(cpu, data, cfg), Trainer.create(pair.gpu, data, cfg)] as const;
    for (const t of runs) t.step(12);
    const [lc, lg] = await Promise.all(runs.map((t) => t.optimizerAs(Kfac)!.currentDamping()));
    // λ moves by whole powers of ω₁ (float32 must not round it), and it did move.
    const power = Math.log(lc! / 0.01) / Math.log(LM_OMEGA);
    expect(Math.abs(power - Math.round(power)), `λ = γ·ω₁^${power}`).toBeLessThan(1e-4);
    expect(Math.round(power), 'the rule moved λ').not.toBe(0);
    expect(Math.abs(lg! - lc!) / lc!, `λ: WebGPU ${lg}, CPU ${lc}`).toBeLessThan(1e-3);
    expectClose(await runs[1].readParams(), await runs[0].readParams(), { atol: 5e-4, rtol: 5e-3 }, 'θ after 12 steps');
    for (const t of runs) t.dispose();
    expect(pair.gpu.liveStorages()).toBe(before);
    cpu.dispose();
  });

  it('natural gradient: θ after 4 steps (CG on the batch Fisher, momentum) matches the CPU', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const before = pair.gpu.liveStorages();
    const cfg = {
      arch: '2-5t-2',
      likelihood: 'categorical',
      optimizer: { ...defaultNatural(), momentum: 0.5, damping: 0.05 },
      batch: 8,
      seed: 3,
    } as const;
    const runs = [Trainer.create(cpu, spiral, cfg), Trainer.create(pair.gpu, spiral, cfg)] as const;
    for (const t of runs) t.step(4);
    expectClose(await runs[1].readParams(), await runs[0].readParams(), { atol: 2e-4, rtol: 2e-3 }, 'θ after 4 steps');
    for (const t of runs) t.dispose();
    expect(pair.gpu.liveStorages()).toBe(before);
    cpu.dispose();
  });
});
