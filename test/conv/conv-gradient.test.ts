/**
 * A conv2d + pooling + conv2d + dense net built from model/conv-passes.ts, in float64 on the CPU backend:
 * its backward pass (the parameters' and the images' gradient) against central differences of the mean
 * loss, and its R-op against the logits' directional differences. Pooling kinks (an argmax that changes)
 * are far from the 1e-5 steps on these seeded nets.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { ConvShapeError, conv2dSizes, poolSizes } from '../../src/engine/model/conv-passes.ts';
import type { Tensor } from '../../src/engine/tensor.ts';
import { buildComposite, COMPOSITES } from './composite.ts';

const H = 1e-5;

describe.each(COMPOSITES)('$name', (spec) => {
  function setup() {
    const be = new CpuBackend({ precision: 'f64' });
    const net = buildComposite(be, spec, 4);
    const fwd = be.record('forward', net.forward);
    const lossAt = (): number => {
      be.run(fwd);
      return be.readSync(net.loss)[0]!;
    };
    return { be, net, fwd, lossAt };
  }

  /** Central differences of the loss along each element of t, compared with `grad`. */
  function checkAgainstDifferences(be: CpuBackend, t: Tensor, grad: number[], lossAt: () => number, what: string) {
    const base = Array.from(be.readSync(t));
    let worst = 0;
    for (let i = 0; i < base.length; i++) {
      be.write(t, [base[i]! + H], i);
      const lp = lossAt();
      be.write(t, [base[i]! - H], i);
      const lm = lossAt();
      be.write(t, [base[i]!], i);
      const fd = (lp - lm) / (2 * H);
      const err = Math.abs(grad[i]! - fd) / (1e-3 + Math.abs(fd));
      expect(err, `${what}[${i}]: backward ${grad[i]}, differences ${fd}`).toBeLessThan(1e-5);
      worst = Math.max(worst, Math.abs(fd));
    }
    // A gradient that is zero everywhere would pass the comparison above trivially.
    expect(worst, `${what}: some derivative is non-zero`).toBeGreaterThan(1e-3);
  }

  it('backward: the parameters’ gradient matches central differences of the mean loss', () => {
    const { be, net, lossAt } = setup();
    lossAt();
    be.run(be.record('backward', net.backward));
    checkAgainstDifferences(be, net.params, Array.from(be.readSync(net.grads)), lossAt, 'param');
    be.dispose();
  });

  it('backward: the images’ gradient (through col2im twice and the pooling) matches central differences', () => {
    const { be, net, lossAt } = setup();
    lossAt();
    be.run(be.record('backward', net.backward));
    checkAgainstDifferences(be, net.x, Array.from(be.readSync(net.dx)), lossAt, 'pixel');
    be.dispose();
  });

  it('R-op: the logits’ tangent matches their directional differences', () => {
    const { be, net, lossAt } = setup();
    lossAt();
    be.run(be.record('rop', net.rop));
    const jv = Array.from(be.readSync(net.dLogits));
    const theta = net.init.params;
    const at = (sign: number): number[] => {
      be.write(
        net.params,
        theta.map((t, i) => t + sign * H * net.init.tangent[i]!),
      );
      lossAt();
      return Array.from(be.readSync(net.logits));
    };
    const plus = at(1);
    const minus = at(-1);
    jv.forEach((v, i) => {
      const fd = (plus[i]! - minus[i]!) / (2 * H);
      expect(Math.abs(v - fd), `logit ${i}: R-op ${v}, differences ${fd}`).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    });
    expect(jv.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    be.dispose();
  });
});

describe('conv-passes sizes', () => {
  it('derives the buffers of a conv layer from its shape (MNIST-like 28×28×1, 5×5 pad 2, 16 channels)', () => {
    const z = conv2dSizes({
      batch: 2,
      h: 28,
      w: 28,
      c: 1,
      kh: 5,
      kw: 5,
      strideH: 1,
      strideW: 1,
      padH: 2,
      padW: 2,
      cOut: 16,
    });
    expect(z).toEqual({
      oh: 28,
      ow: 28,
      patch: 25,
      rows: 2 * 784,
      params: 16 * 26,
      cols: 2 * 784 * 26,
      dcols: 2 * 784 * 25,
      inPerExample: 784,
      outPerExample: 784 * 16,
    });
    const p = poolSizes({
      batch: 2,
      h: 28,
      w: 28,
      c: 16,
      kh: 2,
      kw: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      kind: 'max',
    });
    expect(p).toEqual({
      oh: 14,
      ow: 14,
      inPerExample: 784 * 16,
      outPerExample: 14 * 14 * 16,
      argmax: 2 * 14 * 14 * 16,
    });
  });

  it('refuses shapes that do not fit before any op is built', () => {
    const g = { batch: 1, h: 4, w: 4, c: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 };
    expect(() => conv2dSizes({ ...g, kh: 5, kw: 3, cOut: 2 })).toThrow(ConvShapeError);
    expect(() => conv2dSizes({ ...g, kh: 5, kw: 3, cOut: 2 })).toThrow('conv2d: a 5×3 window does not fit a 4×4 image');
    expect(() => conv2dSizes({ ...g, kh: 3, kw: 3, cOut: 0 })).toThrow('output channels must be a positive integer');
    expect(() => poolSizes({ ...g, kh: 2, kw: 2, padH: 2, kind: 'avg' })).toThrow(
      'avg pooling: pooling padding 2×0 is more than half the 2×2 window',
    );
  });
});
