/**
 * `npm run bench:tfjs`: the CPU backend's Adam step against TensorFlow.js's CPU backends (tfjs-backend-wasm,
 * XNNPACK with SIMD, and tfjs-backend-cpu), on three networks, in one process. Every contender starts
 * from the same initial weights (initParams of the same seed) and takes the same batches (batchIndices of
 * the same seed), and each step is a full Adam step: forward, loss, backward, update. Contenders are
 * alternated in rounds; the figure is the median per-step time over the rounds, as a ratio to tfjs.
 *
 * TensorFlow.js is not part of the app's install: it lives in its own package, bench/tfjs/ (pinned versions,
 * its own lockfile), installed here on first use with `npm --prefix bench/tfjs ci`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { barsDataset } from '../src/engine/data/bars.ts';
import { batchIndices } from '../src/engine/data/sampler.ts';
import { toyDataset } from '../src/engine/data/toy.ts';
import type { Dataset } from '../src/engine/data/dataset.ts';
import { defaultOptimizer } from '../src/engine/optim/config.ts';
import type { Likelihood } from '../src/engine/ops.ts';
import { Trainer } from '../src/engine/trainer.ts';
import type { LayerLayout } from '../src/engine/layers/types.ts';
import { fmt } from './timing.ts';

const TFJS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'tfjs');

/** What bench/tfjs/nets.mjs exports (plain JS, so typed here by hand). */
interface TfjsNet {
  step(x: Float32Array, y: Float32Array, rows: number): void;
  lossOn(x: Float32Array, y: Float32Array, rows: number): number;
  settle(): void;
  dispose(): void;
}
interface TfjsModule {
  useBackend(name: 'wasm' | 'cpu'): Promise<string>;
  createNet(
    layers: (Pick<LayerLayout, 'kind' | 'n' | 'm' | 'act' | 'image'> & { w: Float32Array })[],
    likelihood: Likelihood,
    adam: { lr: number; beta1: number; beta2: number; eps: number },
  ): TfjsNet;
}

interface NetCase {
  readonly name: string;
  readonly arch: string;
  readonly likelihood: Likelihood;
  readonly batch: number;
  readonly data: () => Dataset;
  /** Steps per contender per round (so that a round of each lasts tens of milliseconds at least). */
  readonly steps: number;
}

const NETS: NetCase[] = [
  {
    name: 'spiral',
    arch: '2-32t-32t-2',
    likelihood: 'categorical',
    batch: 50,
    data: () => toyDataset('spiral'),
    steps: 40,
  },
  {
    name: 'mnist preset',
    arch: '784-64r-16-64r-784',
    likelihood: 'bernoulli',
    batch: 100,
    data: () => loadMnistNode('mnist-ae'),
    steps: 10,
  },
  {
    name: 'mnist 300-100-30',
    arch: '784-300r-100r-30-100r-300r-784',
    likelihood: 'bernoulli',
    batch: 100,
    data: () => loadMnistNode('mnist-ae'),
    steps: 4,
  },
  {
    name: 'bars CNN',
    arch: '8x8x1-c8k3p1r-mp2-f-2',
    likelihood: 'categorical',
    batch: 64,
    data: () => barsDataset(),
    steps: 20,
  },
  {
    name: 'mnist CNN',
    arch: '28x28x1-c16k5p2r-mp2-f-10',
    likelihood: 'categorical',
    batch: 100,
    data: () => loadMnistNode('mnist'),
    steps: 2,
  },
];

