/**
 * Exact resume on WebGPU (what recovery from a device loss does): a run checkpointed to the host and
 * restored into a new trainer continues bit for bit as the uninterrupted run — for Adam, SGD with
 * momentum and FishLeg with aux updates; and (what a reload does) FishLeg through the page's IndexedDB store.
 * Tiny models: SwiftShader is slow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { requestWebGpuBackend } from '../../src/engine/gpu/backend.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { indexedDbStore, loadState, saveState, setupKey } from '../../src/ui/saved-state.ts';
import { DEFAULT_CONFIG } from '../../src/ui/config.ts';

// One device for both runs: a second device would compile every pipeline again (most of a minute of
// SwiftShader on a loaded machine), and what crosses a device loss is the host copy of the state either way.
let gpu: Backend;
beforeAll(async () => {
  gpu = await requestWebGpuBackend(navigator.gpu);
});
afterAll(() => gpu.dispose());

const spiral = toyDataset('spiral', { n: 200, noise: 0.05, seed: 7 });

const create = (backend: Backend, optimizer: OptimizerConfig): Trainer =>
  Trainer.create(backend, spiral, { arch: '2-8t-2', likelihood: 'categorical', optimizer, batch: 16, seed: 3 });

const CASES: { name: string; optimizer: OptimizerConfig; switchTo?: 'sum-kron' }[] = [
  { name: 'Adam', optimizer: { ...defaultOptimizer('adam'), lr: 0.02 } },
  { name: 'SGD with momentum', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 } },
  // One approximation: switches are resumed exactly on the CPU (test/engine/resume.test.ts) and switch the same
  // way on WebGPU (test/fishleg/fishleg.gpu.test.ts); a second structure here would only add compile time.
  { name: 'FishLeg block-kron', optimizer: { ...defaultFishLeg('block-kron'), lr: 0.02, auxEvery: 3, auxLr: 0.01 } },
];

describe('checkpoint a WebGPU run to the host, restore it into a new one', () => {
  it.each(CASES)('$name continues bit for bit', async ({ optimizer, switchTo }) => {
    const a = create(gpu, optimizer);
    a.step(10);
    if (switchTo) await a.switchApprox(switchTo);
    a.step(27);
    const cp = await a.checkpoint();
    const b = create(gpu, optimizer);
    b.restore(cp);
    a.step(23);
    b.step(23);
    expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
    expect((await b.evaluate()).trainLoss).toBe((await a.evaluate()).trainLoss);
    expect(await b.readAuxLoss()).toBe(await a.readAuxLoss());
    a.dispose();
    b.dispose();
  });
});

describe('keep a WebGPU run in IndexedDB, restore it after a "reload"', () => {
  it('FishLeg continues bit for bit from the state read back from the browser’s storage', async () => {
    const optimizer = CASES[2]!.optimizer;
    const a = create(gpu, optimizer);
    a.step(17);
    const cp = await a.checkpoint();
    const spec = { id: 'r1', name: 'FishLeg', colour: '#009e73', optimizer };
    const state = {
      step: cp.step,
      runs: [{ spec, diverged: null, initialLoss: null, checkpoint: { spec, state: cp, seconds: 0 } }],
      changes: [],
    };
    const store = indexedDbStore()!;
    const setup = setupKey(DEFAULT_CONFIG);
    expect(
      await saveState(
        store,
        { setup, backend: gpu.name, state, curves: [{ points: [], stride: 1, diverged: null, switches: [] }] },
        Infinity,
      ),
    ).toMatchObject({
      kind: 'saved',
    });
    const loaded = await loadState(store, setup);
    await store.clear();
    if (loaded.kind !== 'ok') throw new Error(`not restored: ${JSON.stringify(loaded)}`);
    const b = create(gpu, optimizer);
    b.restore(loaded.record.state.runs[0]!.checkpoint.state!);
    a.step(23);
    b.step(23);
    expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
    expect((await b.evaluate()).trainLoss).toBe((await a.evaluate()).trainLoss);
    expect(await b.readAuxLoss()).toBe(await a.readAuxLoss());
    expect(await loadState(store, setup)).toEqual({ kind: 'none' });
    a.dispose();
    b.dispose();
  });
});
