/**
 * `npm run bench`: the engine's figures for BENCHMARKS.md — matmul GFLOP/s at several sizes and the Adam
 * step time on the `mnist-ae` task, on each backend available in this process (CPU always; WebGPU through
 * Dawn's Node binding when `--backend webgpu` or `all` and an adapter exists). Prints a table and writes
 * JSON to bench/results/ when --out is given.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Backend } from '../src/engine/backend.ts';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import { defaultOptimizer } from '../src/engine/optim/config.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { alternateStepTimes, fmt } from './timing.ts';

const MNIST_AE_ARCH = '784-1000r-500r-250r-30-250r-500r-1000r-784';

/** C = A·Bᵀ (the forward layout) at size n³, timed over iters runs after one warm-up. */
export async function matmulGflops(backend: Backend, n: number, iters: number): Promise<number> {
  const a = backend.alloc(n * n, 'bench.a');
  const b = backend.alloc(n * n, 'bench.b');
  const c = backend.alloc(n * n, 'bench.c');
  const fill = new Float32Array(n * n).map((_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  backend.write(a, fill);
  backend.write(b, fill);
  const op = { op: 'matmul', layout: 'nt', m: n, n, k: n, a, lda: n, b, ldb: n, c, ldc: n, alpha: 1, beta: 0 } as const;
  const p = backend.record(
    `bench-matmul-${n}`,
    Array.from({ length: iters }, () => op),
  );
  const warm = backend.record('bench-warm', [op]);
  backend.run(warm);
  await backend.sync();
  const t0 = performance.now();
  backend.run(p);
  await backend.sync();
  const seconds = (performance.now() - t0) / 1000;
  backend.release(p);
  backend.release(warm);
  for (const t of [a, b, c]) backend.free(t);
  return (2 * n * n * n * iters) / seconds / 1e9;
}

async function openBackends(which: string): Promise<Backend[]> {
  const out: Backend[] = [];
  if (which === 'cpu' || which === 'all') out.push(new CpuBackend({ precision: 'f32' }));
  if (which === 'webgpu' || which === 'all') {
    try {
      const { requestNodeGpu } = await import('../src/engine/gpu/node-device.ts');
      const { requestWebGpuBackend } = await import('../src/engine/gpu/backend.ts');
      out.push(await requestWebGpuBackend(await requestNodeGpu()));
    } catch (e) {
      process.stderr.write(`webgpu unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
      if (which === 'webgpu') throw e;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const cmd = new Command('bench')
    .option('--backend <name>', 'cpu, webgpu or all', 'all')
    .option('--sizes <list>', 'matmul sizes', '128,256,512,1024')
    .option('--iters <n>', 'matmul repetitions per size', '3')
    .option('--steps <n>', 'timed steps per round for mnist-ae', '3')
    .option('--rounds <n>', 'alternated rounds for mnist-ae', '3')
    .option('--skip-mnist', 'matmul only')
    .option('--out <file>', 'write the figures as JSON')
    .parse();
  const o = cmd.opts<{
    backend: string;
    sizes: string;
    iters: string;
    steps: string;
    rounds: string;
    skipMnist?: boolean;
    out?: string;
  }>();
  const backends = await openBackends(o.backend);
  const sizes = o.sizes.split(',').map(Number);
  const results: Record<string, unknown>[] = [];
  console.log(`# bench ${new Date().toISOString()}  node ${process.version}`);
  for (const be of backends) {
    console.log(`\n## ${be.name}: ${be.description}`);
    console.log('| matmul n³ | GFLOP/s |\n|---|---|');
    for (const n of sizes) {
      const g = await matmulGflops(be, n, Number(o.iters));
      console.log(`| ${n} | ${fmt(g)} |`);
      results.push({ backend: be.name, device: be.description, kind: 'matmul', n, gflops: g });
    }
  }
  if (!o.skipMnist) {
    const data = loadMnistNode('mnist-ae');
    const runs = backends.map((be) => {
      const shared = new DeviceDataset(be, data);
      const trainer = Trainer.create(be, shared, {
        arch: MNIST_AE_ARCH,
        likelihood: 'bernoulli',
        optimizer: defaultOptimizer('adam'),
        batch: 100,
        seed: 1,
      });
      return { name: be.name, trainer, shared };
    });
    const times = await alternateStepTimes(runs, { rounds: Number(o.rounds), steps: Number(o.steps), warmup: 2 });
    const base = times[0]!.msPerStep;
    console.log(
      '\n## mnist-ae Adam step (batch 100), alternated rounds\n| backend | ms/step | ÷ first |\n|---|---|---|',
    );
    for (const t of times) {
      console.log(`| ${t.name} | ${fmt(t.msPerStep)} | ${fmt(t.msPerStep / base, 3)} |`);
      results.push({ backend: t.name, kind: 'mnist-ae-adam-step', msPerStep: t.msPerStep, samples: t.samples });
    }
    for (const r of runs) {
      r.trainer.dispose();
      r.shared.dispose();
    }
  }
  for (const be of backends) be.dispose();
  if (o.out) writeFileSync(o.out, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
