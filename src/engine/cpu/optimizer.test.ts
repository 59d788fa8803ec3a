/**
 * Hand-worked optimizer steps with the arithmetic in comments: SGD with momentum and weight decay (two
 * steps), Adam (two steps, with bias corrections), Adam with coupled L2 and AdamW (one step each).
 * Parameters sit at an offset in a shared storage to exercise view offsets; grad must stay unchanged.
 */
import { describe, expect, it } from 'vitest';
import { ADAM_HYPER, SGD_HYPER } from '../hyper.ts';
import { slice } from '../tensor.ts';
import { CpuBackend } from './backend.ts';
import { tensorOf, values } from './test-util.ts';

describe('sgd', () => {
  it('two momentum steps with weight decay (PyTorch semantics)', () => {
    const b = new CpuBackend({ precision: 'f64' });
    // Storage: [junk, θ0, θ1, junk]; θ = [1, −2].
    const params = tensorOf(b, [42, 1, -2, 43], 'params');
    const param = slice(params, 1, 2);
    const grad = tensorOf(b, [0.5, 0], 'grad');
    const mom = b.alloc(2, 'mom');
    const hyper = tensorOf(b, [0.1, 0.9, 0.01], 'hyper'); // lr, μ, wd
    expect(hyper.size).toBe(SGD_HYPER);
    const p = b.record('sgd', [{ op: 'sgd', n: 2, param, grad, mom, hyper }]);
    b.run(p);
    // θ0: g = 0.5 + 0.01·1 = 0.51; m = 0.9·0 + 0.51 = 0.51; θ = 1 − 0.1·0.51 = 0.949.
    // θ1: g = 0 + 0.01·(−2) = −0.02; m = −0.02; θ = −2 + 0.002 = −1.998.
    expect(values(b, param)[0]).toBeCloseTo(0.949, 15);
    expect(values(b, param)[1]).toBeCloseTo(-1.998, 15);
    expect(values(b, mom)).toEqual([0.51, -0.02]);
    b.run(p);
    // θ0: g = 0.5 + 0.01·0.949 = 0.50949; m = 0.9·0.51 + 0.50949 = 0.96849; θ = 0.949 − 0.096849 = 0.852151.
    // θ1: g = 0.01·(−1.998) = −0.01998; m = 0.9·(−0.02) − 0.01998 = −0.03798; θ = −1.998 + 0.003798 = −1.994202.
    expect(values(b, param)[0]).toBeCloseTo(0.852151, 14);
    expect(values(b, param)[1]).toBeCloseTo(-1.994202, 14);
    expect(values(b, mom)[0]).toBeCloseTo(0.96849, 14);
    expect(values(b, mom)[1]).toBeCloseTo(-0.03798, 14);
    expect(values(b, params)[0]).toBe(42);
    expect(values(b, params)[3]).toBe(43);
    expect(values(b, grad)).toEqual([0.5, 0]);
  });
});

describe('adam', () => {
  /** hyper = [lr, β1, β2, ε, wd, decoupled, bc1, bc2] at step t. */
  const hyperAt = (t: number, wd: number, decoupled: 0 | 1) => [
    0.1,
    0.9,
    0.999,
    1e-8,
    wd,
    decoupled,
    1 - 0.9 ** t,
    1 - 0.999 ** t,
  ];

  it('two steps without weight decay', () => {
    const b = new CpuBackend({ precision: 'f64' });
    const param = tensorOf(b, [1], 'param');
    const grad = tensorOf(b, [0.5], 'grad');
    const [m, v] = [b.alloc(1, 'm'), b.alloc(1, 'v')];
    const hyper = tensorOf(b, hyperAt(1, 0, 0), 'hyper');
    expect(hyper.size).toBe(ADAM_HYPER);
    const p = b.record('adam', [{ op: 'adam', n: 1, param, grad, m, v, hyper }]);
    b.run(p);
    // m = 0.1·0.5 = 0.05; v = 0.001·0.25 = 0.00025; m̂ = 0.05/0.1 = 0.5; v̂ = 0.00025/0.001 = 0.25, √ = 0.5;
    // θ = 1 − 0.1·0.5/(0.5 + 1e−8) = 1 − 0.09999999800000004 = 0.900000002.
    expect(values(b, m)[0]).toBeCloseTo(0.05, 15);
    expect(values(b, v)[0]).toBeCloseTo(0.00025, 15);
    expect(values(b, param)[0]).toBeCloseTo(0.900000002, 14);
    b.write(grad, [-0.25]);
    b.write(hyper, hyperAt(2, 0, 0));
    b.run(p);
    // m = 0.9·0.05 + 0.1·(−0.25) = 0.02; v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225;
    // bc1 = 0.19, bc2 = 0.001999; m̂ = 0.10526315789473685; v̂ = 0.15620310155077766, √ = 0.3952253807016671;
    // θ = 0.900000002 − 0.1·0.10526315789473685/(0.3952253807016671 + 1e−8) = 0.8733662987078463.
    expect(values(b, m)[0]).toBeCloseTo(0.02, 15);
    expect(values(b, v)[0]).toBeCloseTo(0.00031225, 15);
    expect(values(b, param)[0]).toBeCloseTo(0.8733662987078463, 13);
  });

  it('coupled L2 (Adam) and decoupled decay (AdamW) differ as documented', () => {
    const b = new CpuBackend({ precision: 'f64' });
    const param = tensorOf(b, [2, 2], 'param');
    const grad = tensorOf(b, [0.5, 0.5], 'grad');
    const [m, v] = [b.alloc(2, 'm'), b.alloc(2, 'v')];
    const adamH = tensorOf(b, hyperAt(1, 0.1, 0), 'hyperAdam');
    const adamWH = tensorOf(b, hyperAt(1, 0.1, 1), 'hyperAdamW');
    const one = (i: number) => ({
      param: slice(param, i, 1),
      grad: slice(grad, i, 1),
      m: slice(m, i, 1),
      v: slice(v, i, 1),
    });
    const p = b.record('adam+adamw', [
      { op: 'adam', n: 1, ...one(0), hyper: adamH },
      { op: 'adam', n: 1, ...one(1), hyper: adamWH },
    ]);
    b.run(p);
    // Adam: g = 0.5 + 0.1·2 = 0.7; m = 0.07, v = 0.00049; m̂ = 0.7, √v̂ = 0.7;
    //   θ = 2 − 0.1·0.7/(0.7 + 1e−8) = 2 − 0.09999999857142859 = 1.9000000014285714.
    // AdamW: θ = 2 − 0.1·0.1·2 = 1.98; g = 0.5: m = 0.05, v = 0.00025; m̂ = 0.5, √v̂ = 0.5;
    //   θ = 1.98 − 0.1·0.5/(0.5 + 1e−8) = 1.98 − 0.09999999800000004 = 1.880000002.
    const [adamTheta, adamWTheta] = values(b, param);
    expect(adamTheta).toBeCloseTo(1.9000000014285714, 14);
    expect(adamWTheta).toBeCloseTo(1.880000002, 14);
    expect(values(b, m)[0]).toBeCloseTo(0.07, 15);
    expect(values(b, m)[1]).toBeCloseTo(0.05, 15);
    expect(values(b, grad)).toEqual([0.5, 0.5]);
  });
});
