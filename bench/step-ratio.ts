/**
 * `npm run bench:ratio`: FishLeg's step cost against Adam's on `mnist-ae` (docs/benchmarks.md "FishLeg step
 * cost"), measured side by side in one process: Adam and each FishLeg approximation are alternated in
 * rounds of K steps (one auxiliary update per round), so the figure is the steady-state average including
 * the amortised auxiliary update.
 */
import { Command } from 'commander';
import type { Backend } from '../src/engine/backend.ts';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import { defaultFishLeg, defaultOptimizer, FISHLEG_APPROXES, type FishLegApprox } from '../src/engine/optim/config.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { alternateStepTimes, fmt } from './timing.ts';

const MNIST_AE_ARCH = '784-1000r-500r-250r-30-250r-500r-1000r-784';

async function openBackend(name: string): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend({ precision: 'f32' });
  const { requestNodeGpu } = await import('../src/engine/gpu/node-device.ts');
  const { requestWebGpuBackend } = await import('../src/engine/gpu/backend.ts');
  return requestWebGpuBackend(await requestNodeGpu());
}

async function main(): Promise<void> {
  const o = new Command('step-ratio')
    .option('--backend <name>', 'cpu or webgpu', 'webgpu')
    .option('--approx <list>', 'FishLeg approximations', FISHLEG_APPROXES.join(','))
    .option('--rounds <n>', 'alternated rounds', '5')
    .option('--warmup <n>', 'warm-up steps per run (covers at least one auxiliary update)', '12')
    .parse()
    .opts<{ backend: string; approx: string; rounds: string; warmup: string }>();
  const backend = await openBackend(o.backend);
  const data = new DeviceDataset(backend, loadMnistNode('mnist-ae'));
  const base = { arch: MNIST_AE_ARCH, likelihood: 'bernoulli' as const, batch: 100, seed: 1 };
  const approxes = o.approx.split(',') as FishLegApprox[];
  const runs = [
    { name: 'adam', trainer: Trainer.create(backend, data, { ...base, optimizer: defaultOptimizer('adam') }) },
    ...approxes.map((a) => ({
      name: `fishleg ${a}`,
      trainer: Trainer.create(backend, data, { ...base, optimizer: defaultFishLeg(a) }),
    })),
  ];
  const K = defaultFishLeg().auxEvery;
  const times = await alternateStepTimes(runs, { rounds: Number(o.rounds), steps: K, warmup: Number(o.warmup) });
  const adam = times[0]!.msPerStep;
  console.log(`# mnist-ae step time, ${backend.description}, ${new Date().toISOString()}`);
  console.log(`rounds of ${K} steps (one auxiliary update each), alternated ${o.rounds}×; median per run\n`);
  console.log('| run | ms/step | ÷ Adam |\n|---|---|---|');
  for (const t of times) console.log(`| ${t.name} | ${fmt(t.msPerStep)} | ${fmt(t.msPerStep / adam, 2)} |`);
  for (const r of runs) r.trainer.dispose();
  data.dispose();
  backend.dispose();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`step-ratio failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
