/**
 * Worker of `npm run bench:browser-cpu`: our Adam step on the three networks of bench/tfjs-compare.ts, in a
 * Web Worker of a cross-origin-isolated page (threads) — the place the app's CPU backend runs. Contenders
 * (default threads, one thread, the TypeScript loops) start from the same weights and batches and are
 * alternated in rounds; medians per step.
 */
import { CpuBackend, type CpuBackendOptions } from '../../src/engine/cpu/backend.ts';
import { fetchMnistAsset, mnistDataset, parseMnistAsset } from '../../src/engine/data/mnist.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { defaultOptimizer } from '../../src/engine/optim/config.ts';
import type { Likelihood } from '../../src/engine/ops.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { WasmMatmul } from '../../src/engine/cpu/wasm/wasm-matmul.ts';

export interface BrowserBenchResult {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly description: string;
  readonly helpers: number;
  /** Row chunks the helper threads computed during the run (0 would mean they never took part). */
  helpedChunks: number;
  readonly nets: readonly { name: string; ms: Record<string, number> }[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function run(rounds: number): Promise<BrowserBenchResult> {
  const mnist = mnistDataset(parseMnistAsset(await fetchMnistAsset('/mnist.bin')), 'mnist-ae');
  const nets: { name: string; arch: string; likelihood: Likelihood; batch: number; data: Dataset; steps: number }[] = [
    {
      name: 'spiral 2-32t-32t-2, batch 50',
      arch: '2-32t-32t-2',
      likelihood: 'categorical',
      batch: 50,
      data: toyDataset('spiral'),
      steps: 40,
    },
    {
      name: 'mnist preset 784-64r-16-64r-784, batch 100',
      arch: '784-64r-16-64r-784',
      likelihood: 'bernoulli',
      batch: 100,
      data: mnist,
      steps: 10,
    },
    {
      name: 'mnist 784-300r-100r-30-100r-300r-784, batch 100',
      arch: '784-300r-100r-30-100r-300r-784',
      likelihood: 'bernoulli',
      batch: 100,
      data: mnist,
      steps: 4,
    },
  ];
  const kinds: [string, CpuBackendOptions][] = [
    ['ours', {}],
    ['ours, 1 thread', { threads: 1 }],
    ['ours, TS loops', { kernels: 'ts' }],
  ];
  const probe = new CpuBackend();
  const helpers = await probe.helperThreads();
  const result: BrowserBenchResult = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    description: probe.description,
    helpers,
    helpedChunks: 0,
    nets: [],
  };
  probe.dispose();
  for (const net of nets) {
    const optimizer = defaultOptimizer('adam');
    const runs = kinds.map(([name, options]) => {
      const backend = new CpuBackend(options);
      const config = { arch: net.arch, likelihood: net.likelihood, batch: net.batch, seed: 1, optimizer };
      return { name, backend, trainer: Trainer.create(backend, net.data, config), samples: [] as number[] };
    });
    for (let round = 0; round <= rounds; round++) {
      for (const r of runs) {
        const t0 = performance.now();
        r.trainer.step(net.steps);
        await r.trainer.settle();
        if (round > 0) r.samples.push((performance.now() - t0) / net.steps);
      }
    }
    (result.nets as { name: string; ms: Record<string, number> }[]).push({
      name: net.name,
      ms: Object.fromEntries(runs.map((r) => [r.name, median(r.samples)])),
    });
    for (const r of runs) {
      r.trainer.dispose();
      r.backend.dispose();
    }
  }
  // The default-threads backends all use the process-wide instance (WasmMatmul.shared).
  result.helpedChunks = WasmMatmul.shared(undefined)?.helpedChunks() ?? 0;
  return result;
}

self.onmessage = (e: MessageEvent<{ rounds: number }>) => {
  run(e.data.rounds).then(
    (r) => self.postMessage(r),
    (err: unknown) => self.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
};
