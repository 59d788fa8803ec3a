/**
 * `npm run train -- --preset ID`: every run of a page preset, trained headless through the worker's own race
 * (same seeds, initial weights, batches, budget and settings as the page), on one or several seeds, with an
 * optional learning-rate tuning first (`--tune`, src/worker/tune.ts) that races every run at its best rate.
 * `--out FILE` writes `{ setup, runs: [{ name, optimizer, settings, seed, tuned, curve, diverged }], tuning? }`, so a
 * preset's claim can be checked without a browser.
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type Backend, escapeControls, printable, type OptimizerConfig } from '../engine/index.ts';
import { readMnistAssetBytes } from '../engine/node.ts';
import { PRESETS, type Preset } from '../ui/presets.ts';
import { runHeadless, type HeadlessCurve } from '../worker/headless-race.ts';
import { withFrozenControls } from '../worker/frozen-control.ts';
import { loadDataSpec } from '../worker/load-data.ts';
import type { MetricPoint, RaceSpec, RunSpec, TunedMarker } from '../worker/protocol.ts';
import { tunedMarker } from '../ui/tuned-marker.ts';
import { archString } from '../worker/race.ts';
import { DEFAULT_FACTORS, tuneRace, tunedSpec, type TuneObjective, type TuneReport } from '../worker/tune.ts';
import { CliError } from './args.ts';
import { openBackend, type CliBackend } from './backend.ts';
import { checkWritable, type CurvePoint } from './out-file.ts';

export interface PresetCliConfig {
  readonly preset: Preset;
  readonly seeds: readonly number[];
  readonly steps: number;
  readonly evalEvery: number;
  readonly tune: boolean;
  /** Race each FishLeg run's frozen-Q control beside it (tuned too with --tune). */
  readonly frozenQ: boolean;
  /** Points of the tuning grid (log-spaced from ÷10 to ×10 around each run's rate). */
  readonly gridPoints: number;
  readonly objective: TuneObjective;
  readonly backend: CliBackend;
  readonly out: string | null;
  readonly quiet: boolean;
}

export interface PresetRunRecord {
  readonly name: string;
  readonly optimizer: OptimizerConfig['kind'];
  readonly settings: OptimizerConfig;
  readonly seed: number;
  /** How the run's rate was tuned (the page's marker: rate, budget, seeds, objective), or null if it was not. */
  readonly tuned: TunedMarker | null;
  readonly curve: readonly CurvePoint[];
  /** Step at which the divergence rule stopped it, or null. */
  readonly diverged: number | null;
}

export interface PresetOutput {
  readonly setup: {
    readonly preset: string;
    readonly title: string;
    readonly task: string;
    readonly arch: string;
    readonly batch: number;
    readonly steps: number;
    readonly evalEvery: number;
    /** The first seed; `seeds` lists all of them. */
    readonly seed: number;
    readonly seeds: readonly number[];
    readonly backend: string;
  };
  readonly runs: readonly PresetRunRecord[];
  readonly tuning?: TuneReport;
  /** The preset's claim judged on these runs' final train losses (at this budget, on these seeds). */
  readonly claim?: { readonly sentence: string; readonly holds: boolean; readonly why: string | null };
}

const ids = (): string => PRESETS.map((p) => p.id).join(', ');

function positiveInt(v: string): number {
  const x = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(x) || x < 1)
    throw new InvalidArgumentError('expected a positive integer below 2^53');
  return x;
}

function seedList(v: string): number[] {
  const seeds = v.split(',').map((s) => s.trim());
  const out = seeds.map((s) => {
    const x = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(x))
      throw new InvalidArgumentError(`'${printable(s)}' is not a seed (a whole number ≥ 0)`);
    return x;
  });
  if (new Set(out).size !== out.length) throw new InvalidArgumentError('a seed is listed twice');
  return out;
}

