/**
 * The memory estimate against what the engine really allocates (a CPU backend that counts), the budget and
 * per-buffer checks with their messages, and the size parser and formatter.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from './cpu/backend.ts';
import { parseArch } from './data/arch.ts';
import { toyDataset } from './data/toy.ts';
import type { Backend } from './backend.ts';
import {
  bufferLimit,
  checkMemory,
  CPU_MAX_BUFFER_BYTES,
  estimateMemory,
  formatBytes,
  MemoryBudgetError,
  parseByteSize,
  type TrainingSetup,
} from './memory.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from './optim/config.ts';
import type { DType, Tensor } from './tensor.ts';
import { Trainer } from './trainer.ts';

/** A CPU backend that keeps the high-water mark of the bytes it has allocated, and its largest buffer. */
class CountingBackend extends CpuBackend {
  live = 0;
  high = 0;
  largest = 0;
  override alloc(size: number, label: string, dtype: DType = 'f32'): Tensor {
    this.live += size * 4;
    this.high = Math.max(this.high, this.live);
    this.largest = Math.max(this.largest, size * 4);
    return super.alloc(size, label, dtype);
  }
  override free(t: Tensor): void {
    this.live -= t.storage.size * 4;
    super.free(t);
  }
}

const OPTIMIZERS: [string, OptimizerConfig][] = [
  ['sgd', defaultOptimizer('sgd')],
  ['adam', defaultOptimizer('adam')],
  ['fishleg block-kron', defaultFishLeg('block-kron')],
  ['fishleg kron-diag', defaultFishLeg('kron-diag')],
  ['fishleg sum-kron sampled, aux batch 300', { ...defaultFishLeg('sum-kron'), fisher: 'sampled', auxBatch: 300 }],
  ['fishleg kron-diag with Q frozen', { ...defaultFishLeg('kron-diag'), auxLr: 0 }],
  ['kfac', defaultOptimizer('kfac')],
  ['natural', defaultOptimizer('natural')],
];

describe('estimateMemory', () => {
  it.each(OPTIMIZERS)('bounds what a %s run allocates, within 10 %', (_, optimizer) => {
    const data = toyDataset('spiral', { n: 700, seed: 1 });
    for (const [arch, batch] of [
      ['2-16t-16t-2', 32],
      ['2-40r-3t-2', 600],
    ] as const) {
      const backend = new CountingBackend();
      const trainer = Trainer.create(backend, data, { arch, likelihood: 'categorical', optimizer, batch, seed: 1 });
      trainer.dispose();
      const est = estimateMemory({
        arch: parseArch(arch),
        batch,
        data: { trainRows: data.train.n, testRows: data.test.n, inputDim: 2, outputDim: 2 },
        optimizers: [optimizer],
      });
      // Hyper tensors and scalars (a few floats each) are left out of the estimate.
      expect(est.total + 256, arch).toBeGreaterThanOrEqual(backend.high);
      expect(est.total, arch).toBeLessThanOrEqual(1.1 * backend.high);
      expect(est.largest.bytes, arch).toBeGreaterThanOrEqual(backend.largest);
    }
  });

  it('counts the data once and every run of a race, by kind, largest first', () => {
    const setup: TrainingSetup = {
      arch: parseArch('784-100r-10'),
      batch: 100,
      data: { trainRows: 60000, testRows: 10000, inputDim: 784, outputDim: 10 },
      optimizers: [defaultOptimizer('adam'), defaultOptimizer('sgd')],
    };
    const e = estimateMemory(setup);
    const part = (name: string) => e.parts.find((p) => p.name === name)?.bytes;
    expect(part('data')).toBe(70000 * 794 * 4);
    expect(part('parameters')).toBe(2 * 79510 * 4);
    expect(part('Adam state')).toBe(2 * 79510 * 4);
    expect(part('SGD momentum')).toBe(79510 * 4);
    expect(e.parts[0]!.name).toBe('data');
    expect(e.largest).toEqual({ name: 'train inputs', bytes: 60000 * 784 * 4 });
    // An autoencoder's targets are its inputs.
    const ae = estimateMemory({ ...setup, data: { ...setup.data, outputDim: 784, targetsAreInputs: true } });
    expect(ae.parts.find((p) => p.name === 'data')?.bytes).toBe(70000 * 784 * 4);
  });
});

describe('checkMemory', () => {
  const setup = (batch: number, optimizer: OptimizerConfig = defaultOptimizer('adam')): TrainingSetup => ({
    arch: parseArch('2-16t-16t-2'),
    batch,
    data: { trainRows: 800, testRows: 200, inputDim: 2, outputDim: 2 },
    optimizers: [optimizer],
  });
  const limits = { budget: 1e9, hint: 'raise it with --memory-budget' };

  it('lets ordinary setups through', () => {
    expect(() => checkMemory(estimateMemory(setup(100)), limits)).not.toThrow();
  });

  it('names the estimate, its biggest parts and the budget', () => {
    expect(() => checkMemory(estimateMemory(setup(1e9)), limits)).toThrow(MemoryBudgetError);
    expect(() => checkMemory(estimateMemory(setup(1e9)), limits)).toThrow(
      /^this setup needs ≈ 580 GB \(workspace 580 GB, data 16 kB, .*\); the memory budget is 1 GB \(raise it with --memory-budget\)$/,
    );
    const fl = estimateMemory(setup(32, { ...defaultFishLeg('block-kron'), auxBatch: 1e9 }));
    expect(() => checkMemory(fl, limits)).toThrow(/FishLeg auxiliary workspace 580 GB/);
  });

  it('refuses a buffer over the per-buffer limit even within the budget', () => {
    const e = estimateMemory(setup(2e6));
    const maxBuffer = { bytes: 128 * 2 ** 20, name: "this GPU's maxStorageBufferBindingSize" };
    expect(() => checkMemory(e, { budget: 1e12, hint: '', maxBuffer })).toThrow(
      "this setup's largest buffer, workspace a1, needs ≈ 136 MB; the limit is 134 MB per buffer (this GPU's maxStorageBufferBindingSize)",
    );
  });

  it('reads the limit of a WebGPU device, and the typed-array cap on the CPU', () => {
    const gpu = {
      name: 'webgpu',
      device: { limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27 } },
    } as unknown as Backend;
    expect(bufferLimit(gpu)).toEqual({ bytes: 2 ** 27, name: "this GPU's maxStorageBufferBindingSize" });
    expect(bufferLimit(new CpuBackend())).toEqual({
      bytes: CPU_MAX_BUFFER_BYTES,
      name: 'the largest JavaScript typed array',
    });
  });
});

describe('sizes', () => {
  it.each([
    ['4GB', 4e9],
    ['512MB', 512e6],
    ['512 mb', 512e6],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['2e9', 2e9],
    ['1000000', 1e6],
    ['64k', 64000],
  ])('parses %s', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it.each(['', 'GB', '-1GB', '0', '1XB', '1e400', 'Infinity', '0x10'])('rejects %j', (text) =>
    expect(parseByteSize(text)).toBeNull(),
  );

  it('formats bytes with decimal units', () => {
    expect([512, 1500, 3.24e9, 16e6, 160e9, Number.POSITIVE_INFINITY].map(formatBytes)).toEqual([
      '512 B',
      '1.5 kB',
      '3.2 GB',
      '16 MB',
      '160 GB',
      'more than anyone has',
    ]);
  });
});
