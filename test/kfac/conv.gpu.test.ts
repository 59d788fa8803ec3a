/**
 * K-FAC's KFC factors and the exact natural gradient on conv nets, WebGPU against the CPU (float32 both; the
 * CPU side is checked against float64 host references in conv.test.ts): factors over patches and positions,
 * the Newton–Schulz inverses and θ after a few steps with an inverse refresh. Small nets (SwiftShader on CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { Kfac } from '../../src/engine/kfac/kfac.ts';
import { defaultKfac, defaultNatural } from '../../src/engine/kfac/spec.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { expectClose, Pair } from '../gpu/harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const bars = barsDataset({ n: 120, seed: 3 });

describe('K-FAC and the natural gradient on conv nets on WebGPU', () => {
  it.each(['8x8x1-c2k3p1t-mp2-f-2', '8x8x1-c3k3s2t-ap2s1-f-2'])(
    'K-FAC on %s: factors, inverses and θ after 5 steps (inverses at 0 and 3) match the CPU',
    async (arch) => {
      const cpu = new CpuBackend({ precision: 'f32' });
      const before = pair.gpu.liveStorages();
      const cfg = {
        arch,
        likelihood: 'categorical',
        optimizer: { ...defaultKfac(), lr: 0.1, invEvery: 3, weightDecay: 1e-3, damping: 0.01 },
        batch: 8,
        seed: 3,
      } as const;
      const runs = [Trainer.create(cpu, bars, cfg), Trainer.create(pair.gpu, bars, cfg)] as const;
      for (const t of runs) t.step(5);
      const withParams = runs[0].layout.layers.flatMap((l, i) => (l.size > 0 ? [i] : []));
      expect(withParams).toEqual([0, 2]);
      for (const l of withParams) {
        const [fc, fg] = [
          await runs[0].optimizerAs(Kfac)!.layerFactors(l),
          await runs[1].optimizerAs(Kfac)!.layerFactors(l),
        ];
        expectClose(fg.a, fc.a, { atol: 1e-4, rtol: 1e-3 }, `A_${l}`);
        expectClose(fg.g, fc.g, { atol: 1e-5, rtol: 1e-3 }, `G_${l}`);
        const [ic, ig] = [
          await runs[0].optimizerAs(Kfac)!.layerInverse(l),
          await runs[1].optimizerAs(Kfac)!.layerInverse(l),
        ];
        expectClose(ig.aInv, ic.aInv, { atol: 1e-3, rtol: 2e-3 }, `A_${l}⁻¹`);
        expectClose(ig.gInv, ic.gInv, { atol: 1e-3, rtol: 2e-3 }, `G_${l}⁻¹`);
      }
      expectClose(
        await runs[1].readParams(),
        await runs[0].readParams(),
        { atol: 2e-4, rtol: 2e-3 },
        'θ after 5 steps',
      );
      for (const t of runs) t.dispose();
      expect(pair.gpu.liveStorages()).toBe(before);
      cpu.dispose();
    },
  );

  it('natural gradient on 8x8x1-c2k3s2t-ap2-f-2: θ after 3 steps matches the CPU', async () => {
    const cpu = new CpuBackend({ precision: 'f32' });
    const before = pair.gpu.liveStorages();
    const cfg = {
      arch: '8x8x1-c2k3s2t-ap2-f-2',
      likelihood: 'categorical',
      optimizer: { ...defaultNatural(), momentum: 0.5, damping: 0.05 },
      batch: 6,
      seed: 3,
    } as const;
    const runs = [Trainer.create(cpu, bars, cfg), Trainer.create(pair.gpu, bars, cfg)] as const;
    const start = await runs[0].readParams();
    for (const t of runs) t.step(3);
    const end = await runs[0].readParams();
    expect(end.some((v, i) => Math.abs(v - start[i]!) > 1e-3)).toBe(true);
    expectClose(await runs[1].readParams(), end, { atol: 2e-4, rtol: 2e-3 }, 'θ after 3 steps');
    for (const t of runs) t.dispose();
    expect(pair.gpu.liveStorages()).toBe(before);
    cpu.dispose();
  });
});
