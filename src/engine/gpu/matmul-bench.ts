/**
 * Times the matmul op for the benchmark scripts: GFLOP/s of C = op(A)·op(B) per contender (a WebGPU
 * backend per forced tiling on one device, or any Backend), measured side by side. Per product shape
 * the batch length (products encoded in one submit) is calibrated once so that a batch runs ≥ targetMs,
 * then contenders are alternated over `repeats` rounds and each reports its median. WebGPU batches are
 * timed from submit to onSubmittedWorkDone (encoding excluded); CPU ones whole. A few entries of every
 * C are checked against float64 dot products, so a fast wrong kernel cannot report a speed.
 */
import type { Backend, Program } from '../backend.ts';
import type { MatmulLayout } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import { createWebGpuBackend } from './backend.ts';
import { describeMatmulConfig, matmulConfig, parseMatmulVariant, type MatmulVariant } from './kernels/matmul.ts';

/** One product to time. */
export interface MatmulBenchCase {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly layout: MatmulLayout;
  /** What the product is (e.g. 'fwd 784→1000'), shown in tables. */
  readonly label?: string;
}

/** A backend to time, under a column name. */
export interface MatmulContender {
  readonly name: string;
  readonly backend: Backend;
  /** The kernel it runs for a shape (e.g. 'tile32/split8'), when it has a choice. */
  readonly kernel?: (m: number, n: number, k: number) => string;
}

/** Options of benchMatmulCases. */
export interface MatmulBenchOptions {
  /** Fixed products per batch; default: calibrated per shape from targetMs. */
  readonly iterations?: number;
  /** Calibrated batches last at least this long for the fastest contender (default 20 ms). */
  readonly targetMs?: number;
  /** Most products per batch when calibrating (default 2000). */
  readonly maxIterations?: number;
  /** Alternated rounds; each contender's median is reported (default 5). */
  readonly repeats?: number;
  /** Receives each shape's results (one per contender) as soon as they are measured. */
  readonly onCase?: (results: readonly MatmulBenchResult[]) => void;
}

/** One measurement. */
export interface MatmulBenchResult {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly layout: MatmulLayout;
  readonly label?: string;
  readonly contender: string;
  /** The kernel that ran (e.g. 'tile64/split8'), when known. */
  readonly kernel?: string;
  readonly iterations: number;
  /** Milliseconds per product (median of the rounds). */
  readonly ms: number;
  readonly gflops: number;
  /** Largest |C − reference| / (1 + |reference|) over the sampled entries. */
  readonly maxRelError: number;
}

/** Thrown when a backend's output disagrees with the float64 reference. */
export class MatmulBenchError extends Error {
  override readonly name = 'MatmulBenchError';
}

/** Deterministic, cheap data in [−0.5, 0.5) (speed does not depend on the values). */
function pattern(n: number, salt: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 7919 + salt * 104729) % 1000) - 500) / 1000;
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

interface Prepared {
  readonly c: MatmulContender;
  readonly tensors: readonly Tensor[];
  readonly out: Tensor;
  readonly program: Program;
}

/** Milliseconds of one batch of `iterations` runs of `p` (see the file header for what is timed). */
async function timeBatch(p: Prepared, iterations: number): Promise<number> {
  const be = p.c.backend;
  const batch = Array.from({ length: iterations }, () => p.program);
  await be.sync();
  const t0 = performance.now();
  be.run(...batch);
  const submitted = performance.now();
  await be.sync();
  return performance.now() - (be.name === 'webgpu' ? submitted : t0);
}

