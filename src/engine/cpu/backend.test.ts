/**
 * CpuBackend as a Backend: allocation counts (leak checks), transfers, program lifetime errors, and the
 * small kernels (gather, reduce, axpby/hadamard/fill with device-scalar coefficients) on hand values.
 */
import { describe, expect, it } from 'vitest';
import { slice } from '../tensor.ts';
import { CpuBackend, CpuBackendError } from './backend.ts';
import { GatherIndexError } from './gather.ts';
import { runOps, tensorOf, values } from './test-util.ts';

describe('memory', () => {
  it('counts live storages through alloc, free and dispose', () => {
    const b = new CpuBackend();
    expect(b.liveStorages()).toBe(0);
    const x = b.alloc(4, 'x');
    const y = b.alloc(2, 'y', 'u32');
    b.alloc(1, 'z');
    expect(b.liveStorages()).toBe(3);
    b.free(slice(x, 1, 2)); // freeing through any view frees the storage
    expect(b.liveStorages()).toBe(2);
    expect(() => b.free(x)).toThrow(CpuBackendError);
    b.free(y);
    expect(b.liveStorages()).toBe(1);
    b.dispose();
    expect(b.liveStorages()).toBe(0);
    expect(() => b.alloc(1, 'late')).toThrow(/disposed/);
  });

  it('allocates zeros of the right type for each precision and dtype', () => {
    const f32 = new CpuBackend();
    const f64 = new CpuBackend({ precision: 'f64' });
    expect(f32.readSync(f32.alloc(3, 'a'))).toEqual(new Float32Array(3));
    expect(f64.readSync(f64.alloc(3, 'a'))).toEqual(new Float64Array(3));
    expect(f64.readSync(f64.alloc(3, 'i', 'u32'))).toEqual(new Uint32Array(3));
  });

  it('writes into and reads copies of views', async () => {
    const b = new CpuBackend();
    const s = b.alloc(6, 's');
    const v = slice(s, 2, 3);
    b.write(v, [7, 8], 1);
    const got = await b.read(v);
    expect(Array.from(got)).toEqual([0, 7, 8]);
    got[0] = 99; // a copy: the storage is unchanged
    expect(values(b, s)).toEqual([0, 0, 0, 7, 8, 0]);
    expect(() => b.write(v, [1, 2, 3], 1)).toThrow(/do not fit/);
    // f32 storage rounds like the GPU does.
    b.write(s, [0.1]);
    expect(values(b, s)[0]).toBe(Math.fround(0.1));
    await expect(b.sync()).resolves.toBeUndefined();
  });

  it('rejects tensors of another backend, freed storages in programs and released programs', () => {
    const b = new CpuBackend();
    const other = new CpuBackend();
    expect(() => b.read(other.alloc(1, 'foreign'))).toThrow(/not from here/);
    const x = b.alloc(2, 'x');
    const p = b.record('fill', [{ op: 'fill', n: 2, value: 3, out: x }]);
    b.run(p);
    expect(values(b, x)).toEqual([3, 3]);
    b.release(p);
    expect(() => b.run(p)).toThrow(/released/);
    const q = b.record('fill', [{ op: 'fill', n: 2, value: 3, out: x }]);
    b.free(x);
    expect(() => b.run(q)).toThrow(/freed after the program was recorded/);
  });

  it('runs several programs in order', () => {
    const b = new CpuBackend();
    const x = b.alloc(1, 'x');
    const set = b.record('set', [{ op: 'fill', n: 1, value: 2, out: x }]);
    const double = b.record('double', [{ op: 'axpby', n: 1, a: { c: 2 }, x, out: x }]);
    b.run(set, double, double);
    expect(values(b, x)).toEqual([8]);
  });
});

describe('gather', () => {
  it('copies indexed rows, adds the ones column, and rejects out-of-range indices', () => {
    const b = new CpuBackend();
    const src = tensorOf(b, [0, 1, 10, 11, 20, 21], 'data'); // 3 rows of 2
    const idx = tensorOf(b, [2, 0, 2], 'idx', 'u32');
    const dst = tensorOf(b, Array<number>(9).fill(-1), 'x');
    runOps(b, [{ op: 'gather', rows: 3, cols: 2, src, idx, dst, ldDst: 3, ones: true }]);
    expect(values(b, dst)).toEqual([20, 21, 1, 0, 1, 1, 20, 21, 1]);
    b.write(idx, [3], 1);
    expect(() => runOps(b, [{ op: 'gather', rows: 3, cols: 2, src, idx, dst, ldDst: 3, ones: true }])).toThrow(
      GatherIndexError,
    );
  });
});

