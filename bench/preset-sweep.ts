/**
 * `npx tsx bench/preset-sweep.ts --preset <id>`: trains every run of a playground preset on the CPU backend,
 * through the worker's own path (preset → PlaygroundConfig → RaceSpec → Race, data loaded as session.ts
 * does), in lock-step, and prints train/test loss at checkpoints and "steps to reach" comparisons. Optional
 * comma lists override FishLeg's, Adam's and SGD's settings (one run per combination, raced together) so the
 * presets' values can be swept and the promise of each preset checked on several seeds. Steps default to the
 * preset's step budget (stopAt); --print-every thins the printed rows, the summary gives each run's lowest test
 * loss (over-fitting: a final test loss well above it), and --rel-error adds the inspected FishLeg layer's
 * relative error to the exact (F + γI)⁻¹, as Inside FishLeg shows it.
 */
import { Command } from 'commander';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { readMnistAssetBytes } from '../src/engine/data/mnist-node.ts';
import { getTask } from '../src/engine/data/tasks.ts';
import type { Dataset } from '../src/engine/data/dataset.ts';
import { OPTIMIZER_LABELS, type FishLegApprox, type OptimizerConfig } from '../src/engine/optim/config.ts';
import { PRESETS } from '../src/ui/presets.ts';
import { runsFor, type PlaygroundConfig } from '../src/ui/config.ts';
import { Race, type RaceListener } from '../src/worker/race.ts';
import type { DataSpec, RaceSpec } from '../src/worker/protocol.ts';

/** Thrown for command-line values the sweep cannot use. */
class SweepError extends Error {
  override readonly name = 'SweepError';
}

const list = (s: string | undefined): number[] | null => (s === undefined ? null : s.split(',').map(Number));

/** Same loading as WorkerSession's #loadData, with the MNIST bytes read from disk. */
async function loadData(spec: Omit<DataSpec, 'csv'>): Promise<Dataset> {
  if (spec.task === 'csv') throw new SweepError('the CSV task needs a file; pick a preset with a built-in task');
  if (spec.task === 'mnist' || spec.task === 'mnist-ae') {
    const bytes = readMnistAssetBytes();
    return getTask(spec.task).load({ mnistBytes: () => Promise.resolve(bytes) });
  }
  return getTask(spec.task).load({ n: spec.n, noise: spec.noise, seed: spec.seed });
}

interface Overrides {
  readonly fl: Record<string, number[] | null>;
  readonly approx: FishLegApprox[] | null;
  readonly adamLr: number[] | null;
  readonly sgdLr: number[] | null;
}

/** Every combination of the override lists applied to one optimizer. */
function expand(o: OptimizerConfig, ov: Overrides): OptimizerConfig[] {
  let out: OptimizerConfig[] = [o];
  const cross = (key: string, values: readonly (number | string)[] | null): void => {
    if (!values) return;
    out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  };
  if (o.kind === 'fishleg') {
    cross('approx', ov.approx);
    for (const [k, v] of Object.entries(ov.fl)) cross(k, v);
  } else if (o.kind === 'adam' || o.kind === 'adamw') cross('lr', ov.adamLr);
  else cross('lr', ov.sgdLr);
  return out;
}

function label(o: OptimizerConfig): string {
  if (o.kind === 'fishleg')
    return `FL ${o.approx} η${o.lr} α${o.auxLr} γ${o.damping} K${o.auxEvery}${o.initScale !== null ? ` s${o.initScale}` : ''}`;
  if (o.kind === 'sgd') return `SGD ${o.lr} m${o.momentum}`;
  if (o.kind === 'kfac') return `K-FAC ${o.lr} γ${o.damping} inv${o.invEvery}`;
  return `${OPTIMIZER_LABELS[o.kind]} ${o.lr}`;
}

const silent: RaceListener = { diverged: () => {}, switched: () => {}, taskFrame: () => {}, insideFrame: () => {} };