/** Parses the flags of a preset run; a mistake is a CliError (exit 2), --help prints and returns null. */
export function parsePresetArgs(argv: readonly string[]): PresetCliConfig | null {
  const cmd = new Command('train --preset')
    .description('Train every run of a playground preset headless, as the page would, and print or write the curves.')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false)
    .requiredOption('--preset <id>', `the preset: ${ids()}`)
    .option('--seeds <list>', "comma-separated seeds (default: the preset's own)", seedList)
    .option('--steps <n>', "training steps (default: the preset's step budget)", positiveInt)
    .option('--eval-every <n>', "steps between evaluations (default: the preset's)", positiveInt)
    .option('--frozen-q', 'add beside each FishLeg run its frozen-Q control (auxiliary updates off: Q stays Q₀)')
    .option(
      '--tune',
      "tune every run's learning rate on this budget and these seeds first, then race them at their best",
    )
    .option(
      '--grid-points <n>',
      `points of the tuning grid, log-spaced from ÷10 to ×10 (≥ 5)`,
      positiveInt,
      DEFAULT_FACTORS.length,
    )
    .addOption(
      new Option('--objective <what>', 'what tuning minimises at the budget')
        .choices(['train', 'test'])
        .default('train'),
    )
    .addOption(
      new Option('--backend <name>', 'cpu, webgpu (Dawn) or auto').choices(['auto', 'cpu', 'webgpu']).default('cpu'),
    )
    .option('--out <file>', 'write the setup, every curve and the tuning result as JSON')
    .option('--quiet', 'print only the summary');
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') {
        process.stdout.write(cmd.helpInformation());
        return null;
      }
      throw new CliError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const o = cmd.opts<{
    preset: string;
    seeds?: number[];
    steps?: number;
    evalEvery?: number;
    tune?: boolean;
    frozenQ?: boolean;
    gridPoints: number;
    objective: TuneObjective;
    backend: CliBackend;
    out?: string;
    quiet?: boolean;
  }>();
  const preset = PRESETS.find((p) => p.id === o.preset);
  if (!preset) throw new CliError(`unknown preset '${printable(o.preset)}' (expected one of ${ids()})`);
  const base = preset.config('cpu');
  if (base.data.task === 'csv') throw new CliError(`preset '${preset.id}' needs a CSV file, which the CLI cannot pick`);
  const steps = o.steps ?? base.stopAt;
  if (steps === null) throw new CliError(`preset '${preset.id}' has no step budget: give one with --steps`);
  if (o.gridPoints < 5) throw new CliError('--grid-points must be at least 5');
  if (o.out === '') throw new CliError('--out needs a file name');
  if (!o.tune && (argv.includes('--grid-points') || argv.includes('--objective')))
    throw new CliError('--grid-points and --objective only apply with --tune');
  return {
    preset,
    seeds: o.seeds ?? [base.data.seed],
    steps,
    evalEvery: o.evalEvery ?? base.model.evalEvery,
    tune: o.tune === true,
    frozenQ: o.frozenQ === true,
    gridPoints: o.gridPoints,
    objective: o.objective,
    backend: o.backend,
    out: o.out ?? null,
    quiet: o.quiet === true,
  };
}

/** `gridPoints` log-spaced factors from 1/10 to 10. */
export function gridFactors(points: number): number[] {
  return Array.from({ length: points }, (_, i) => 10 ** (-1 + (2 * i) / (points - 1)));
}

const toCurvePoint = ({ msPerStep: _ms, auxLoss, ...p }: MetricPoint): CurvePoint =>
  auxLoss === null ? p : { ...p, auxLoss };

