/**
 * The symmetric eigensolver against its definition: A·v = λv with orthonormal v, ascending λ, on random,
 * diagonal, repeated-eigenvalue and rank-deficient matrices, and the 2×2 closed form.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { EigenError, symmetricEigen } from './symeig.ts';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed, 3);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

/** max |A v_j − λ_j v_j| and max |VᵀV − I|. */
function residuals(a: Float64Array, n: number) {
  const { values, vectors } = symmetricEigen(a, n);
  let eig = 0;
  let orth = 0;
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += a[r * n + c]! * vectors[j * n + c]!;
      eig = Math.max(eig, Math.abs(s - values[j]! * vectors[j * n + r]!));
    }
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += vectors[j * n + c]! * vectors[k * n + c]!;
      orth = Math.max(orth, Math.abs(s - (j === k ? 1 : 0)));
    }
  }
  return { values, eig, orth };
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 7, 40])('n = %i: A v = λ v, V orthonormal, λ ascending', (n) => {
    const a = randomSymmetric(n, n);
    const { values, eig, orth } = residuals(a, n);
    expect(eig).toBeLessThan(1e-10);
    expect(orth).toBeLessThan(1e-10);
    for (let j = 1; j < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
    // The trace is the sum of the eigenvalues.
    let tr = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(tr, 9);
  });

  it('matches the 2×2 closed form', () => {
    const [a, b, c] = [2, 0.7, -1];
    const { values } = symmetricEigen([a, b, b, c], 2);
    const mean = (a + c) / 2;
    const r = Math.hypot((a - c) / 2, b);
    expect(values[0]!).toBeCloseTo(mean - r, 14);
    expect(values[1]!).toBeCloseTo(mean + r, 14);
  });

  it('handles diagonal, repeated and rank-deficient matrices', () => {
    expect(Array.from(symmetricEigen([3, 0, 0, 0, 1, 0, 0, 0, 2], 3).values)).toEqual([1, 2, 3]);
    const ident = residuals(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3);
    expect(Array.from(ident.values)).toEqual([1, 1, 1]);
    expect(ident.orth).toBeLessThan(1e-14);
    // x xᵀ: one eigenvalue ‖x‖², the rest 0.
    const x = [1, -2, 0.5, 3];
    const outer = Float64Array.from({ length: 16 }, (_, k) => x[Math.floor(k / 4)]! * x[k % 4]!);
    const rank1 = residuals(outer, 4);
    expect(rank1.values[3]!).toBeCloseTo(14.25, 12);
    for (let j = 0; j < 3; j++) expect(Math.abs(rank1.values[j]!)).toBeLessThan(1e-12);
    expect(rank1.eig).toBeLessThan(1e-12);
    expect(symmetricEigen(new Float64Array(4), 2).values).toEqual(new Float64Array(2));
  });

  it('rejects non-finite input and a wrong length', () => {
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(EigenError);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(RangeError);
  });
});
