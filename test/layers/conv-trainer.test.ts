/**
 * Conv nets through the Trainer on the CPU: the gradient of a step against central differences of the batch
 * loss in float64, the R-op against the directional derivative of the outputs, the memory estimate with the
 * patch buffers (and the eval chunk shrinking under a per-buffer limit, FishLeg's buffers too), and which
 * curvature methods take a conv net (FishLeg, K-FAC and the natural gradient).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { makeSplit, oneHot, type Dataset } from '../../src/engine/data/dataset.ts';
import { batchIndices } from '../../src/engine/data/sampler.ts';
import { checkMemory, estimateMemory, MemoryBudgetError, workspaceRows } from '../../src/engine/memory.ts';
import { paramLayout } from '../../src/engine/model/mlp.ts';
import { forwardOps, gatherOps, lossOps, ropOps } from '../../src/engine/model/passes.ts';
import { defaultFishLeg, defaultOptimizer, type OptimizerConfig } from '../../src/engine/optim/config.ts';
import { Rng } from '../../src/engine/rng.ts';
import { slice, type DType, type Tensor } from '../../src/engine/tensor.ts';
import { TrainConfigError, Trainer } from '../../src/engine/trainer.ts';

function images(h: number, w: number, c: number, classes: number, n: number, seed: number): Dataset {
  const rng = new Rng(seed, 7);
  const d = h * w * c;
  const split = (rows: number) => {
    const x = Float32Array.from({ length: rows * d }, () => rng.normal());
    const y = oneHot(
      Array.from({ length: rows }, (_, i) => (i * 5 + 1) % classes),
      classes,
    );
    return makeSplit(x, y, rows, d, classes);
  };
  return {
    name: 'images',
    inputDim: d,
    outputDim: classes,
    kind: 'classification',
    numClasses: classes,
    train: split(n),
    test: split(3),
  };
}

const sgd: OptimizerConfig = { ...defaultOptimizer('sgd'), lr: 1, momentum: 0, weightDecay: 0 } as OptimizerConfig;

const read = async (be: Backend, t: Tensor): Promise<number[]> => Array.from(await be.read(t));

const NETS: [string, number, number, number, number][] = [
  ['6x6x2-c3k3p1t-mp2-f-4r-3', 6, 6, 2, 3],
  ['7x7x1-c2k3s2r-ap2s1-f-2', 7, 7, 1, 2],
  ['5x4x3-c4k2s-c2k3p1-mp2s1-f-3', 5, 4, 3, 3],
];

describe.each(NETS)('conv net %s on the CPU in float64', (arch, h, w, c, classes) => {
  const batch = 4;
  const make = () => {
    const be = new CpuBackend({ precision: 'f64' });
    const data = images(h, w, c, classes, 9, 3);
    const t = Trainer.create(be, data, { arch, likelihood: 'categorical', optimizer: sgd, batch, seed: 2 });
    const loss = be.alloc(1, 'loss');
    const ws = t.ws;
    const idx = batchIndices(2, 0, batch, data.train.n);
    const fwd = be.record('fd', [
      ...gatherOps(ws, t.trainSplit, batch),
      ...forwardOps(ws, t.params, batch),
      ...lossOps(ws, 'categorical', 1, batch, loss, 1 / batch, false),
    ]);
    const lossAt = async (theta: number[]): Promise<number> => {
      be.write(t.params, theta);
      be.write(ws.idx, idx);
      be.run(fwd);
      return (await read(be, loss))[0]!;
    };
    return { be, t, ws, lossAt, fwd };
  };

  it("the Trainer's step takes the gradient of the batch loss (central differences)", async () => {
    const { be, t, lossAt } = make();
    const theta0 = await read(be, t.params);
    t.step();
    await t.settle();
    const g = (await read(be, t.params)).map((v, i) => theta0[i]! - v);
    const h = 1e-6;
    for (let i = 0; i < theta0.length; i++) {
      const plus = await lossAt(theta0.map((v, j) => (j === i ? v + h : v)));
      const minus = await lossAt(theta0.map((v, j) => (j === i ? v - h : v)));
      expect(g[i]!, `parameter ${i}`).toBeCloseTo((plus - minus) / (2 * h), 6);
    }
    expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    t.dispose();
    be.dispose();
  });

  it('the R-op J·v matches the directional derivative of the outputs', async () => {
    const { be, t, ws, lossAt } = make();
    const theta = await read(be, t.params);
    const rng = new Rng(11, 3);
    const vHost = theta.map(() => rng.normal());
    const v = be.alloc(theta.length, 'v');
    be.write(v, vHost);
    await lossAt(theta);
    be.run(be.record('rop', ropOps(ws, t.params, v, batch)));
    const out = ws.outDim;
    const jv = await read(be, slice(ws.dmu, 0, batch * out));
    const mu = async (s: number) => {
      await lossAt(theta.map((x, i) => x + s * vHost[i]!));
      return read(be, slice(ws.mu, 0, batch * out));
    };
    const hh = 1e-6;
    const [plus, minus] = [await mu(hh), await mu(-hh)];
    for (let i = 0; i < batch * out; i++) expect(jv[i]!).toBeCloseTo((plus[i]! - minus[i]!) / (2 * hh), 6);
    expect(jv.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    t.dispose();
    be.dispose();
  });
});

describe('a conv net and its data', () => {
  it("refuses an image shape other than the data's, even with as many values", () => {
    const be = new CpuBackend();
    const make = () =>
      Trainer.create(be, barsDataset({ n: 40 }), {
        arch: '4x16x1-c2k3r-f-2',
        likelihood: 'categorical',
        optimizer: defaultOptimizer('adam'),
        batch: 8,
        seed: 1,
      });
    expect(make).toThrow(TrainConfigError);
    expect(make).toThrow("architecture '4x16x1-c2k3r-f-2' reads 4×16×1 images, but bars's images are 8×8×1");
    be.dispose();
  });
});

describe('a conv net and the curvature methods', () => {
  const make = (kind: 'fishleg' | 'kfac' | 'natural', be: Backend) =>
    Trainer.create(be, barsDataset({ n: 40 }), {
      arch: '8x8x1-c2k3r-mp2-f-2',
      likelihood: 'categorical',
      optimizer: defaultOptimizer(kind),
      batch: 8,
      seed: 1,
    });

  it.each(['fishleg', 'kfac', 'natural'] as const)('%s takes it and steps to finite parameters', async (kind) => {
    const be = new CpuBackend();
    const t = make(kind, be);
    const before = await t.readParams();
    t.step(3);
    await t.settle();
    const after = await t.readParams();
    expect(after.every(Number.isFinite)).toBe(true);
    expect(after.some((x, i) => x !== before[i])).toBe(true);
    t.dispose();
    be.dispose();
  });
});

/** A CPU backend that keeps the high-water mark of the bytes it has allocated. */
class CountingBackend extends CpuBackend {
  live = 0;
  high = 0;
  override alloc(size: number, label: string, dtype: DType = 'f32'): Tensor {
    this.live += size * 4;
    this.high = Math.max(this.high, this.live);
    return super.alloc(size, label, dtype);
  }
  override free(t: Tensor): void {
    this.live -= t.storage.size * 4;
    super.free(t);
  }
}

