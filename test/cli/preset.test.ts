/**
 * `npm run train -- --preset ID`: flags, the JSON it writes, and that a preset run is the page's race — the
 * same curve as the CLI's own single-run path on the same data, seed, model and settings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';
import { gridFactors, parsePresetArgs, runPreset, type PresetOutput } from '../../src/cli/preset.ts';
import { runTraining } from '../../src/cli/train.ts';
import { withFrozenControls } from '../../src/worker/frozen-control.ts';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

describe('parsePresetArgs', () => {
  it("takes the preset's seed, budget and evaluation interval unless told otherwise", () => {
    const c = parsePresetArgs(['--preset', 'spiral'])!;
    expect(c.preset.id).toBe('spiral');
    expect(c.seeds).toEqual([1]);
    expect(c.steps).toBe(4000);
    expect(c.evalEvery).toBe(20);
    expect(c.tune).toBe(false);
    const d = parsePresetArgs(['--preset', 'spiral', '--seeds', '3,1,2', '--steps', '50', '--eval-every', '10'])!;
    expect([d.seeds, d.steps, d.evalEvery]).toEqual([[3, 1, 2], 50, 10]);
  });

  it.each<[string[], RegExp]>([
    [
      ['--preset', 'nope'],
      /unknown preset 'nope' \(expected one of scaled-regression, mnist-ae, mnist-cnn, spiral, .*\)/,
    ],
    [['--preset', 'spiral', '--seeds', '1,1'], /a seed is listed twice/],
    [['--preset', 'spiral', '--seeds', '1,x'], /'x' is not a seed/],
    [['--preset', 'spiral', '--steps', '0'], /positive integer/],
    [['--preset', 'spiral', '--tune', '--grid-points', '4'], /at least 5/],
    [['--preset', 'spiral', '--objective', 'test'], /only apply with --tune/],
    [['--preset', 'spiral', '--objective', 'best', '--tune'], /Allowed choices are train, test/],
    [['--preset', 'spiral', '--out', ''], /--out needs a file name/],
    [['--preset', 'spiral', '--lr', '0.1'], /unknown option '--lr'/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parsePresetArgs(argv)).toThrow(CliError);
    expect(() => parsePresetArgs(argv)).toThrow(message);
  });

  it('grids are log-spaced from ÷10 to ×10 and include ×1 when odd', () => {
    const g = gridFactors(7);
    expect(g[0]).toBeCloseTo(0.1, 12);
    expect(g[3]).toBeCloseTo(1, 12);
    expect(g[6]).toBeCloseTo(10, 12);
    for (let i = 1; i < g.length; i++) expect(g[i]! / g[i - 1]!).toBeCloseTo(10 ** (1 / 3), 12);
  });
});

describe('runPreset', () => {
  it('writes every run on every seed with the documented setup, and each run is the single-run CLI path', async () => {
    const cli = parsePresetArgs(['--preset', 'spiral', '--steps', '60', '--eval-every', '20', '--seeds', '1,2'])!;
    const out: PresetOutput = await runPreset(cli);
    expect(out.setup).toMatchObject({ preset: 'spiral', task: 'spiral', arch: '2-16t-16t-2', batch: 32, steps: 60 });
    expect(out.setup.seeds).toEqual([1, 2]);
    expect(out.runs.map((r) => `${r.name}@${r.seed}`)).toEqual([
      'SGD@1',
      'Adam@1',
      'FishLeg@1',
      'FishLeg (Q frozen)@1',
      'SGD@2',
      'Adam@2',
      'FishLeg@2',
      'FishLeg (Q frozen)@2',
    ]);
    for (const r of out.runs) {
      expect(r.curve.map((p) => p.step)).toEqual([0, 20, 40, 60]);
      expect(r.diverged).toBeNull();
      // The spiral preset's rates were tuned on its 4,000-step budget, seeds 1–3: the record says so. The
      // frozen-Q control was not searched (it races at its learned run's rate).
      expect(r.tuned).toEqual(
        r.name.endsWith('(Q frozen)') ? null : { lr: r.settings.lr, steps: 4000, seeds: [1, 2, 3], objective: 'train' },
      );
    }
    // 60 steps is far short of the claim's 4,000: still on the plateau, so the claim is judged not to hold, and says why.
    expect(out.claim).toMatchObject({ sentence: cli.preset.claim!.sentence, holds: false });
    expect(out.claim!.why).toMatch(/^on seed 1, /);
    // Seeds change the data and the initial weights.
    expect(out.runs[0]!.curve[0]!.trainLoss).not.toBe(out.runs[4]!.curve[0]!.trainLoss);

    // The race's SGD run is the CLI's own single run on the same 2,000 points, seed, model and settings.
    const sgd = out.runs[0]!;
    const single = await runTraining(
      parseArgs([
        ...['--task', 'spiral', '--samples', '2000', '--arch', '2-16t-16t-2', '--batch', '32', '--seed', '1'],
        ...['--optimizer', 'sgd', '--lr', String(sgd.settings.lr), '--momentum', '0.9'],
        ...['--steps', '60', '--eval-every', '20', '--backend', 'cpu', '--quiet'],
      ]),
    );
    expect(single.curve.map((p) => p.trainLoss)).toEqual(sgd.curve.map((p) => p.trainLoss));
  });

  it('--tune races every run at the rate with the lowest mean final loss, and says which rates diverged', async () => {
    const cli = parsePresetArgs([
      '--preset',
      'spiral',
      '--steps',
      '40',
      '--eval-every',
      '20',
      '--seeds',
      '1,2',
      '--tune',
      '--grid-points',
      '5',
    ])!;
    const out = await runPreset(cli);
    const tuning = out.tuning!;
    expect(tuning.objective).toBe('train');
    expect(tuning.results.map((r) => r.name)).toEqual(['SGD', 'Adam', 'FishLeg', 'FishLeg (Q frozen)']);
    for (const r of tuning.results) {
      expect(r.points.length).toBeGreaterThanOrEqual(5);
      const finite = r.points.filter((p) => !p.diverged);
      const best = Math.min(...finite.map((p) => p.score));
      expect(r.points.find((p) => p.lr === r.best)!.score).toBe(best);
      for (const p of r.points) {
        expect(p.train).toHaveLength(2);
        if (!p.diverged) expect(p.score).toBeCloseTo((p.train[0]! + p.train[1]!) / 2, 12);
        else expect(p.score).toBe(Infinity);
      }
      const raced = out.runs.filter((x) => x.name === r.name);
      for (const x of raced)
        expect(x.tuned).toEqual({ lr: r.best, steps: out.tuning!.steps, seeds: [1, 2], objective: 'train' });
    }
  });
});

describe('--frozen-q', () => {
  it('adds nothing to a preset that already races the control', () => {
    const switchRuns = parsePresetArgs(['--preset', 'switch'])!.preset.config('cpu').runs;
    expect(withFrozenControls(switchRuns)).toEqual(switchRuns);
  });

  it("races each FishLeg run's control beside it: same settings, auxiliary rate 0, its own curve", async () => {
    // The inverse-fisher preset has one FishLeg run and no control of its own.
    const cli = parsePresetArgs(['--preset', 'inverse-fisher', '--steps', '30', '--eval-every', '10', '--frozen-q'])!;
    const out = await runPreset(cli);
    expect(out.runs.map((r) => r.name)).toEqual(['FishLeg', 'FishLeg (Q frozen)']);
    const [learned, frozen] = out.runs;
    expect(frozen!.settings).toEqual({ ...learned!.settings, auxLr: 0 });
    // Same start (same initial weights), different path once Q has learned.
    expect(frozen!.curve[0]!.trainLoss).toBe(learned!.curve[0]!.trainLoss);
    expect(frozen!.curve.at(-1)!.trainLoss).not.toBe(learned!.curve.at(-1)!.trainLoss);
  });
});

describe('npm run train -- --preset', () => {
  it('prints the summary and writes the JSON; an unknown preset is one line and exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fishleg-preset-'));
    const file = join(dir, 'race.json');
    const ok = spawnSync(
      tsx,
      ['src/cli/train.ts', '--preset', 'curvature', '--steps', '20', '--seeds', '1', '--out', file, '--quiet'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/seed 1:/);
    const json = JSON.parse(readFileSync(file, 'utf8')) as PresetOutput;
    expect(json.setup.preset).toBe('curvature');
    expect(json.runs.length).toBeGreaterThan(1);
    for (const r of json.runs)
      expect(Object.keys(r).sort()).toEqual(['curve', 'diverged', 'name', 'optimizer', 'seed', 'settings', 'tuned']);

    const bad = spawnSync(tsx, ['src/cli/train.ts', '--preset', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
