/**
 * The step measures against their definitions computed densely (materialised Q, Cholesky inverse), on a random
 * layer Fisher seen through both eigen paths, plus the cases that can be worked by hand: Q = I/γ with F = 0 is
 * the exact natural gradient, and a scaled identity Q points where the plain gradient does.
 */
import { describe, expect, it } from 'vitest';
import type { ParamLayout } from '../model/mlp.ts';
import { Rng } from '../rng.ts';
import { materializeHostQ } from './host-q.ts';
import { denseLayerFisher, layerFisherEigen, type LayerFisher } from './layer-fisher.ts';
import { addDiagonal, eye, matmul, spdInverse } from './linalg.ts';
import { stepMeasures, wholeStepMeasures } from './step-measures.ts';
import type { HostLambda } from './types.ts';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);
const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

/** A random factor of a 2×3 layer block on `rows` rows with rank-2 M_i. */
function randomFisher(rows: number, seed: number): LayerFisher {
  const rng = new Rng(seed, 5);
  const r = 2 * rows;
  return {
    m: 2,
    p: 3,
    d: 6,
    r,
    positions: 1,
    c: Float64Array.from({ length: 2 * r }, () => rng.normal()),
    abar: Float64Array.from({ length: 3 * rows }, (_, i) => (i % 3 === 2 ? 1 : rng.normal())),
    rowOf: Uint32Array.from({ length: r }, (_, c) => c >> 1),
    rows,
  };
}

/** Block-Kron λ with random factors: Q = RRᵀ ⊗ LLᵀ. */
function randomLambda(seed: number): HostLambda {
  const rng = new Rng(seed, 6);
  return {
    terms: [
      {
        R: Float64Array.from({ length: 4 }, () => rng.normal()),
        L: Float64Array.from({ length: 9 }, () => rng.normal()),
      },
    ],
  };
}

describe('stepMeasures', () => {
  it.each([
    ['Gram path', 2],
    ['dense path', 5],
  ])('%s: cosines, A, A* and the spectrum match dense formulas', (_, rows) => {
    const f = randomFisher(rows, rows);
    const gamma = 0.3;
    const lambda = randomLambda(1);
    const g = Float64Array.from([0.3, -1, 0.5, 2, 0.1, -0.7]);
    const m = stepMeasures(layerFisherEigen(f), lambda, { m: 2, p: 3 }, g, gamma)!;
    const Fg = addDiagonal(denseLayerFisher(f), 6, gamma);
    const inv = spdInverse(Fg, 6);
    const Q = materializeHostQ(lambda, { m: 2, p: 3 });
    const u = g.map((x) => x / Math.sqrt(dot(g, g)));
    const nat = matmul(inv, u, 6, 6, 1);
    const v = matmul(Q, u, 6, 6, 1);
    expect(m.cosFishLeg).toBeCloseTo(cos(v, nat), 10);
    expect(m.cosGradient).toBeCloseTo(cos(u, nat), 10);
    expect(m.lengthRatio).toBeCloseTo(Math.sqrt(dot(v, v) / dot(nat, nat)), 10);
    expect(m.auxLoss).toBeCloseTo(0.5 * dot(v, matmul(Fg, v, 6, 6, 1)) - dot(u, v), 10);
    expect(m.auxOptimum).toBeCloseTo(-0.5 * dot(u, nat), 10);
    expect(m.auxLoss).toBeGreaterThanOrEqual(m.auxOptimum);
    // Listed plus rest: trace(Q) and the gradient's shares add up.
    const { spectrum: s } = m;
    const trace = Array.from({ length: 6 }, (_, i) => Q[i * 7]!).reduce((a, b) => a + b, 0);
    const listedQ = Array.from(s.q).reduce((a, b) => a + b, 0);
    expect(listedQ + (s.rest.dims > 0 ? s.rest.dims * s.rest.meanQ : 0)).toBeCloseTo(trace, 10);
    expect(Array.from(s.share).reduce((a, b) => a + b, 0) + s.rest.share).toBeCloseTo(1, 10);
    expect(s.lambda.length + s.rest.dims).toBe(6);
  });

  it('F = 0 and Q = I/γ: the exact natural gradient, on the diagonal, at A*', () => {
    const eig = { d: 6, values: new Float64Array(0), vectors: new Float64Array(0) };
    const gamma = 0.5;
    const lambda: HostLambda = { terms: [{ R: eye(2, Math.SQRT2), L: eye(3) }] };
    const m = stepMeasures(eig, lambda, { m: 2, p: 3 }, [1, 2, 0, 0, -1, 3], gamma)!;
    expect(m.cosFishLeg).toBeCloseTo(1, 12);
    expect(m.cosGradient).toBeCloseTo(1, 12);
    expect(m.lengthRatio).toBeCloseTo(1, 12);
    expect(m.auxLoss).toBeCloseTo(-1 / (2 * gamma), 12);
    expect(m.auxOptimum).toBeCloseTo(-1 / (2 * gamma), 12);
    const { dims, meanQ, meanTarget, share } = m.spectrum.rest;
    expect([dims, meanTarget, share]).toEqual([6, 2, 1]);
    expect(meanQ).toBeCloseTo(2, 12);
  });

  it('a scaled identity Q points where the gradient does; g = 0 gives null', () => {
    const eig = layerFisherEigen(randomFisher(2, 9));
    const lambda: HostLambda = { terms: [{ R: eye(2, 3), L: eye(3) }] };
    const m = stepMeasures(eig, lambda, { m: 2, p: 3 }, [1, -2, 0.5, 0.1, 1, 0], 0.2)!;
    expect(m.cosFishLeg).toBeCloseTo(m.cosGradient, 12);
    expect(stepMeasures(eig, lambda, { m: 2, p: 3 }, new Float64Array(6), 0.2)).toBeNull();
    expect(() => stepMeasures(eig, lambda, { m: 2, p: 3 }, [1, 2], 0.2)).toThrow(RangeError);
  });
});

