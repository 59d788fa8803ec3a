/**
 * The WebAssembly SIMD matmul against a float64 triple loop and against the TypeScript loops: every layout,
 * sizes that miss the 4-row and 8/4-column tiles, leading dimensions above the column count, alpha/beta,
 * NaN in C where beta = 0, and C's padding left alone. Then determinism: bit-identical results for 1, 2
 * and 3 threads, with chunks small enough that the helpers do take part.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MatmulLayout } from '../../ops.ts';
import { matmul, type MatmulArgs } from '../matmul.ts';
import { CpuBackend } from '../backend.ts';
import { maxRelErr, randomArray, runOps, tensorOf, values } from '../test-util.ts';
import { Scratch } from '../types.ts';
import { WasmMatmul } from './wasm-matmul.ts';

interface Case {
  m: number;
  n: number;
  k: number;
  pad: number;
  alpha: number;
  beta: number;
}

function problem(layout: MatmulLayout, c: Case, seed: number): MatmulArgs {
  const [aRows, aCols] = layout === 'tn' ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = layout === 'nt' ? [c.n, c.k] : [c.k, c.n];
  const lda = aCols + c.pad;
  const ldb = bCols + 2 * c.pad;
  const ldc = c.n + c.pad;
  // Operands sit at offsets inside larger arrays, as views of shared storages do.
  const a = Float32Array.from([...randomArray(5, seed), ...randomArray(aRows * lda, seed + 1)]);
  const b = Float32Array.from([...randomArray(3, seed), ...randomArray(bRows * ldb, seed + 2)]);
  const cv = randomArray(c.m * ldc, seed + 3).map((x) => (c.beta === 0 ? NaN : x));
  for (let i = 0; i < c.m; i++) for (let j = c.n; j < ldc; j++) cv[i * ldc + j] = 1234;
  const cArr = Float32Array.from([7, ...cv, 99]);
  const { m, n, k, alpha, beta } = c;
  return { layout, m, n, k, a, aOff: 5, lda, b, bOff: 3, ldb, c: cArr, cOff: 1, ldc, alpha, beta };
}

/** The expected C array (same length and padding as args.c) in float64 from the f32 inputs. */
function reference(p: MatmulArgs): Float64Array {
  const out = Float64Array.from(p.c);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < p.n; j++) {
      let s = 0;
      for (let q = 0; q < p.k; q++) {
        const a = p.layout === 'tn' ? p.a[p.aOff + q * p.lda + i]! : p.a[p.aOff + i * p.lda + q]!;
        const b = p.layout === 'nt' ? p.b[p.bOff + j * p.ldb + q]! : p.b[p.bOff + q * p.ldb + j]!;
        s += a * b;
      }
      const at = p.cOff + i * p.ldc + j;
      out[at] = p.alpha * s + (p.beta === 0 ? 0 : p.beta * p.c[at]!);
    }
  }
  return out;
}

const cases: Case[] = [
  { m: 1, n: 1, k: 1, pad: 0, alpha: 1, beta: 0 },
  { m: 3, n: 3, k: 2, pad: 1, alpha: 1, beta: 0 },
  { m: 7, n: 65, k: 257, pad: 3, alpha: 0.5, beta: 0 },
  { m: 257, n: 7, k: 65, pad: 1, alpha: -1.25, beta: 1 },
  { m: 65, n: 29, k: 7, pad: 2, alpha: 1, beta: -0.5 },
  { m: 1, n: 257, k: 7, pad: 5, alpha: 2, beta: 0.25 },
  { m: 33, n: 1, k: 65, pad: 0, alpha: 1, beta: 1 },
  { m: 65, n: 13, k: 1, pad: 4, alpha: 1, beta: 0 },
  { m: 50, n: 33, k: 31, pad: 0, alpha: 1, beta: 0 },
  { m: 101, n: 46, k: 12, pad: 7, alpha: 0.75, beta: 0.5 },
];

const single = WasmMatmul.create({ threads: 1 });
afterAll(() => single?.dispose());

describe('wasm matmul', () => {
  it('is available in Node (WebAssembly SIMD)', () => {
    expect(single).toBeDefined();
  });

  for (const layout of ['nn', 'nt', 'tn'] as const) {
    it.each(cases)(`${layout} m=$m n=$n k=$k pad=$pad alpha=$alpha beta=$beta`, (c) => {
      const p = problem(layout, c, 10);
      const want = reference(p);
      const viaTs = problem(layout, c, 10);
      matmul(viaTs, new Scratch('f32'));
      expect(single!.run(p)).toBe(true);
      const tol = 2e-6 * Math.sqrt(c.k) * Math.abs(c.alpha) + 1e-6;
      for (let i = 0; i < want.length; i++) {
        const inC = i >= p.cOff && i < p.cOff + p.m * p.ldc && (i - p.cOff) % p.ldc < p.n;
        if (!inC) {
          // Padding between and around C's rows is untouched (NaN stays NaN, sentinels stay).
          expect(Object.is(p.c[i], viaTs.c[i]) || p.c[i] === want[i], `padding at ${i}`).toBe(true);
          continue;
        }
        const err = Math.abs(p.c[i]! - want[i]!) / (1 + Math.abs(want[i]!));
        expect(err, `C[${i}] = ${p.c[i]} vs ${want[i]}`).toBeLessThan(tol);
        expect(Math.abs(p.c[i]! - viaTs.c[i]!) / (1 + Math.abs(want[i]!))).toBeLessThan(tol);
      }
    });
  }

  it('leaves the work to the TypeScript loops when k = 0 and does nothing for empty C', () => {
    const p = problem('nn', { m: 4, n: 4, k: 1, pad: 0, alpha: 1, beta: 0 }, 3);
    expect(single!.run({ ...p, k: 0 })).toBe(false);
    const before = Float32Array.from(p.c);
    expect(single!.run({ ...p, m: 0 })).toBe(true);
    expect(Array.from(p.c)).toEqual(Array.from(before));
  });
});