async function runSeed(
  cfg: PlaygroundConfig,
  steps: number,
  evalEvery: number,
  printEvery: number,
  quiet: boolean,
): Promise<Map<string, number[][]>> {
  const spec: RaceSpec = { data: cfg.data, model: cfg.model, runs: cfg.runs, inspect: cfg.inspect };
  const data = await loadData(cfg.data);
  const backend = new CpuBackend({ precision: 'f32' });
  // With an inspected run (--rel-error), each printed row also gives its Inside-FishLeg relative error.
  const relErrors: (number | null)[] = [];
  const listener: RaceListener = { ...silent, insideFrame: (f) => relErrors.push(f.relError) };
  const race = Race.build(backend, data, spec, listener, { viewEvery: 1e9, checkpointEvery: 1e9 });
  const names = new Map(cfg.runs.map((r) => [r.id, label(r.optimizer)]));
  const curves = new Map<string, number[][]>(cfg.runs.map((r) => [r.id, []]));
  const t0 = Date.now();
  for (let step = 0; step <= steps; step += evalEvery) {
    if (step > 0) await race.step(evalEvery);
    const points = await race.evaluate();
    for (const p of points) curves.get(p.runId)!.push([p.point.step, p.point.trainLoss, p.point.testLoss]);
    if (!quiet && (step % printEvery === 0 || step + evalEvery > steps)) {
      const row = points.map((p) => `${p.point.trainLoss.toFixed(3)}/${p.point.testLoss.toFixed(3)}`).join('  ');
      relErrors.length = 0;
      if (cfg.inspect.runId !== null) await race.sendViews();
      const relError = relErrors.at(-1) ?? null;
      const rel = relError !== null ? `  rel. error ${relError.toFixed(3)}` : '';
      console.log(`step ${String(step).padStart(5)}  ${row}${rel}`);
    }
  }
  race.dispose();
  backend.dispose();
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const r of cfg.runs) {
    const c = curves.get(r.id)!;
    if (c.length === 0 || c.length < steps / evalEvery + 1) names.set(r.id, `${names.get(r.id)} (diverged)`);
  }
  summarise(cfg, curves, names);
  return curves;
}

/** The first evaluated step whose train loss is ≤ target, or null. */
function stepsTo(curve: number[][], target: number): number | null {
  return curve.find((p) => p[1]! <= target)?.[0] ?? null;
}

/** Final and best-of-last-quarter losses of each run, and steps each needs to reach the best baseline's final loss. */
function summarise(cfg: PlaygroundConfig, curves: Map<string, number[][]>, names: Map<string, string>): void {
  const final = (id: string): number => curves.get(id)!.at(-1)?.[1] ?? Number.NaN;
  const baselines = cfg.runs.filter((r) => r.optimizer.kind !== 'fishleg');
  const best = baselines.reduce<string | null>((b, r) => (b === null || final(r.id) < final(b) ? r.id : b), null);
  const target = best !== null ? final(best) : Number.NaN;
  console.log(`  best baseline: ${best !== null ? names.get(best) : '-'}  final train ${target.toFixed(4)}`);
  for (const r of cfg.runs) {
    const c = curves.get(r.id)!;
    const last = c.at(-1);
    const mean = (k: number): number => {
      const tail = c.slice(Math.floor((c.length * 3) / 4));
      return tail.reduce((s, p) => s + p[k]!, 0) / tail.length;
    };
    const reach = Number.isFinite(target) ? stepsTo(c, target) : null;
    // Over-fitting shows as a final test loss above the run's best one.
    const best = c.reduce<number[] | null>((b, p) => (b === null || p[2]! < b[2]! ? p : b), null);
    console.log(
      `  ${names.get(r.id)!.padEnd(44)} final ${last?.[1]?.toFixed(4)}/${last?.[2]?.toFixed(4)}` +
        `  last-¼ mean ${mean(1).toFixed(4)}/${mean(2).toFixed(4)}  reaches best baseline at ${reach ?? '—'}` +
        `  min test ${best?.[2]?.toFixed(4)} at ${best?.[0] ?? '—'}`,
    );
  }
}

