/**
 * `npm run bench:kfac-defaults`: which K-FAC defaults (inverse interval, damping rule, η) train best across
 * more than one network. Each configuration trains the MNIST autoencoder from the same seeds (same initial
 * weights and batches) on the CPU backend and reports the final training loss over the whole train split;
 * a table per network lists every (configuration, η, seed), then each configuration's best η with the
 * median over the seeds. Adam at the given rates runs beside it as the reference the defaults must beat.
 */
import { Command } from 'commander';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import { defaultKfac, type KfacDampingRule } from '../src/engine/kfac/spec.ts';
import { defaultOptimizer, type OptimizerConfig } from '../src/engine/optim/config.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { fmt } from './timing.ts';

const NETS: Record<string, string> = {
  preset: '784-64r-16-64r-784',
  deep: '784-128r-64r-16-64r-128r-784',
};

interface Variant {
  readonly name: string;
  readonly optimizer: (lr: number) => OptimizerConfig;
}

function kfacVariant(spec: string): Variant {
  const [every, rule] = spec.split(':');
  const dampingRule: KfacDampingRule = rule === 'lm' ? 'levenberg-marquardt' : 'fixed';
  if (!Number.isInteger(Number(every)) || Number(every) < 1 || (rule !== 'lm' && rule !== 'fixed'))
    throw new Error(`a K-FAC configuration is EVERY:fixed or EVERY:lm, not '${spec}'`);
  return {
    name: `K-FAC inverses /${every}, ${rule === 'lm' ? 'LM damping' : 'fixed damping'}`,
    optimizer: (lr) => ({ ...defaultKfac(), lr, invEvery: Number(every), dampingRule }),
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const list = (s: string): number[] => s.split(',').map(Number);

async function main(): Promise<void> {
  const o = new Command('kfac-defaults')
    .option('--net <name>', `network: ${Object.keys(NETS).join(', ')}`, 'preset')
    .option('--steps <n>', 'training steps', '500')
    .option('--configs <list>', 'K-FAC configurations EVERY:fixed|lm', '20:fixed,20:lm,100:fixed,100:lm')
    .option('--lrs <list>', "K-FAC's η grid", '0.03,0.1,0.3')
    .option('--adam-lrs <list>', "Adam's rate grid (empty: no Adam)", '0.003,0.01,0.02')
    .option('--seeds <list>', 'seeds', '1,2,3')
    .parse()
    .opts<{ net: string; steps: string; configs: string; lrs: string; adamLrs: string; seeds: string }>();
  const arch = NETS[o.net];
  if (!arch) throw new Error(`unknown --net '${o.net}'`);
  const steps = Number(o.steps);
  const seeds = list(o.seeds);
  const variants: [Variant, number[]][] = o.configs
    .split(',')
    .filter(Boolean)
    .map((c) => [kfacVariant(c), list(o.lrs)]);
  if (o.adamLrs)
    variants.push([{ name: 'Adam', optimizer: (lr) => ({ ...defaultOptimizer('adam'), lr }) }, list(o.adamLrs)]);

  const backend = new CpuBackend({ precision: 'f32' });
  const data = new DeviceDataset(backend, loadMnistNode('mnist-ae'));
  console.log(
    `# K-FAC defaults on mnist-ae ${arch}, batch 100, Bernoulli, ${steps} steps, seeds ${seeds.join(',')}, ${backend.description}, ${new Date().toISOString()}\n`,
  );
  console.log('| run | η | seed | final train loss | s |\n|---|---|---|---|---|');
  const best: { name: string; lr: number; losses: number[] }[] = [];
  for (const [v, lrs] of variants) {
    const byLr = lrs.map((lr) => ({ lr, losses: [] as number[] }));
    for (const row of byLr)
      for (const seed of seeds) {
        const t0 = performance.now();
        const t = Trainer.create(backend, data, {
          arch,
          likelihood: 'bernoulli',
          batch: 100,
          seed,
          optimizer: v.optimizer(row.lr),
        });
        t.step(steps);
        const loss = (await t.evaluate()).trainLoss;
        t.dispose();
        const final = Number.isFinite(loss) ? loss : Number.POSITIVE_INFINITY;
        row.losses.push(final);
        console.log(
          `| ${v.name} | ${row.lr} | ${seed} | ${fmt(final, 3)} | ${fmt((performance.now() - t0) / 1000, 1)} |`,
        );
      }
    const top = byLr.reduce((a, b) => (median(b.losses) < median(a.losses) ? b : a));
    best.push({ name: v.name, lr: top.lr, losses: top.losses });
  }
  console.log(`\n## best η per run (median over seeds ${seeds.join(',')})\n`);
  console.log('| run | best η | median | per seed |\n|---|---|---|---|');
  for (const b of best.sort((x, y) => median(x.losses) - median(y.losses)))
    console.log(
      `| ${b.name} | ${b.lr} | ${fmt(median(b.losses), 3)} | ${b.losses.map((l) => fmt(l, 2)).join(' / ')} |`,
    );
  data.dispose();
  backend.dispose();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`kfac-defaults bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
