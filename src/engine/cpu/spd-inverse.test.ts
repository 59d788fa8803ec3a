/**
 * The spdInverse op on the CPU backend against a float64 Cholesky inverse from the host linear algebra, on
 * a rank-deficient M (so only the damping makes it invertible), with offsets, a device-scalar damping,
 * both precisions, and a non-positive-definite input.
 */
import { describe, expect, it } from 'vitest';
import { addDiagonal, matmul, spdInverse } from '../fishleg/linalg.ts';
import { Rng } from '../rng.ts';
import { slice } from '../tensor.ts';
import { CpuBackend } from './backend.ts';

function lowRankSpd(d: number, rank: number, seed: number): Float64Array {
  const rng = new Rng(seed, 2);
  const x = Float64Array.from({ length: d * rank }, () => rng.normal());
  return matmul(x, x, d, rank, d, false, true);
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

describe('spdInverse (CPU)', () => {
  it.each([
    ['f64', 1, 1e-12],
    ['f64', 37, 1e-12],
    ['f32', 37, 1e-5],
  ] as const)('(M + cI)⁻¹ of a rank-deficient M matches float64 Cholesky (%s, d = %i)', async (precision, d, tol) => {
    const m = lowRankSpd(d, Math.max(1, Math.floor(d / 3)), d);
    const be = new CpuBackend({ precision });
    const mt = be.alloc(d * d + 3, 'm');
    const out = be.alloc(d * d + 5, 'out');
    const cs = be.alloc(2, 'c');
    be.write(slice(mt, 3, d * d), m);
    // c = 0.5·t with t = 0.1 read on the device: 0.05.
    be.write(cs, [0, 0.1]);
    const p = be.record('inv', [
      {
        op: 'spdInverse',
        d,
        m: slice(mt, 3, d * d),
        c: { c: 0.5, refs: [{ t: slice(cs, 1, 1), power: 1 }] },
        out: slice(out, 5, d * d),
      },
    ]);
    be.run(p);
    const got = (await be.read(out)).subarray(5);
    const want = spdInverse(addDiagonal(m, d, 0.05), d);
    expect(maxRel(got, want)).toBeLessThan(tol);
    // The inverse times M + cI is the identity.
    const prod = matmul(Float64Array.from(got), addDiagonal(m, d, 0.05), d, d, d);
    for (let i = 0; i < d; i++) expect(prod[i * d + i]).toBeCloseTo(1, precision === 'f64' ? 9 : 3);
    be.release(p);
    be.dispose();
  });

  it('writes NaN when M + cI is not positive definite', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const mt = be.alloc(4, 'm');
    const out = be.alloc(4, 'out');
    be.write(mt, [1, 2, 2, 1]);
    const p = be.record('inv', [{ op: 'spdInverse', d: 2, m: mt, c: { c: 0.01 }, out }]);
    be.run(p);
    expect(Array.from(await be.read(out)).every(Number.isNaN)).toBe(true);
    be.dispose();
  });

  it('refuses a damping that is not a Coef and an out that overlaps M', () => {
    const be = new CpuBackend({ precision: 'f64' });
    const t = be.alloc(8, 't');
    expect(() =>
      be.record('bad', [{ op: 'spdInverse', d: 2, m: slice(t, 0, 4), c: { c: 1 }, out: slice(t, 2, 4) }]),
    ).toThrow(/out/);
    be.dispose();
  });
});