describe('wholeStepMeasures', () => {
  it('on a one-layer model equals the layer measures, and a second layer mixes in', () => {
    const f = randomFisher(3, 4);
    const lambda = randomLambda(2);
    const g = Float64Array.from([0.3, -1, 0.5, 2, 0.1, -0.7]);
    const layer = { kind: 'dense', n: 2, m: 2, act: 'identity' as const, offset: 0, size: 6 };
    const one: ParamLayout = { layers: [layer], total: 6 };
    const w = wholeStepMeasures(denseLayerFisher(f), one, [lambda], g, 0.3, 0)!;
    const m = stepMeasures(layerFisherEigen(f), lambda, { m: 2, p: 3 }, g, 0.3)!;
    expect(w.cosFishLeg).toBeCloseTo(m.cosFishLeg, 10);
    expect(w.layerCosFishLeg).toBeCloseTo(m.cosFishLeg, 10);
    expect(w.cosGradient).toBeCloseTo(m.cosGradient, 10);
    // Two copies of the layer with a coupled Fisher [[F, F], [F, F]]: the whole natural gradient differs.
    const F1 = denseLayerFisher(f);
    const F2 = new Float64Array(144);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) F2[i * 12 + j] = F1[(i % 6) * 6 + (j % 6)]!;
    const two: ParamLayout = { layers: [layer, { ...layer, offset: 6 }], total: 12 };
    const g2 = Float64Array.from([...g, ...g]);
    const w2 = wholeStepMeasures(F2, two, [lambda, lambda], g2, 0.3, 1)!;
    const nat = matmul(spdInverse(addDiagonal(F2, 12, 0.3), 12), g2, 12, 12, 1);
    expect(w2.cosGradient).toBeCloseTo(cos(g2, nat), 10);
    expect(w2.layerCosGradient).toBeCloseTo(cos(g, nat.subarray(6)), 10);
    expect(wholeStepMeasures(F2, two, [lambda, lambda], new Float64Array(12), 0.3, 0)).toBeNull();
  });
});