async function main(): Promise<void> {
  const cmd = new Command('preset-sweep')
    .requiredOption('--preset <id>', `one of ${PRESETS.map((p) => p.id).join(', ')}`)
    .option('--steps <n>', 'training steps (default: the preset’s step budget, stopAt, if it has one)')
    .option('--eval-every <n>', 'steps between evaluations')
    .option('--print-every <n>', 'steps between printed rows (default: every evaluation)')
    .option('--seeds <list>', 'data/initialisation seeds', '1')
    .option('--task <name>', 'override the task')
    .option('--hidden <layers>', 'override the hidden layers, e.g. 16t-16t')
    .option('--batch <n>', 'override the batch size')
    .option('--n <n>', 'override a toy task’s number of points')
    .option('--noise <x>', 'override a toy task’s noise')
    .option('--approx <list>', 'FishLeg approximations')
    .option('--lr <list>', 'FishLeg η')
    .option('--aux-lr <list>', 'FishLeg α')
    .option('--damping <list>', 'FishLeg γ')
    .option('--aux-every <list>', 'FishLeg K')
    .option('--beta <list>', 'FishLeg β')
    .option('--init-scale <list>', 'FishLeg Q₀ scale')
    .option('--wd <list>', 'FishLeg weight decay')
    .option('--adam-lr <list>', 'Adam learning rates')
    .option('--sgd-lr <list>', 'SGD learning rates')
    .option('--only <kinds>', 'keep only runs of these kinds, e.g. fishleg,adam')
    .option('--rel-error', 'print the inspected FishLeg layer’s relative error to (F + γI)⁻¹ (no sweep lists)')
    .option('--quiet', 'print only the summaries')
    .parse();
  const o = cmd.opts<Record<string, string | boolean | undefined>>();
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  const preset = PRESETS.find((p) => p.id === str('preset'));
  if (!preset)
    throw new SweepError(`unknown preset '${str('preset')}' (expected ${PRESETS.map((p) => p.id).join(', ')})`);
  const ov: Overrides = {
    fl: {
      lr: list(str('lr')),
      auxLr: list(str('auxLr')),
      damping: list(str('damping')),
      auxEvery: list(str('auxEvery')),
      beta: list(str('beta')),
      initScale: list(str('initScale')),
      weightDecay: list(str('wd')),
    },
    approx: str('approx') ? (str('approx')!.split(',') as FishLegApprox[]) : null,
    adamLr: list(str('adamLr')),
    sgdLr: list(str('sgdLr')),
  };
  const only = str('only')?.split(',') ?? null;
  const basis = preset.config('cpu');
  let optimizers = basis.runs.flatMap((r) => expand(r.optimizer, ov));
  if (only) optimizers = optimizers.filter((x) => only.includes(x.kind));
  if (o['relError'] === true && (optimizers.length !== basis.runs.length || basis.inspect.runId === null))
    throw new SweepError('--rel-error needs a preset that inspects a run, and no lists that add or drop runs');
  const mnist = (basis.data.task as string).startsWith('mnist');
  const steps = Number(str('steps') ?? basis.stopAt ?? (mnist ? 1000 : 2000));
  const evalEvery = Number(str('evalEvery') ?? 50);
  const printEvery = Number(str('printEvery') ?? evalEvery);
  if (![steps, evalEvery, printEvery].every((x) => Number.isSafeInteger(x) && x > 0))
    throw new SweepError('--steps, --eval-every and --print-every must be positive integers');
  for (const seed of list(str('seeds')) ?? [1]) {
    const data = {
      ...basis.data,
      ...(str('task') ? { task: str('task') as PlaygroundConfig['data']['task'] } : {}),
      ...(str('n') ? { n: Number(str('n')) } : {}),
      ...(str('noise') ? { noise: Number(str('noise')) } : {}),
      seed,
    };
    const model = {
      ...basis.model,
      ...(str('hidden') ? { hidden: str('hidden')! } : {}),
      ...(str('batch') ? { batch: Number(str('batch')) } : {}),
    };
    const cfg: PlaygroundConfig = {
      ...basis,
      data,
      model,
      runs: runsFor(optimizers),
      inspect: o['relError'] === true ? basis.inspect : { runId: null, layer: 0 },
    };
    console.log(
      `\n== preset ${preset.id}: ${data.task} n=${data.n} noise=${data.noise} seed=${seed} hidden=${model.hidden} ` +
        `batch=${model.batch}, ${steps} steps (train/test loss per run)`,
    );
    cfg.runs.forEach((r, i) => console.log(`  run ${i + 1}: ${label(r.optimizer)}`));
    await runSeed(cfg, steps, evalEvery, printEvery, o['quiet'] === true);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(1);
});
