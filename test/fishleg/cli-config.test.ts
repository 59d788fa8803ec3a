/**
 * FishLeg's settings: defaults of docs/fishleg.md §7, validation errors that name the setting, the CLI
 * flags (parsed into the config, wrong values as one-line CliErrors, exit code 2), and a CLI run that
 * switches approximation and writes auxLoss into the JSON curve.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';
import {
  defaultFishLeg,
  defaultOptimizer,
  fishLegInitScale,
  fishLegLearnsQ,
  OptimizerConfigError,
  validateOptimizer,
  type FishLegConfig,
} from '../../src/engine/optim/config.ts';

describe('FishLeg config', () => {
  it('has the defaults of docs/fishleg.md §7', () => {
    const c = defaultOptimizer('fishleg') as FishLegConfig;
    expect(c).toEqual({
      kind: 'fishleg',
      approx: 'block-kron',
      lr: 0.005,
      beta: 0.9,
      weightDecay: 1e-5,
      auxLr: 1e-4,
      damping: 0.1,
      initScale: null,
      auxEvery: 10,
      auxBatch: null,
      fisher: 'ggn',
      preconditionAux: true,
      fitScale: false,
    });
    expect(fishLegInitScale(c)).toBeCloseTo(10, 12);
    expect(fishLegInitScale({ ...c, initScale: 3 })).toBe(3);
  });

  it.each([
    [{ damping: -0.1 }, /damping must be ≥ 0/],
    [{ damping: 0 }, /damping 0 needs an explicit init scale/],
    [{ auxEvery: 0 }, /aux-every K must be an integer ≥ 1/],
    [{ auxEvery: 2.5 }, /aux-every K/],
    [{ approx: 'kron' }, /unknown FishLeg approximation 'kron'/],
    [{ fisher: 'empirical' }, /unknown Fisher estimator/],
    [{ beta: 1 }, /beta must be in \[0, 1\)/],
    [{ auxLr: -1e-4 }, /auxiliary learning rate must be ≥ 0/],
    [{ initScale: -1 }, /init scale must be a positive number, or unset for 1\/damping/],
    [{ auxBatch: 0 }, /auxiliary batch/],
    [{ lr: 0 }, /learning rate/],
  ])('rejects %j', (patch, message) => {
    const c = { ...defaultFishLeg(), ...patch } as FishLegConfig;
    expect(() => validateOptimizer(c)).toThrow(OptimizerConfigError);
    expect(() => validateOptimizer(c)).toThrow(message);
  });

  it('accepts damping 0 with an explicit init scale', () => {
    expect(() => validateOptimizer({ ...defaultFishLeg(), damping: 0, initScale: 1 })).not.toThrow();
  });

  it('accepts an auxiliary learning rate of 0: Q frozen at Q₀', () => {
    expect(() => validateOptimizer({ ...defaultFishLeg(), auxLr: 0 })).not.toThrow();
    expect(fishLegLearnsQ({ ...defaultFishLeg(), auxLr: 0 })).toBe(false);
    expect(fishLegLearnsQ(defaultFishLeg())).toBe(true);
  });
});

describe('FishLeg CLI flags', () => {
  it('parses every flag into the config', () => {
    const c = parseArgs([
      '--task',
      'spiral',
      '--optimizer',
      'fishleg',
      '--approx',
      'kron-diag',
      '--lr',
      '0.01',
      '--beta',
      '0.8',
      '--weight-decay',
      '0',
      '--aux-lr',
      '0.001',
      '--damping',
      '0.5',
      '--init-scale',
      '3',
      '--aux-every',
      '5',
      '--aux-batch',
      '50',
      '--fisher',
      'sampled',
      '--precondition-aux',
      'off',
      '--fit-scale',
      'on',
      '--steps',
      '3000',
      '--switch-approx',
      '1000:block-kron,2000:sum-kron',
    ]);
    expect(c.optimizer).toEqual({
      kind: 'fishleg',
      approx: 'kron-diag',
      lr: 0.01,
      beta: 0.8,
      weightDecay: 0,
      auxLr: 0.001,
      damping: 0.5,
      initScale: 3,
      auxEvery: 5,
      auxBatch: 50,
      fisher: 'sampled',
      preconditionAux: false,
      fitScale: true,
    });
    expect(c.switchApprox).toEqual([
      { step: 1000, approx: 'block-kron' },
      { step: 2000, approx: 'sum-kron' },
    ]);
    expect(parseArgs(['--task', 'spiral', '--optimizer', 'fishleg']).optimizer).toEqual(defaultFishLeg());
    expect(parseArgs(['--task', 'spiral']).switchApprox).toEqual([]);
  });

  it('takes --aux-lr 0 as Q frozen at Q₀ and refuses a negative one', () => {
    const c = parseArgs(['--task', 'spiral', '--optimizer', 'fishleg', '--aux-lr', '0']).optimizer;
    expect(c).toEqual({ ...defaultFishLeg(), auxLr: 0 });
    expect(fishLegLearnsQ(c as FishLegConfig)).toBe(false);
    expect(() => parseArgs(['--task', 'spiral', '--optimizer', 'fishleg', '--aux-lr', '-1e-4'])).toThrow(
      /auxiliary learning rate must be ≥ 0/,
    );
  });

  it.each([
    [['--optimizer', 'fishleg', '--damping', '-1'], /damping must be ≥ 0 \(got -1\)/],
    [['--optimizer', 'fishleg', '--aux-every', '0'], /aux-every K must be an integer ≥ 1/],
    [['--optimizer', 'fishleg', '--approx', 'kron'], /--approx.*expected one of block-kron, kron-diag, sum-kron/],
    [['--optimizer', 'fishleg', '--fisher', 'emp'], /--fisher.*expected one of ggn, sampled/],
    [['--optimizer', 'fishleg', '--precondition-aux', 'yes'], /expected on or off/],
    [['--optimizer', 'fishleg', '--switch-approx', '100:kron'], /unknown approximation 'kron'/],
    [['--optimizer', 'fishleg', '--switch-approx', '200:kron-diag,100:sum-kron'], /switch steps must increase/],
    [['--optimizer', 'fishleg', '--switch-approx', 'kron-diag'], /is not STEP:APPROX/],
    [['--optimizer', 'fishleg', '--steps', '100', '--switch-approx', '100:kron-diag'], /not before --steps 100/],
    [['--optimizer', 'fishleg', '--beta1', '0.9'], /^--beta1 applies to adam and adamw, not fishleg$/],
    [
      ['--optimizer', 'sgd', '--beta1', '0.9', '--aux-lr', '1'],
      /^--beta1 applies to adam and adamw, not sgd; --aux-lr applies to fishleg, not sgd$/,
    ],
    [['--optimizer', 'adam', '--switch-approx', '10:kron-diag'], /^--switch-approx applies to fishleg, not adam$/],
    [
      ['--optimizer', 'adam', '--damping', '0.1', '--aux-lr', '1'],
      /--aux-lr applies to fishleg, not adam; --damping applies to fishleg, kfac and natural, not adam/,
    ],
  ])('rejects %j with a one-line CliError', (argv, message) => {
    const run = () => parseArgs(['--task', 'spiral', ...argv]);
    expect(run).toThrow(CliError);
    expect(run).toThrow(message);
  });

  it('trains with switches and writes auxLoss where an auxiliary update happened (npm run train)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fishleg-cli-')), 'run.json');
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const args = [
      'src/cli/train.ts',
      '--task',
      'xor',
      '--arch',
      '2-6t-2',
      '--optimizer',
      'fishleg',
      '--aux-every',
      '5',
      '--steps',
      '30',
    ];
    const r = spawnSync(
      tsx,
      [...args, '--eval-every', '10', '--switch-approx', '4:kron-diag,15:sum-kron', '--out', out, '--quiet'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      curve: { step: number; auxLoss?: number }[];
      config: { switchApprox: unknown };
    };
    expect(json.curve.map((p) => p.step)).toEqual([0, 10, 20, 30]);
    expect(json.curve[0]!.auxLoss).toBeUndefined();
    for (const p of json.curve.slice(1)) expect(Number.isFinite(p.auxLoss)).toBe(true);
    expect(json.config.switchApprox).toEqual([
      { step: 4, approx: 'kron-diag' },
      { step: 15, approx: 'sum-kron' },
    ]);
    const bad = spawnSync(tsx, ['src/cli/train.ts', '--task', 'xor', '--optimizer', 'fishleg', '--damping', '-2'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('error: FishLeg damping must be ≥ 0 (got -2)\n');
  });
});
