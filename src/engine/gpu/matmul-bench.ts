/**
 * Times the WGSL matmul kernel on a given device (browser or Dawn) for the benchmark scripts: GFLOP/s of
 * C = A·B at given sizes, layouts and tilings. A batch is `iterations` products encoded in one submit and
 * timed to onSubmittedWorkDone; after one warm-up batch (compile, clocks up), the figure is the median
 * of `repeats` batches (GPU clocks and shared machines make single batches vary 2×). A few entries of
 * every C are checked against float64 dot products, so a fast wrong kernel cannot report a speed.
 */
import type { MatmulLayout } from '../ops.ts';
import { createWebGpuBackend } from './backend.ts';
import type { MatmulVariant } from './kernels/index.ts';
import { matmulTiling } from './kernels/matmul.ts';

/** One product to time: a square size n (m = n = k) or [m, n, k]. */
export type MatmulBenchSize = number | readonly [number, number, number];

/** Options of benchMatmul. */
export interface MatmulBenchOptions {
  readonly sizes: readonly MatmulBenchSize[];
  readonly layouts?: readonly MatmulLayout[];
  readonly variants?: readonly MatmulVariant[];
  /** Products per timed submit (default 10). */
  readonly iterations?: number;
  /** Timed submits per measurement; the median is reported (default 5). */
  readonly repeats?: number;
  /** Receives each result as it is measured. */
  readonly onResult?: (r: MatmulBenchResult) => void;
}

/** One measurement. */
export interface MatmulBenchResult {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly layout: MatmulLayout;
  /** The tiling that ran ('auto' resolved). */
  readonly tiling: 'tile64' | 'tile128';
  readonly iterations: number;
  /** Milliseconds per product. */
  readonly ms: number;
  readonly gflops: number;
  /** Largest |C − reference| / (1 + |reference|) over the sampled entries. */
  readonly maxRelError: number;
}

/** Thrown when the kernel's output disagrees with the float64 reference. */
export class MatmulBenchError extends Error {
  override readonly name = 'MatmulBenchError';
}

/** Deterministic, cheap data in [−0.5, 0.5) (speed does not depend on the values). */
function pattern(n: number, salt: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 7919 + salt * 104729) % 1000) - 500) / 1000;
  return out;
}

/** Times the matmul kernel; see the file header. The device stays usable (and owned by the caller). */
export async function benchMatmul(device: GPUDevice, opts: MatmulBenchOptions): Promise<MatmulBenchResult[]> {
  const iterations = opts.iterations ?? 10;
  const repeats = opts.repeats ?? 5;
  const results: MatmulBenchResult[] = [];
  for (const variant of opts.variants ?? ['auto']) {
    const be = createWebGpuBackend(device, undefined, { matmul: variant });
    try {
      for (const size of opts.sizes) {
        const [m, n, k] = typeof size === 'number' ? [size, size, size] : size;
        for (const layout of opts.layouts ?? ['nn']) {
          const aData = pattern(m * k, 1);
          const bData = pattern(k * n, 2);
          const a = be.alloc(m * k, 'bench A');
          const b = be.alloc(k * n, 'bench B');
          const c = be.alloc(m * n, 'bench C');
          be.write(a, aData);
          be.write(b, bData);
          const lda = layout === 'tn' ? m : k;
          const ldb = layout === 'nt' ? k : n;
          const p = be.record(`bench ${m}×${n}×${k} ${layout}`, [
            { op: 'matmul', layout, m, n, k, a, lda, b, ldb, c, ldc: n, alpha: 1, beta: 0 },
          ]);
          const batch = Array.from({ length: iterations }, () => p);
          be.run(...batch); // warm-up: pipeline compile, first touch, clocks
          await be.sync();
          const times: number[] = [];
          for (let r = 0; r < repeats; r++) {
            const t0 = performance.now();
            be.run(...batch);
            await be.sync();
            times.push((performance.now() - t0) / iterations);
          }
          times.sort((x, y) => x - y);
          const ms = times[Math.floor(times.length / 2)]!;
          const cData = await be.read(c);
          let maxRelError = 0;
          for (let s = 0; s < 16; s++) {
            const i = (s * 7919) % m;
            const j = (s * 104729) % n;
            let ref = 0;
            for (let q = 0; q < k; q++) {
              const av = layout === 'tn' ? aData[q * lda + i]! : aData[i * lda + q]!;
              const bv = layout === 'nt' ? bData[j * ldb + q]! : bData[q * ldb + j]!;
              ref += av * bv;
            }
            maxRelError = Math.max(maxRelError, Math.abs(cData[i * n + j]! - ref) / (1 + Math.abs(ref)));
          }
          be.release(p);
          for (const t of [a, b, c]) be.free(t);
          const tiling = variant === 'auto' ? matmulTiling(m, n, /swiftshader/i.test(be.description)) : variant;
          const r = { m, n, k, layout, tiling, iterations, ms, gflops: (2 * m * n * k) / (ms * 1e6), maxRelError };
          if (maxRelError > 1e-3 * Math.sqrt(k)) {
            throw new MatmulBenchError(
              `matmul ${m}×${n}×${k} ${layout} ${tiling}: wrong result (rel. error ${maxRelError})`,
            );
          }
          opts.onResult?.(r);
          results.push(r);
        }
      }
    } finally {
      be.dispose();
    }
  }
  return results;
}
