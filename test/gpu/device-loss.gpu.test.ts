/**
 * A real WebGPU device loss: a run checkpointed to the host keeps stepping, its device is destroyed (the
 * trainer's reads then fail and the backend reports the loss), and the checkpoint restored into a trainer
 * on a NEW device continues to exactly the parameters and optimizer state of a run that lost nothing. The
 * same run restored with its parameters only ends elsewhere, so the comparison sees the optimizer state.
 * Tiny model, few steps: SwiftShader compiles every pipeline again on the new device.
 */
import { describe, expect, it } from 'vitest';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { requestWebGpuBackend, type WebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';

const spiral = toyDataset('spiral', { n: 200, noise: 0.05, seed: 7 });
const BEFORE = 17;
/** Steps the lost device took after the checkpoint: thrown away with it. */
const LOST = 6;
const AFTER = 9;

const create = (backend: WebGpuBackend, optimizer: OptimizerConfig): Trainer =>
  Trainer.create(backend, spiral, { arch: '2-8t-2', likelihood: 'categorical', optimizer, batch: 16, seed: 3 });

const CASES: { name: string; optimizer: OptimizerConfig }[] = [
  { name: 'Adam', optimizer: { ...defaultOptimizer('adam'), lr: 0.02 } },
  { name: 'FishLeg block-kron', optimizer: { ...defaultFishLeg('block-kron'), lr: 0.02, auxEvery: 3, auxLr: 0.01 } },
];

describe('a destroyed WebGPU device, restored on a new one', () => {
  it.each(CASES)(
    '$name continues as the run that lost nothing',
    async ({ optimizer }) => {
      const first = await requestWebGpuBackend(navigator.gpu);
      const reference = create(first, optimizer);
      reference.step(BEFORE + AFTER);
      const want = await reference.checkpoint();
      reference.dispose();

      const lost = create(first, optimizer);
      lost.step(BEFORE);
      const cp = structuredClone(await lost.checkpoint());
      lost.step(LOST);
      first.device.destroy();
      const info = await first.lost;
      expect(info.reason).toBe('destroyed');
      await expect(lost.readParams()).rejects.toThrow();

      const second = await requestWebGpuBackend(navigator.gpu);
      expect(second.device).not.toBe(first.device);
      const restored = create(second, optimizer);
      restored.restore(cp);
      restored.step(AFTER);
      const got = await restored.checkpoint();
      expect(got.step).toBe(BEFORE + AFTER);
      expect(Array.from(got.params)).toEqual(Array.from(want.params));
      expect(got.optimizer).toEqual(want.optimizer);

      const paramsOnly = create(second, optimizer);
      paramsOnly.loadParams(Float32Array.from(cp.params), cp.step);
      paramsOnly.step(AFTER);
      expect(Array.from(await paramsOnly.readParams())).not.toEqual(Array.from(want.params));
      restored.dispose();
      paramsOnly.dispose();
      expect(second.liveStorages()).toBe(0);
      first.dispose();
      second.dispose();
      // A hang guard: every pipeline compiles twice (one device each), ~50 s for FishLeg on a loaded 2-core machine.
    },
    240_000,
  );
});
