/**
 * K-FAC's KFC factors and the exact natural gradient on conv nets, against the float64 host references of
 * test/kfac/conv-reference.ts (docs/kfac.md §6): factors, damped inverses and θ over seven steps with the
 * inverses every three, on nets with padding, stride 2, max and average pooling and two conv layers; the
 * natural gradient against a dense solve; K-FAC training the bars task; determinism by seed; and the memory
 * estimate of a K-FAC conv run.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.ts';
import { runTraining } from '../../src/cli/train.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import { batchIndices } from '../../src/engine/data/sampler.ts';
import { addDiagonal, matmul, spdInverse } from '../../src/engine/fishleg/linalg.ts';
import { isInverseStep, Kfac } from '../../src/engine/kfac/kfac.ts';
import { defaultKfac, type KfacConfig, type NaturalConfig } from '../../src/engine/kfac/spec.ts';
import { estimateMemory } from '../../src/engine/memory.ts';
import { defaultOptimizer } from '../../src/engine/optim/config.ts';
import type { DType, Tensor } from '../../src/engine/tensor.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { maxRelDiff } from '../fishleg/helpers.ts';
import { convFisher, images, convGradient, kfcFactors } from './conv-reference.ts';
import { dampedInverses, precondition, type HostNet } from './reference.ts';

const rows = (a: ArrayLike<number>, idx: ArrayLike<number>, w: number): Float64Array[] =>
  Array.from(idx, (i) => Float64Array.from({ length: w }, (_, j) => a[i * w + j]!));

const NETS: [string, number, number, number][] = [
  ['6x6x2-c3k3p1r-mp2-f-3', 6, 6, 2],
  ['7x7x2-c3k3s2t-ap2s1-f-3', 7, 7, 2],
  ['6x6x1-c2k3p1t-c3k3s2r-ap2s1-f-3', 6, 6, 1],
];

const CONFIG: KfacConfig = {
  ...defaultKfac(),
  lr: 0.2,
  momentum: 0.5,
  weightDecay: 1e-3,
  damping: 0.02,
  factorDecay: 0.8,
  klClip: 0.05,
  invEvery: 3,
};

describe.each(NETS)('K-FAC (KFC) on %s against a float64 host reference', (arch, h, w, c) => {
  it('factors, π-split damped inverses and θ over seven steps, inverses at steps 0, 3 and 6 (categorical, f64 CPU)', async () => {
    const data = images(h, w, c, 3, 40, 4);
    const B = 5;
    const seed = 11;
    const config = CONFIG;
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, data, { arch, likelihood: 'categorical', batch: B, seed, optimizer: config });
    const layers = t.layout.layers;
    const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
    const withParams = layers.flatMap((l, i) => (l.size > 0 ? [i] : []));
    expect(withParams.length).toBeLessThan(layers.length);
    let theta = Float64Array.from(await t.readParams());
    const mom = new Float64Array(theta.length);
    const eps = config.factorDecay;
    let factors: ({ A: Float64Array; G: Float64Array } | null)[] = [];
    let inv: ({ aInv: Float64Array; gInv: Float64Array } | null)[] = [];
    const clipped: number[] = [];
    for (let step = 0; step < 7; step++) {
      const idx = batchIndices(seed, step, B, data.train.n);
      const xs = rows(data.train.x, idx, data.inputDim);
      const ys = rows(data.train.y, idx, 3);
      const g = convGradient(net, theta, xs, ys);
      const fresh = kfcFactors(net, theta, xs, seed, step * B * 3);
      factors =
        step === 0
          ? fresh
          : factors.map((f, l) =>
              f === null
                ? null
                : {
                    A: f.A.map((v, i) => eps * v + (1 - eps) * fresh[l]!.A[i]!),
                    G: f.G.map((v, i) => eps * v + (1 - eps) * fresh[l]!.G[i]!),
                  },
            );
      if (isInverseStep(step, config.invEvery))
        inv = factors.map((f) =>
          f === null ? null : dampedInverses(f.A, f.G, Math.sqrt(f.A.length), Math.sqrt(f.G.length), config.damping),
        );
      const P = new Float64Array(theta.length);
      layers.forEach((layer, l) => {
        const i = inv[l];
        if (!i) return;
        const m = Math.sqrt(i.gInv.length);
        const p = Math.sqrt(i.aInv.length);
        P.set(precondition(i.gInv, g.subarray(layer.offset, layer.offset + layer.size), i.aInv, m, p), layer.offset);
      });
      const vg = P.reduce((s, v, i) => s + v * g[i]!, 0) * config.lr ** 2;
      const nu = Math.min(1, Math.sqrt(config.klClip! / vg));
      if (nu < 1) clipped.push(step);
      for (let i = 0; i < theta.length; i++)
        mom[i] = config.momentum * mom[i]! + nu * P[i]! + config.weightDecay * theta[i]!;
      theta = theta.map((v, i) => v - config.lr * mom[i]!);

      t.step(1);
      const kfac = t.optimizerAs(Kfac)!;
      for (const l of withParams) {
        const dev = await kfac.layerFactors(l);
        expect(maxRelDiff(dev.a, factors[l]!.A), `step ${step} A_${l}`).toBeLessThan(1e-10);
        expect(maxRelDiff(dev.g, factors[l]!.G), `step ${step} G_${l}`).toBeLessThan(1e-10);
        const di = await kfac.layerInverse(l);
        expect(maxRelDiff(di.aInv, inv[l]!.aInv), `step ${step} A_${l}⁻¹`).toBeLessThan(1e-10);
        expect(maxRelDiff(di.gInv, inv[l]!.gInv), `step ${step} G_${l}⁻¹`).toBeLessThan(1e-10);
      }
      expect(maxRelDiff(await be.read(t.params), theta), `θ after step ${step}`).toBeLessThan(1e-8);
    }
    expect(clipped.length, 'the clip must be active on some steps').toBeGreaterThan(0);
    const kfac = t.optimizerAs(Kfac)!;
    const pool = layers.findIndex((l) => l.kind === 'pool');
    await expect(kfac.layerInverse(pool)).rejects.toThrow('has no parameters');
    t.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
  });

  it("the host reference gradient is the engine's (one SGD step of rate 1)", async () => {
    const data = images(h, w, c, 3, 10, 2);
    const be = new CpuBackend({ precision: 'f64' });
    const sgd = { kind: 'sgd', lr: 1, momentum: 0, weightDecay: 0 } as const;
    const t = Trainer.create(be, data, { arch, likelihood: 'categorical', batch: 4, seed: 3, optimizer: sgd });
    const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
    const theta = Float64Array.from(await t.readParams());
    const idx = batchIndices(3, 0, 4, data.train.n);
    const want = convGradient(net, theta, rows(data.train.x, idx, data.inputDim), rows(data.train.y, idx, 3));
    t.step(1);
    const after = await be.read(t.params);
    expect(
      maxRelDiff(
        Float64Array.from(theta, (v, i) => v - after[i]!),
        want,
      ),
    ).toBeLessThan(1e-10);
    expect(want.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    t.dispose();
    be.dispose();
  });
});

describe('the exact natural gradient on a conv net', () => {
  it('two steps of θ ← θ − η·m, m ← μm + (F + γI)⁻¹g + wd·θ with the batch Fisher, against a dense solve (f64 CPU)', async () => {
    const arch = '5x5x1-c2k3p1t-ap2-f-3';
    const data = images(5, 5, 1, 3, 30, 5);
    const B = 4;
    const seed = 6;
    const config: NaturalConfig = { kind: 'natural', lr: 0.4, momentum: 0.5, weightDecay: 0.02, damping: 0.03 };
    const be = new CpuBackend({ precision: 'f64' });
    const t = Trainer.create(be, data, { arch, likelihood: 'categorical', batch: B, seed, optimizer: config });
    const net: HostNet = { layout: t.layout, lik: 'categorical', sigma: 1 };
    const P = t.layout.total;
    let theta = Float64Array.from(await t.readParams());
    const mom = new Float64Array(P);
    let moved = 0;
    for (let step = 0; step < 2; step++) {
      const idx = batchIndices(seed, step, B, data.train.n);
      const xs = rows(data.train.x, idx, data.inputDim);
      const ys = rows(data.train.y, idx, 3);
      const g = convGradient(net, theta, xs, ys);
      const F = convFisher(net, theta, xs);
      const dir = matmul(spdInverse(addDiagonal(F, P, config.damping), P), g, P, P, 1);
      for (let i = 0; i < P; i++) mom[i] = config.momentum * mom[i]! + dir[i]! + config.weightDecay * theta[i]!;
      const next = theta.map((v, i) => v - config.lr * mom[i]!);
      moved = Math.max(moved, maxRelDiff(next, theta));
      theta = next;
      t.step(1);
      expect(maxRelDiff(await be.read(t.params), theta), `θ after step ${step}`).toBeLessThan(1e-7);
    }
    expect(moved, 'the steps must move θ').toBeGreaterThan(1e-3);
    t.dispose();
    be.dispose();
  });
});

describe('K-FAC trains a conv net', () => {
  const arch = '8x8x1-c4k3p1r-mp2-f-2';
  const run = async (seed: number, steps: number) => {
    const be = new CpuBackend({ precision: 'f32' });
    const t = Trainer.create(be, barsDataset({ n: 300, seed: 2 }), {
      arch,
      likelihood: 'categorical',
      batch: 16,
      seed,
      optimizer: { ...defaultKfac(), invEvery: 10 },
    });
    const start = (await t.evaluate()).trainLoss;
    t.step(steps);
    const end = (await t.evaluate()).trainLoss;
    const theta = await t.readParams();
    t.dispose();
    expect(be.liveStorages()).toBe(0);
    be.dispose();
    return { start, end, theta };
  };

  it('on the bars task the train loss falls from ≈ log 2 to a small fraction of it in 100 steps', async () => {
    const { start, end } = await run(1, 100);
    expect(start).toBeGreaterThan(0.5);
    expect(end).toBeLessThan(0.1 * start);
  });

  it("the CLI trains the bars task's default conv net with K-FAC", async () => {
    const run = await runTraining(
      parseArgs([
        '--backend',
        'cpu',
        '--quiet',
        '--task',
        'bars',
        '--optimizer',
        'kfac',
        '--steps',
        '30',
        '--eval-every',
        '30',
      ]),
    );
    expect(run.config.arch).toBe(arch);
    expect(run.curve[1]!.trainLoss).toBeLessThan(0.5 * run.curve[0]!.trainLoss);
  });

  it('the same seed gives the same weights, another seed others', async () => {
    const a = await run(3, 12);
    const b = await run(3, 12);
    const other = await run(4, 12);
    expect(b.theta).toEqual(a.theta);
    expect(other.theta).not.toEqual(a.theta);
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

describe('the memory of K-FAC on a conv net', () => {
  it("counts the sampling workspace's patches (rows × positions) as the run allocates them", () => {
    const arch = '8x8x1-c4k3p1r-mp2-f-2';
    const d = barsDataset({ n: 300 });
    const optimizer = defaultOptimizer('kfac');
    const be = new CountingBackend();
    const t = Trainer.create(be, d, { arch, likelihood: 'categorical', optimizer, batch: 16, seed: 1 });
    t.dispose();
    const est = estimateMemory({
      arch: parseArch(arch),
      batch: 16,
      data: { trainRows: d.train.n, testRows: d.test.n, inputDim: 64, outputDim: 2 },
      optimizers: [optimizer],
    });
    expect(est.total + 256).toBeGreaterThanOrEqual(be.high);
    expect(est.total).toBeLessThanOrEqual(1.1 * be.high);
    // The sampling workspace's patches and their gradient: 16 rows × 64 positions × (9 + 1) values each.
    const kfacPart = est.parts.find((p) => p.name === 'K-FAC state')!.bytes;
    expect(kfacPart).toBeGreaterThan(2 * 16 * 64 * 10 * 4);
    be.dispose();
  });
});
