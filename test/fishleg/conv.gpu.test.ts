/**
 * FishLeg on conv nets on WebGPU against the CPU reference (float32 both): whole runs with auxiliary updates
 * through conv and pooling layers (the Fisher products read each conv layer's batch·positions Kronecker rows),
 * every structure and both Fisher estimators, give the same parameters to float32 tolerance. Runs in Chromium
 * (SwiftShader on CI): shapes stay small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { defaultFishLeg, FISHLEG_APPROXES } from '../../src/engine/optim/config.ts';
import { Trainer, type TrainConfig } from '../../src/engine/trainer.ts';
import { expectClose, Pair } from '../gpu/harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const data = barsDataset({ n: 200, seed: 4 });

const CASES = [
  ...FISHLEG_APPROXES.flatMap((approx) =>
    (['ggn', 'sampled'] as const).map((fisher) => ({ arch: '8x8x1-c2k3p1r-mp2-f-2', approx, fisher })),
  ),
  { arch: '8x8x1-c3k3s2p1t-ap2s1-f-2', approx: 'kron-diag', fisher: 'sampled' },
] as const;

describe.each(CASES)('FishLeg $approx ($fisher) on conv net $arch, WebGPU vs CPU', ({ arch, approx, fisher }) => {
  it('12 steps with auxiliary updates give the same parameters', async () => {
    const cfg: TrainConfig = {
      arch,
      likelihood: 'categorical',
      optimizer: { ...defaultFishLeg(approx), lr: 0.02, auxEvery: 3, auxLr: 0.003, fisher },
      batch: 8,
      seed: 5,
    };
    const cpu = new CpuBackend({ precision: 'f32' });
    const runs = [Trainer.create(cpu, data, cfg), Trainer.create(pair.gpu, data, cfg)] as const;
    const start = await runs[0].readParams();
    for (const t of runs) t.step(12);
    const [pc, pg] = [await runs[0].readParams(), await runs[1].readParams()];
    // The runs moved: the comparison is of training, not of two idle nets.
    expect(pc.some((x, i) => Math.abs(x - start[i]!) > 1e-3)).toBe(true);
    expectClose(pg, pc, { atol: 2e-4, rtol: 2e-3 }, 'θ after 12 steps');
    const [ac, ag] = [await runs[0].readAuxLoss(), await runs[1].readAuxLoss()];
    expect(ag!).toBeCloseTo(ac!, 3);
    for (const t of runs) t.dispose();
    cpu.dispose();
  });
});