/** Trains (and with --tune first tunes) the preset; returns what --out writes. */
export async function runPreset(cli: PresetCliConfig, log: (line: string) => void = () => {}): Promise<PresetOutput> {
  const cfg = cli.preset.config('cpu');
  const runs0 = cli.frozenQ ? withFrozenControls(cfg.runs) : cfg.runs;
  let spec: RaceSpec = { data: cfg.data, model: cfg.model, runs: runs0, inspect: { ...cfg.inspect, runId: null } };
  const mnist = () => Promise.resolve(readMnistAssetBytes());
  const load = (seed: number) => loadDataSpec({ ...spec.data, seed }, mnist);
  const backend: Backend = await openBackend(cli.backend, log);
  try {
    let tuning: TuneReport | undefined;
    if (cli.tune) {
      log(
        `tuning ${spec.runs.length} runs × ${cli.gridPoints} learning rates on ${cli.steps} steps, seeds ${cli.seeds.join(', ')}`,
      );
      let shown = -1;
      tuning = await tuneRace(backend, load, spec, {
        steps: cli.steps,
        evalEvery: cli.evalEvery,
        seeds: cli.seeds,
        factors: gridFactors(cli.gridPoints),
        objective: cli.objective,
        onProgress: (f) => {
          const pct = Math.floor(f * 10) * 10;
          if (pct > shown) log(`  tuning ${(shown = pct)} %`);
        },
      });
      spec = tunedSpec(spec, tuning);
    }
    // --tune marks every run it tuned with this search; otherwise a run keeps the preset's own marker.
    const tunedNow = new Set(tuning?.results.filter((r) => r.best != null).map((r) => r.runId) ?? []);
    const marker = (run: RunSpec): TunedMarker | null =>
      tuning && tunedNow.has(run.id)
        ? { lr: run.optimizer.lr, steps: tuning.steps, seeds: tuning.seeds, objective: tuning.objective }
        : tunedMarker(run);
    const data0 = await load(cli.seeds[0]!);
    const runs: PresetRunRecord[] = [];
    for (const seed of cli.seeds) {
      const data = seed === cli.seeds[0] ? data0 : await load(seed);
      log(`racing ${spec.runs.map((r) => r.name).join(', ')} on ${data.name}, seed ${seed}`);
      const curves: HeadlessCurve[] = await runHeadless(
        backend,
        data,
        { ...spec, data: { ...spec.data, seed } },
        {
          steps: cli.steps,
          evalEvery: cli.evalEvery,
        },
      );
      curves.forEach((c, i) => {
        const run = spec.runs[i]!;
        runs.push({
          name: run.name,
          optimizer: run.optimizer.kind,
          settings: run.optimizer,
          seed,
          tuned: marker(run),
          curve: c.curve.map(toCurvePoint),
          diverged: c.diverged,
        });
      });
    }
    const claim = cli.preset.claim;
    const finals = (name: string) =>
      runs.filter((r) => r.name === name).map((r) => (r.diverged === null ? (r.curve.at(-1)?.trainLoss ?? NaN) : NaN));
    const why = claim ? claim.check(finals, cli.seeds) : null;
    return {
      ...(claim ? { claim: { sentence: claim.sentence, holds: why === null, why } } : {}),
      setup: {
        preset: cli.preset.id,
        title: cli.preset.title,
        task: spec.data.task,
        arch: archString(spec.model.hidden, data0),
        batch: spec.model.batch,
        steps: cli.steps,
        evalEvery: cli.evalEvery,
        seed: cli.seeds[0]!,
        seeds: cli.seeds,
        backend: backend.description,
      },
      runs,
      ...(tuning ? { tuning } : {}),
    };
  } finally {
    backend.dispose();
  }
}

const fmt = (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '—' : x.toPrecision(4));

/** The summary a person reads: the tuning table (if any), then each run's final losses per seed. */
export function formatPresetSummary(out: PresetOutput): string {
  const lines: string[] = [];
  const s = out.setup;
  lines.push(`${s.title} — ${s.task} ${s.arch}, batch ${s.batch}, ${s.steps} steps, seeds ${s.seeds.join(', ')}`);
  if (out.tuning) {
    lines.push(`tuning: learning rate only, minimising the mean final ${out.tuning.objective} loss over the seeds`);
    for (const r of out.tuning.results) {
      const grid = r.points
        .map((p) => `${p.lr}${p.diverged ? ' diverged' : ` ${fmt(p.score)}`}${p.lr === r.best ? ' ←' : ''}`)
        .join(' | ');
      const edge = r.atEdge ? ` (best at the ${r.atEdge} end of the grid)` : '';
      lines.push(`  ${r.name}: best lr ${r.best ?? 'none (every rate diverged)'} (was ${r.original})${edge}`);
      lines.push(`    ${grid}`);
    }
  }
  for (const seed of s.seeds) {
    lines.push(`seed ${seed}:`);
    for (const r of out.runs.filter((x) => x.seed === seed)) {
      const last = r.curve.at(-1);
      const tail = r.diverged !== null ? `  diverged at step ${r.diverged}` : '';
      lines.push(
        `  ${r.name.padEnd(24)} lr ${String(r.settings.lr).padEnd(8)} step ${last?.step ?? 0}  train ${fmt(last?.trainLoss)}  test ${fmt(last?.testLoss)}${tail}`,
      );
    }
  }
  if (out.claim) {
    const verdict = out.claim.holds ? 'holds here' : `does not hold here: ${out.claim.why}`;
    lines.push(`claim: ${out.claim.sentence}`);
    lines.push(`  on these ${s.steps} steps and seeds ${s.seeds.join(', ')} it ${verdict}`);
  }
  return lines.join('\n') + '\n';
}

/** The entry for `--preset`: returns the exit code. */
export async function presetMain(argv: readonly string[], write: (text: string) => Promise<void>): Promise<number> {
  const cli = parsePresetArgs(argv);
  if (!cli) return 0;
  if (cli.out) checkWritable(cli.out);
  const out = await runPreset(cli, cli.quiet ? undefined : (line) => process.stderr.write(`${line}\n`));
  await write(formatPresetSummary(out));
  if (cli.out) {
    try {
      writeFileSync(cli.out, JSON.stringify(out, null, 2));
    } catch (e) {
      throw new CliError(
        `cannot write --out ${escapeControls(cli.out)}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  return 0;
}