/** Times every case on every contender, alternating contenders; see the file header. */
export async function benchMatmulCases(
  contenders: readonly MatmulContender[],
  cases: readonly MatmulBenchCase[],
  opts: MatmulBenchOptions = {},
): Promise<MatmulBenchResult[]> {
  const repeats = opts.repeats ?? 5;
  const targetMs = opts.targetMs ?? 20;
  const maxIterations = opts.maxIterations ?? 2000;
  const results: MatmulBenchResult[] = [];
  for (const cs of cases) {
    const { m, n, k, layout } = cs;
    const aData = pattern(m * k, 1);
    const bData = pattern(k * n, 2);
    const lda = layout === 'tn' ? m : k;
    const ldb = layout === 'nt' ? k : n;
    const prepared: Prepared[] = [];
    try {
      for (const c of contenders) {
        const be = c.backend;
        const a = be.alloc(m * k, 'bench A');
        const b = be.alloc(k * n, 'bench B');
        const out = be.alloc(m * n, 'bench C');
        be.write(a, aData);
        be.write(b, bData);
        const program = be.record(`bench ${m}×${n}×${k} ${layout}`, [
          { op: 'matmul', layout, m, n, k, a, lda, b, ldb, c: out, ldc: n, alpha: 1, beta: 0 },
        ]);
        prepared.push({ c, tensors: [a, b, out], out, program });
        await timeBatch(prepared.at(-1)!, 1); // warm-up: pipeline compile, first touch, clocks
      }
      let iterations = opts.iterations ?? 0;
      if (!iterations) {
        // Grow the fastest contender's batch until it is long enough to time, then scale to targetMs.
        let probe = prepared[0]!;
        let ms = Infinity;
        for (const p of prepared) {
          const t = await timeBatch(p, 1);
          if (t < ms) [probe, ms] = [p, t];
        }
        iterations = 1;
        while (ms < targetMs / 4 && iterations < maxIterations) {
          iterations = Math.min(maxIterations, iterations * 4);
          ms = await timeBatch(probe, iterations);
        }
        iterations = Math.max(1, Math.min(maxIterations, Math.round((iterations * targetMs) / Math.max(ms, 1e-3))));
      }
      const times = prepared.map(() => [] as number[]);
      for (let r = 0; r < repeats; r++) {
        for (let i = 0; i < prepared.length; i++) {
          times[i]!.push((await timeBatch(prepared[i]!, iterations)) / iterations);
        }
      }
      const caseResults: MatmulBenchResult[] = [];
      for (let i = 0; i < prepared.length; i++) {
        const p = prepared[i]!;
        const cData = await p.c.backend.read(p.out);
        let maxRelError = 0;
        for (let s = 0; s < 16; s++) {
          const row = (s * 7919) % m;
          const col = (s * 104729) % n;
          let ref = 0;
          for (let q = 0; q < k; q++) {
            const av = layout === 'tn' ? aData[q * lda + row]! : aData[row * lda + q]!;
            const bv = layout === 'nt' ? bData[col * ldb + q]! : bData[q * ldb + col]!;
            ref += av * bv;
          }
          maxRelError = Math.max(maxRelError, Math.abs(cData[row * n + col]! - ref) / (1 + Math.abs(ref)));
        }
        const kernel = p.c.kernel?.(m, n, k);
        const what = `matmul ${m}×${n}×${k} ${layout} on ${p.c.name}${kernel ? ` (${kernel})` : ''}`;
        if (!(maxRelError <= 1e-3 * Math.sqrt(k))) {
          throw new MatmulBenchError(`${what}: wrong result (rel. error ${maxRelError})`);
        }
        const ms = median(times[i]!);
        caseResults.push({
          m,
          n,
          k,
          layout,
          ...(cs.label !== undefined ? { label: cs.label } : {}),
          contender: p.c.name,
          ...(kernel !== undefined ? { kernel } : {}),
          iterations,
          ms,
          gflops: (2 * m * n * k) / (ms * 1e6),
          maxRelError,
        });
      }
      opts.onCase?.(caseResults);
      results.push(...caseResults);
    } finally {
      for (const p of prepared) {
        p.c.backend.release(p.program);
        for (const t of p.tensors) p.c.backend.free(t);
      }
    }
  }
  return results;
}

/**
 * One WebGPU backend per variant on `device` (sharing it), named by the variant, for benchMatmulCases.
 * The caller disposes them (and still owns the device).
 */
export function matmulVariantContenders(
  device: GPUDevice,
  variants: readonly MatmulVariant[],
  adapterInfo?: GPUAdapterInfo,
): MatmulContender[] {
  for (const v of variants) if (v !== 'auto') parseMatmulVariant(v); // a typo fails before any work
  return variants.map((variant) => {
    const backend = createWebGpuBackend(device, adapterInfo, { matmul: variant });
    const emulated = /swiftshader/i.test(backend.description);
    return {
      name: variant,
      backend,
      kernel: (m, n, k) => describeMatmulConfig(matmulConfig(m, n, k, variant, emulated)),
    };
  });
}
