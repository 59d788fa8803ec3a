/**
 * `npm run bench:kfac`: K-FAC on an MNIST-autoencoder network (`--net preset`: the playground's
 * 784-64r-16-64r-784; `--net deep`: 784-128r-64r-16-64r-128r-784; batch 100, Bernoulli likelihood), in one
 * process:
 *  1. step cost of K-FAC next to Adam's and FishLeg's (block-Kron), alternated in rounds of invEvery steps,
 *     so each K-FAC figure includes one amortised inverse refresh;
 *  2. how many K-FAC steps reach the training loss Adam has after --adam-steps steps (checked every --every
 *     steps, up to --max-steps), with Adam's loss at the same step counts for comparison.
 * Training loss is over the whole train split, evaluated outside the timed steps.
 */
import { Command } from 'commander';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import { defaultKfac, type KfacDampingRule } from '../src/engine/kfac/spec.ts';
import { defaultFishLeg, defaultOptimizer } from '../src/engine/optim/config.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { alternateStepTimes, fmt } from './timing.ts';

export const KFAC_BENCH_NETS: Readonly<Record<string, string>> = {
  preset: '784-64r-16-64r-784',
  deep: '784-128r-64r-16-64r-128r-784',
};

async function main(): Promise<void> {
  const o = new Command('kfac')
    .option('--net <name>', `network: ${Object.keys(KFAC_BENCH_NETS).join(', ')}`, 'preset')
    .option('--adam-lr <x>', "Adam's learning rate (1e-2 is its best on the preset net's 500 steps)", '0.01')
    .option('--damping-rule <rule>', "K-FAC's damping rule: fixed, levenberg-marquardt", defaultKfac().dampingRule)
    .option('--rounds <n>', 'alternated timing rounds (0 skips the timing)', '3')
    .option('--inv-every <n>', "K-FAC's inverse interval", String(defaultKfac().invEvery))
    .option('--adam-steps <n>', "Adam's steps that set the target loss (0 skips the race)", '3000')
    .option('--max-steps <n>', 'most K-FAC steps to try', '3000')
    .option('--every <n>', 'K-FAC steps between loss checks', '50')
    .option('--target <loss>', "race K-FAC to this loss instead of Adam's (0: just print its curve)")
    .parse()
    .opts<{
      net: string;
      adamLr: string;
      dampingRule: KfacDampingRule;
      rounds: string;
      invEvery: string;
      adamSteps: string;
      maxSteps: string;
      every: string;
      target?: string;
    }>();
  const ARCH = KFAC_BENCH_NETS[o.net];
  if (!ARCH) throw new Error(`unknown --net '${o.net}'`);
  const invEvery = Number(o.invEvery);
  const backend = new CpuBackend({ precision: 'f32' });
  const data = new DeviceDataset(backend, loadMnistNode('mnist-ae'));
  const base = { arch: ARCH, likelihood: 'bernoulli' as const, batch: 100, seed: 1 };
  if (o.dampingRule !== 'fixed' && o.dampingRule !== 'levenberg-marquardt')
    throw new Error(`unknown --damping-rule '${String(o.dampingRule)}'`);
  const kfac = { ...defaultKfac(), invEvery, dampingRule: o.dampingRule };
  const adam = { ...defaultOptimizer('adam'), lr: Number(o.adamLr) };
  console.log(`# K-FAC on mnist-ae ${ARCH}, batch 100, ${backend.description}, ${new Date().toISOString()}`);

  // K-FAC's amortised step ÷ Adam's, measured side by side below (null when the timing is skipped).
  let stepRatio: number | null = null;
  if (Number(o.rounds) > 0) {
    const runs = [
      { name: 'adam', trainer: Trainer.create(backend, data, { ...base, optimizer: adam }) },
      { name: 'fishleg block-kron', trainer: Trainer.create(backend, data, { ...base, optimizer: defaultFishLeg() }) },
      {
        name: `kfac (inverse every ${invEvery}, ${o.dampingRule} damping)`,
        trainer: Trainer.create(backend, data, { ...base, optimizer: kfac }),
      },
    ];
    // Warm-up of one step: K-FAC's step 0 inverts, so every timed round holds exactly one refresh.
    const times = await alternateStepTimes(runs, { rounds: Number(o.rounds), steps: invEvery, warmup: 1 });
    const a = times[0]!.msPerStep;
    stepRatio = times[2]!.msPerStep / a;
    console.log(`\nrounds of ${invEvery} steps, alternated ${o.rounds}×; median per run\n`);
    console.log('| run | ms/step | ÷ Adam |\n|---|---|---|');
    for (const t of times) console.log(`| ${t.name} | ${fmt(t.msPerStep)} | ${fmt(t.msPerStep / a, 2)} |`);
    for (const r of runs) r.trainer.dispose();
  }

  const adamSteps = Number(o.adamSteps);
  const every = Number(o.every);
  const maxSteps = Number(o.maxSteps);
  if (o.target !== undefined) {
    const target = Number(o.target);
    console.log(`\nK-FAC towards training loss ${target}\n\n| step | K-FAC loss |\n|---|---|`);
    const tk = Trainer.create(backend, data, { ...base, optimizer: kfac });
    for (let s = every; s <= maxSteps; s += every) {
      tk.step(s - tk.stepCount);
      const loss = (await tk.evaluate()).trainLoss;
      console.log(`| ${s} | ${fmt(loss, 3)} |`);
      if (loss <= target) break;
    }
    tk.dispose();
  } else if (adamSteps > 0) {
    const ta = Trainer.create(backend, data, { ...base, optimizer: adam });
    const adamAt = new Map<number, number>();
    for (let s = every; s <= Math.max(adamSteps, maxSteps); s += every) {
      ta.step(s - ta.stepCount);
      if (s <= maxSteps || s === adamSteps) adamAt.set(s, (await ta.evaluate()).trainLoss);
      if (s >= adamSteps && s >= maxSteps) break;
    }
    if (!adamAt.has(adamSteps)) {
      ta.step(adamSteps - ta.stepCount);
      adamAt.set(adamSteps, (await ta.evaluate()).trainLoss);
    }
    ta.dispose();
    const target = adamAt.get(adamSteps)!;
    console.log(`\nAdam (lr ${adam.lr}) training loss after ${adamSteps} steps: ${fmt(target, 3)}\n`);
    console.log('| step | K-FAC loss | Adam loss |\n|---|---|---|');
    const tk = Trainer.create(backend, data, { ...base, optimizer: kfac });
    let reached: number | null = null;
    for (let s = every; s <= maxSteps; s += every) {
      tk.step(s - tk.stepCount);
      const loss = (await tk.evaluate()).trainLoss;
      console.log(`| ${s} | ${fmt(loss, 3)} | ${fmt(adamAt.get(s) ?? Number.NaN, 3)} |`);
      if (loss <= target) {
        reached = s;
        break;
      }
    }
    tk.dispose();
    console.log(
      reached === null
        ? `\nK-FAC did not reach Adam's ${adamSteps}-step loss within ${maxSteps} steps`
        : `\nK-FAC reached Adam's ${adamSteps}-step loss at step ${reached} (checked every ${every})` +
            (stepRatio === null
              ? ''
              : `: in time, ${reached} × ${fmt(stepRatio, 2)} Adam steps ≈ ${fmt((reached * stepRatio) / adamSteps, 2)} × Adam's ${adamSteps} steps`),
    );
  }
  data.dispose();
  backend.dispose();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`kfac bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