describe('the memory of a conv net', () => {
  const arch = '28x28x1-c16k5p2r-mp2-f-10';
  const data = { trainRows: 60000, testRows: 10000, inputDim: 784, outputDim: 10 };

  it.each<[string, OptimizerConfig]>([
    ['adam', defaultOptimizer('adam')],
    ['fishleg block-kron', defaultFishLeg('block-kron')],
    ['fishleg kron-diag sampled, aux batch 200', { ...defaultFishLeg('kron-diag'), fisher: 'sampled', auxBatch: 200 }],
    ['kfac', defaultOptimizer('kfac')],
    ['natural', defaultOptimizer('natural')],
  ])('counts the patch buffers as the trainer allocates them (%s)', (_, optimizer) => {
    const d = barsDataset({ n: 300 });
    const be = new CountingBackend();
    const t = Trainer.create(be, d, {
      arch: '8x8x1-c4k3p1r-mp2-f-2',
      likelihood: 'categorical',
      optimizer,
      batch: 16,
      seed: 1,
    });
    t.dispose();
    const est = estimateMemory({
      arch: parseArch('8x8x1-c4k3p1r-mp2-f-2'),
      batch: 16,
      data: { trainRows: d.train.n, testRows: d.test.n, inputDim: 64, outputDim: 2 },
      optimizers: [optimizer],
    });
    expect(est.total + 256).toBeGreaterThanOrEqual(be.high);
    expect(est.total).toBeLessThanOrEqual(1.1 * be.high);
    be.dispose();
  });

  it('shrinks the evaluation chunk to keep the patches under a per-buffer limit', () => {
    const layout = paramLayout(parseArch(arch));
    // One example's patches: 784 positions × (25 + 1) floats.
    const perRow = 784 * 26 * 4;
    expect(workspaceRows(layout, 64, 60000)).toBe(500);
    expect(workspaceRows(layout, 64, 60000, 500, 200 * perRow)).toBe(200);
    expect(workspaceRows(layout, 64, 60000, 500, 10 * perRow)).toBe(64);
    const small = { ...data, trainRows: 1000, testRows: 1000 };
    const opts = { arch: parseArch(arch), batch: 64, data: small, optimizers: [defaultOptimizer('adam')] };
    expect(estimateMemory(opts).largest).toEqual({ name: 'workspace cols0 (conv2d scratch)', bytes: 500 * perRow });
    expect(estimateMemory({ ...opts, maxBuffer: 200 * perRow }).largest).toEqual({
      name: 'workspace cols0 (conv2d scratch)',
      bytes: 200 * perRow,
    });
  });

  it('refuses clearly when one batch of patches passes the limit', () => {
    const perRow = 784 * 26 * 4;
    const est = estimateMemory({
      arch: parseArch(arch),
      batch: 64,
      data: { ...data, trainRows: 100, testRows: 10 },
      optimizers: [defaultOptimizer('adam')],
      maxBuffer: 10 * perRow,
    });
    expect(() =>
      checkMemory(est, {
        budget: 1e12,
        hint: 'h',
        maxBuffer: { bytes: 10 * perRow, name: "this GPU's maxStorageBufferBindingSize" },
      }),
    ).toThrow(MemoryBudgetError);
    expect(() =>
      checkMemory(est, {
        budget: 1e12,
        hint: 'h',
        maxBuffer: { bytes: 10 * perRow, name: "this GPU's maxStorageBufferBindingSize" },
      }),
    ).toThrow(
      /largest buffer, workspace (cols|work)0 \(conv2d scratch\), needs ≈ 5\.2 MB; the limit is 815 kB per buffer \(this GPU's maxStorageBufferBindingSize\)/,
    );
  });
});