describe('reduce', () => {
  it('sum, dot and sumsq with scale and accumulate', () => {
    const b = new CpuBackend();
    const x = tensorOf(b, [1, 2, 3, 4], 'x');
    const y = tensorOf(b, [0.5, -1, 2, 0], 'y');
    const out = tensorOf(b, [100], 'out');
    runOps(b, [{ op: 'reduce', kind: 'sum', n: 4, x, scale: 0.5, accumulate: false, out }]);
    expect(values(b, out)).toEqual([5]); // ½·10
    // dot = 0.5 − 2 + 6 + 0 = 4.5; accumulated: 5 + 2·4.5 = 14.
    runOps(b, [{ op: 'reduce', kind: 'dot', n: 4, x, y, scale: 2, accumulate: true, out }]);
    expect(values(b, out)).toEqual([14]);
    runOps(b, [{ op: 'reduce', kind: 'sumsq', n: 3, x: slice(x, 1, 3), scale: 1, accumulate: false, out }]);
    expect(values(b, out)).toEqual([29]); // 4 + 9 + 16
  });

  it('accumulates in float64 even on f32 storage', () => {
    // 1 + 2²⁰·(2⁻²⁴): a float32 running sum would stay at 1 (each 2⁻²⁴ is below half an ulp of 1).
    const b = new CpuBackend();
    const n = 1 << 20;
    const data = new Float32Array(n + 1).fill(2 ** -24);
    data[0] = 1;
    const out = b.alloc(1, 'out');
    runOps(b, [{ op: 'reduce', kind: 'sum', n: n + 1, x: tensorOf(b, data, 'x'), scale: 1, accumulate: false, out }]);
    expect(values(b, out)[0]).toBe(1.0625);
  });
});

describe('elementwise', () => {
  it('axpby and hadamard with device-scalar coefficients c·Π t[0]^power', () => {
    const b = new CpuBackend({ precision: 'f64' });
    const scalars = tensorOf(b, [4, 0.5], 'scalars');
    const s4 = slice(scalars, 0, 1);
    const half = slice(scalars, 1, 1);
    const x = tensorOf(b, [1, 2, 3], 'x');
    const y = tensorOf(b, [10, 20, 30], 'y');
    const out = b.alloc(3, 'out');
    // a = 3·4^(−½) = 1.5; b = 1·4·0.5^(−1) = 8: out = 1.5·x + 8·y.
    const p = b.record('axpby', [
      {
        op: 'axpby',
        n: 3,
        a: { c: 3, refs: [{ t: s4, power: -0.5 }] },
        x,
        b: {
          c: 1,
          refs: [
            { t: s4, power: 1 },
            { t: half, power: -1 },
          ],
        },
        y,
        out,
      },
    ]);
    b.run(p);
    expect(values(b, out)).toEqual([81.5, 163, 244.5]);
    // Coefficients are read at run time: scalars = [9, 0.5] ⇒ a = 3/3 = 1, b = 18.
    b.write(s4, [9]);
    b.run(p);
    expect(values(b, out)).toEqual([181, 362, 543]);
    // hadamard in place: x ← (2·9^½)·x∘y = 6·x∘y.
    runOps(b, [{ op: 'hadamard', n: 3, a: { c: 2, refs: [{ t: s4, power: 0.5 }] }, x, y, out: x }]);
    expect(values(b, x)).toEqual([60, 240, 540]);
    // axpby without y, aliased in place.
    runOps(b, [{ op: 'axpby', n: 2, a: { c: -0.5 }, x: slice(x, 1, 2), out: slice(x, 1, 2) }]);
    expect(values(b, x)).toEqual([60, -120, -270]);
  });

  it('fill writes exactly n elements', () => {
    const b = new CpuBackend();
    const x = tensorOf(b, [1, 1, 1, 1], 'x');
    runOps(b, [{ op: 'fill', n: 2, value: -2.5, out: slice(x, 1, 3) }]);
    expect(values(b, x)).toEqual([1, -2.5, -2.5, 1]);
  });
});