describe('wasm matmul threads', () => {
  // Chunks of one row: helpers get a share even when the caller is quick off the mark.
  const pools = [2, 3].map((threads) => WasmMatmul.create({ threads, chunkRows: 1 })!);
  afterAll(() => pools.forEach((p) => p.dispose()));

  it('gives bit-identical results for 1, 2 and 3 threads, helpers taking part', async () => {
    expect(await Promise.all(pools.map((p) => p.helpersReady()))).toEqual([1, 2]);
    for (const layout of ['nn', 'nt', 'tn'] as const) {
      const c: Case = { m: 203, n: 157, k: 301, pad: 3, alpha: 0.5, beta: 1 };
      const base = problem(layout, c, 20);
      const fresh = () => ({ ...base, c: Float32Array.from(base.c) });
      const want = fresh();
      single!.run(want);
      const wantBits = new Uint32Array(want.c.buffer);
      for (const pool of pools) {
        for (let rep = 0; rep < 3; rep++) {
          const got = fresh();
          expect(pool.run(got)).toBe(true);
          const gotBits = new Uint32Array(got.c.buffer);
          expect(
            gotBits.findIndex((w, i) => w !== wantBits[i]),
            `${layout}: first differing element`,
          ).toBe(-1);
        }
      }
    }
    // Without this the test could pass with the helpers asleep.
    for (const pool of pools) expect(pool.helpedChunks()).toBeGreaterThan(0);
  });

  it('stays exact over many short jobs back to back (helpers waking late must not claim a finished job)', () => {
    const pool = pools[1]!;
    for (let rep = 0; rep < 120; rep++) {
      const c: Case = { m: 16 + ((rep * 7) % 49), n: 128 + (rep % 3), k: 130, pad: rep % 2, alpha: 1, beta: rep % 2 };
      const layout = (['nn', 'nt', 'tn'] as const)[rep % 3]!;
      const want = problem(layout, c, 100 + rep);
      const got = { ...want, c: Float32Array.from(want.c) };
      single!.run(want);
      pool.run(got);
      expect(
        got.c.findIndex((x, i) => !Object.is(x, want.c[i])),
        `job ${rep}: first differing element`,
      ).toBe(-1);
    }
  });
});

describe('CpuBackend kernel setting', () => {
  // 67·59·41 ≈ 162,000 multiply-adds: over the threshold (2¹⁷) below which products stay on the loops.
  const run = (be: CpuBackend, c: Case = { m: 67, n: 59, k: 41, pad: 0, alpha: 1, beta: 0 }) => {
    const p = problem('nt', c, 5);
    const a = tensorOf(be, p.a.subarray(p.aOff), 'a');
    const b = tensorOf(be, p.b.subarray(p.bOff), 'b');
    const out = be.alloc(c.m * c.n, 'c');
    runOps(be, [
      {
        op: 'matmul',
        layout: 'nt',
        m: c.m,
        n: c.n,
        k: c.k,
        a,
        lda: p.lda,
        b,
        ldb: p.ldb,
        c: out,
        ldc: c.n,
        alpha: 1,
        beta: 0,
      },
    ]);
    return values(be, out);
  };

  it("uses the wasm kernels by default on f32 and the TypeScript loops with kernels: 'ts' or on f64", () => {
    const fast = new CpuBackend();
    const ts = new CpuBackend({ kernels: 'ts' });
    expect(fast.description).toMatch(/WebAssembly SIMD/);
    expect(ts.description).toMatch(/TypeScript/);
    expect(new CpuBackend({ precision: 'f64' }).description).toMatch(/TypeScript/);
    // The paths differ in accumulation (f32 in wasm, f64 in TypeScript) but agree to f32 accuracy...
    const [x, y] = [run(fast), run(ts)];
    expect(maxRelErr(x, y).err).toBeLessThan(1e-5);
    // ...and are not the same code: some element differs in its last bits.
    expect(x.some((v, i) => v !== y[i])).toBe(true);
    // A toy network's product (37·29·41 ≈ 44,000) stays on the loops: the same bits on both backends.
    const small: Case = { m: 37, n: 29, k: 41, pad: 0, alpha: 1, beta: 0 };
    expect(Array.from(run(fast, small))).toEqual(Array.from(run(ts, small)));
  });

  it('FISHLEG_CPU_KERNELS=ts forces the TypeScript loops', () => {
    vi.stubEnv('FISHLEG_CPU_KERNELS', 'ts');
    try {
      expect(new CpuBackend().description).toMatch(/TypeScript/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('rejects a bad thread count or kernel name with a clear message', () => {
    expect(() => new CpuBackend({ threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
    vi.stubEnv('FISHLEG_CPU_THREADS', 'two');
    try {
      expect(() => new CpuBackend()).toThrow(/threads must be a positive integer, got NaN/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(() => new CpuBackend({ kernels: 'simd' as 'ts' })).toThrow(/kernels must be 'auto' or 'ts', got 'simd'/);
  });
});
