/**
 * A race on several seeds on WebGPU: every run's replica on seed s retraces, bit for bit on the same device,
 * a one-seed race with seed s (the CPU half is src/worker/seeds.test.ts), and the WebGPU curves follow the
 * CPU backend's to float32 tolerance, so a band drawn on the GPU is the band the CPU fallback draws.
 * Tiny models and few steps: SwiftShader is slow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { requestWebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { runHeadless, type HeadlessCurve } from '../../src/worker/headless-race.ts';
import { loadDataSpec } from '../../src/worker/load-data.ts';
import type { RaceSpec, RunSpec } from '../../src/worker/protocol.ts';
import { loadSeedData } from '../../src/worker/seeds.ts';

let gpu: Backend;
beforeAll(async () => {
  gpu = await requestWebGpuBackend(navigator.gpu);
});
afterAll(() => gpu.dispose());

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });
const RUNS = [
  run('adam', { ...defaultOptimizer('adam'), lr: 0.02 }),
  run('fl', { ...defaultFishLeg('block-kron'), lr: 0.02, auxEvery: 3, auxLr: 0.01 }),
];

const spec = (seed: number, seeds?: number): RaceSpec => ({
  data: { task: 'spiral', n: 120, noise: 0.05, seed, ...(seeds !== undefined ? { seeds } : {}) },
  model: { hidden: '6t', likelihood: 'auto', batch: 16, evalEvery: 6 },
  runs: RUNS,
  inspect: { runId: null, layer: 0 },
});

const noMnist = () => Promise.reject(new Error('no MNIST here'));

async function race(backend: Backend, s: RaceSpec): Promise<HeadlessCurve[]> {
  const data = await loadSeedData(s.data, (d) => loadDataSpec(d, noMnist));
  return runHeadless(backend, data, s, { steps: 12 });
}

const losses = (c: HeadlessCurve) => c.curve.map((p) => [p.step, p.trainLoss, p.testLoss]);

describe('seeds of a race on WebGPU', () => {
  it('each replica equals the one-seed race on its seed, and the CPU curves to float32 tolerance', async () => {
    const many = await race(gpu, spec(5, 2));
    expect(many.map((c) => `${c.runId}@${c.seed}`)).toEqual(['adam@5', 'adam@6', 'fl@5', 'fl@6']);
    const cpu = new CpuBackend({ precision: 'f32' });
    try {
      const onCpu = await race(cpu, spec(5, 2));
      for (const seed of [5, 6]) {
        const one = await race(gpu, spec(seed));
        for (const c of one) {
          const replica = many.find((m) => m.runId === c.runId && m.seed === seed)!;
          expect(losses(replica), `${c.runId} on seed ${seed}`).toEqual(losses(c));
          const ref = onCpu.find((m) => m.runId === c.runId && m.seed === seed)!;
          replica.curve.forEach((p, i) => {
            const q = ref.curve[i]!;
            expect(Math.abs(p.trainLoss - q.trainLoss), `${c.runId}@${seed} step ${p.step}`).toBeLessThan(
              1e-3 * Math.max(1, Math.abs(q.trainLoss)),
            );
          });
        }
      }
      // The seeds differ: a band of identical curves would prove nothing.
      const fl = many.filter((c) => c.runId === 'fl').map((c) => c.curve.at(-1)!.trainLoss);
      expect(fl[0]).not.toBe(fl[1]);
    } finally {
      cpu.dispose();
    }
  });
});