function ensureTfjs(): void {
  if (existsSync(join(TFJS_DIR, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'))) return;
  console.error('bench:tfjs: installing bench/tfjs (TensorFlow.js, first use only)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['--prefix', TFJS_DIR, 'ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm --prefix bench/tfjs ci failed (exit ${r.status})`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The rows of `step`'s batch, as the Trainer gathers them. */
function hostBatch(d: Dataset, seed: number, step: number, batch: number): { x: Float32Array; y: Float32Array } {
  const idx = batchIndices(seed, step, batch, d.train.n);
  const x = new Float32Array(batch * d.inputDim);
  const y = new Float32Array(batch * d.outputDim);
  idx.forEach((r, i) => {
    x.set(d.train.x.subarray(r * d.inputDim, (r + 1) * d.inputDim), i * d.inputDim);
    y.set(d.train.y.subarray(r * d.outputDim, (r + 1) * d.outputDim), i * d.outputDim);
  });
  return { x, y };
}

interface Contender {
  readonly name: string;
  /** Runs `count` steps from step `from` and waits for them. */
  run(from: number, count: number): Promise<void>;
  samples: number[];
}

async function benchNet(
  tfjs: TfjsModule,
  net: NetCase,
  rounds: number,
  seed: number,
): Promise<{ name: string; ms: Map<string, number>; losses: string }> {
  const d = net.data();
  const adam = defaultOptimizer('adam');
  if (adam.kind !== 'adam') throw new Error('unreachable');
  const config = { arch: net.arch, likelihood: net.likelihood, batch: net.batch, seed, optimizer: adam };
  const ours = (name: string, options: ConstructorParameters<typeof CpuBackend>[0]) => {
    const backend = new CpuBackend({ precision: 'f32', ...options });
    const trainer = Trainer.create(backend, d, config);
    return { name, backend, trainer };
  };
  const oursRuns = [
    ours('ours', {}),
    ours('ours, 1 thread', { threads: 1 }),
    ours('ours, TS loops', { kernels: 'ts' }),
  ];
  await Promise.all(oursRuns.map((r) => r.backend.helperThreads()));
  const w0 = await oursRuns[0]!.trainer.readParams();
  const layers = oursRuns[0]!.trainer.layout.layers.map((l) => ({
    kind: l.kind,
    n: l.n,
    m: l.m,
    act: l.act,
    ...(l.image ? { image: l.image } : {}),
    w: w0.subarray(l.offset, l.offset + l.size),
  }));
  const tfNets = new Map<'wasm' | 'cpu', TfjsNet>();
  for (const b of ['wasm', 'cpu'] as const) {
    await tfjs.useBackend(b);
    tfNets.set(b, tfjs.createNet(layers, net.likelihood, adam));
  }
  const batches = new Map<number, { x: Float32Array; y: Float32Array }>();
  const batchAt = (s: number) => {
    let b = batches.get(s);
    if (!b) batches.set(s, (b = hostBatch(d, seed, s, net.batch)));
    return b;
  };
  // Same weights and batches: the loss of step 0's batch at the initial weights, on every contender.
  const b0 = batchAt(0);
  const tfLoss = new Map<string, number>();
  for (const [b, n] of tfNets) {
    await tfjs.useBackend(b);
    tfLoss.set(b, n.lossOn(b0.x, b0.y, net.batch));
  }
  // Ours on the same batch: a trainer (same seed, so the same initial weights) whose train split is that batch.
  const probe = ours('probe', {});
  const one = Trainer.create(probe.backend, { ...d, train: { ...d.train, x: b0.x, y: b0.y, n: net.batch } }, config);
  const ourLoss = (await one.evaluate()).trainLoss;
  // Step 0 on every contender, outside the timed rounds (which start at step 1).
  for (const r of oursRuns) r.trainer.step(1);
  for (const [b, n] of tfNets) {
    await tfjs.useBackend(b);
    n.step(b0.x, b0.y, net.batch);
  }
  const losses = `step-0 loss: ours ${ourLoss.toFixed(6)}, tfjs-wasm ${tfLoss.get('wasm')!.toFixed(6)}, tfjs-cpu ${tfLoss.get('cpu')!.toFixed(6)}`;

  const contenders: Contender[] = [
    ...oursRuns.map((r) => ({
      name: r.name,
      samples: [] as number[],
      run: async (_from: number, count: number) => {
        r.trainer.step(count);
        await r.trainer.settle();
      },
    })),
    ...[...tfNets].map(([b, n]) => ({
      name: `tfjs-${b}`,
      samples: [] as number[],
      run: async (from: number, count: number) => {
        await tfjs.useBackend(b);
        for (let s = from; s < from + count; s++) {
          const { x, y } = batchAt(s);
          n.step(x, y, net.batch);
        }
        n.settle();
        return Promise.resolve();
      },
    })),
  ];
  // Batches are built outside the timed region (the Trainer's gather runs inside it: a small bias against us).
  for (let s = 1; s < 1 + (rounds + 1) * net.steps; s++) batchAt(s);
  // Round 0 warms every contender up (JIT, first allocation); it is not counted.
  for (let round = 0; round <= rounds; round++) {
    const from = 1 + round * net.steps;
    for (const c of contenders) {
      if (c.name.startsWith('tfjs-')) await tfjs.useBackend(c.name.slice(5) as 'wasm' | 'cpu');
      const t0 = performance.now();
      await c.run(from, net.steps);
      const dt = (performance.now() - t0) / net.steps;
      if (round > 0) c.samples.push(dt);
    }
  }
  // Same steps taken: the loss of step 0's batch after them agrees too, which checks the backward passes.
  const steps = 1 + (rounds + 1) * net.steps;
  one.loadParams(await oursRuns[0]!.trainer.readParams());
  const after = [`ours ${(await one.evaluate()).trainLoss.toFixed(6)}`];
  for (const [b, n] of tfNets) {
    await tfjs.useBackend(b);
    after.push(`tfjs-${b} ${n.lossOn(b0.x, b0.y, net.batch).toFixed(6)}`);
  }
  one.dispose();
  probe.trainer.dispose();
  probe.backend.dispose();
  for (const r of oursRuns) {
    r.trainer.dispose();
    r.backend.dispose();
  }
  for (const n of tfNets.values()) n.dispose();
  return {
    name: `${net.name} ${net.arch}, batch ${net.batch}`,
    ms: new Map(contenders.map((c) => [c.name, median(c.samples)])),
    losses: `${losses}; after ${steps} steps: ${after.join(', ')}`,
  };
}

async function main(): Promise<void> {
  const o = new Command('bench:tfjs')
    .option('--rounds <n>', 'alternated rounds per network (medians over them)', '7')
    .option(
      '--nets <list>',
      'comma-separated indices into spiral,mnist preset,300-100-30,bars CNN,mnist CNN',
      '0,1,2,3,4',
    )
    .option('--seed <n>', 'seed of weights and batches', '1')
    .parse()
    .opts<{ rounds: string; nets: string; seed: string }>();
  ensureTfjs();
  const spec = pathToFileURL(join(TFJS_DIR, 'nets.mjs')).href;
  const tfjs = (await import(spec)) as TfjsModule;
  const wasmName = await tfjs.useBackend('wasm');
  const probe = new CpuBackend({ precision: 'f32' });
  const helpers = await probe.helperThreads();
  const ourName = probe.description;
  probe.dispose();
  console.log(`# CPU Adam step: ours vs TensorFlow.js 4.22.0, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`ours = ${ourName}, ${helpers + 1} thread(s); ${wasmName}; medians of ${o.rounds} alternated rounds\n`);
  const rows: string[] = [];
  for (const i of o.nets.split(',').map(Number)) {
    const net = NETS[i];
    if (!net) throw new Error(`no network #${i}`);
    const r = await benchNet(tfjs, net, Number(o.rounds), Number(o.seed));
    const ms = (name: string) => r.ms.get(name)!;
    const ours = ms('ours');
    rows.push(
      `| ${r.name} | ${fmt(ours, 3)} | ${fmt(ms('ours, 1 thread'), 3)} | ${fmt(ms('ours, TS loops'), 3)} | ` +
        `${fmt(ms('tfjs-wasm'), 3)} | ${fmt(ms('tfjs-cpu'), 3)} | **${fmt(ours / ms('tfjs-wasm'), 2)}** | ` +
        `${fmt(ms('ours, 1 thread') / ms('tfjs-wasm'), 2)} | **${fmt(ours / ms('tfjs-cpu'), 2)}** |`,
    );
    console.error(`${r.name}: ${r.losses}`);
  }
  console.log(
    '| network | ours ms | ours 1-thread ms | ours TS-loops ms | tfjs-wasm ms | tfjs-cpu ms | ours ÷ tfjs-wasm | ours 1-thread ÷ tfjs-wasm | ours ÷ tfjs-cpu |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:tfjs failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
