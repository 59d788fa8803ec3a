/**
 * The command line: flags parse into a validated config; user mistakes become one-line errors with exit
 * code 2 (never a stack trace); a real run writes the documented JSON. Bad input found by fuzzing: sizes
 * beyond the memory budget or JavaScript's exact integers, floats outside float32, empty seeds, unwritable
 * --out paths, CSV files too small to split or full of control bytes, and runs that diverge to a finite
 * plateau (exit 3). Most cases run in-process; only a few spawn `npm run train` end to end.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommand, CliError, DEFAULT_MEMORY_BUDGET, parseArgs } from '../../src/cli/args.ts';
import { checkWritable, EXIT_DIVERGED, formatPoint, runTraining } from '../../src/cli/train.ts';
import { fileProblem } from '../../src/cli/file-problem.ts';
import { ArchError, parseArch } from '../../src/engine/data/arch.ts';
import { MemoryBudgetError } from '../../src/engine/memory.ts';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

function cli(...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/train.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('parseArgs', () => {
  it('fills defaults and the optimizer settings', () => {
    const c = parseArgs(['--task', 'spiral', '--optimizer', 'sgd', '--lr', '0.3', '--momentum', '0.5']);
    expect(c.task).toBe('spiral');
    expect(c.optimizer).toEqual({ kind: 'sgd', lr: 0.3, momentum: 0.5, weightDecay: 0 });
    expect(c.batch).toBe(100);
    expect(c.backend).toBe('auto');
  });

  it.each<[string[], RegExp]>([
    [['--task', 'nope'], /argument 'nope' is invalid/],
    [[], /nothing to train on/],
    [['--task', 'spiral', '--data', 'a.csv'], /either --task or --data/],
    [['--task', 'spiral', '--lr', 'abc'], /expected a number/],
    [['--task', 'spiral', '--lr', '-1'], /learning rate must be a positive number/],
    [['--task', 'spiral', '--batch', '0'], /positive integer/],
    [['--task', 'spiral', '--optimizer', 'adam', '--momentum', '0.9'], /--momentum applies to sgd/],
    [['--task', 'spiral', '--beta1', '1.5'], /beta1 must be in \[0, 1\)/],
    [['--task', 'mnist', '--noise', '0.1'], /apply to the toy tasks/],
    // The badly scaled regression's size and noise are the task's own, not the toys' settings.
    [['--task', 'scaled-regression', '--samples', '100'], /apply to the toy tasks/],
    [['--task', 'scaled-regression', '--test-fraction', '0.3'], /--test-fraction applies to the toy tasks/],
    [['--task', 'spiral', '--frobnicate'], /unknown option/],
    [['--test', 'b.csv', '--task', 'spiral'], /--test needs --data/],
    // Sizes: 1e20 is not an exact integer in JavaScript; toy data sets have a ceiling.
    [['--task', 'spiral', '--batch', '99999999999999999999'], /'--batch <n>'.*expected a positive integer below 2\^53/],
    [['--task', 'spiral', '--batch', '0x10'], /expected a positive integer/],
    [['--task', 'spiral', '--steps', ''], /expected a positive integer/],
    [['--task', 'spiral', '--samples', '99999999999'], /^--samples must be at most 1000000 \(got 99999999999\)$/],
    [['--task', 'spiral', '--samples', '1e8'], /--samples must be at most 1000000/],
    [
      ['--task', 'spiral', '--optimizer', 'fishleg', '--aux-batch', '1e20'],
      /auxiliary batch must be an integer from 1 to 9007199254740991 \(2\^53 − 1\), or unset for the training batch/,
    ],
    [['--task', 'spiral', '--memory-budget', 'lots'], /'--memory-budget <size>'.*expected a size such as 4GB/],
    [['--task', 'spiral', '--memory-budget', '0'], /expected a size/],
    // Floats that float32 cannot hold, or only as a subnormal.
    [['--task', 'spiral', '--lr', '1e300'], /'--lr <x>' argument '1e300'.*at most 3\.4028234663852886e\+38/],
    [['--task', 'spiral', '--lr', 'Infinity'], /'--lr <x>'.*expected a number/],
    [['--task', 'spiral', '--lr', ' '], /expected a number/],
    [['--task', 'spiral', '--optimizer', 'fishleg', '--init-scale', '1e39'], /'--init-scale <x>'.*largest float32/],
    [
      ['--task', 'spiral', '--optimizer', 'fishleg', '--damping', '1e-45'],
      /^FishLeg damping must be 0 or at least 1\.1754943508222875e-38 in size, the smallest normal float32 \(got 1e-45\)$/,
    ],
    [['--task', 'spiral', '--sigma', '-1e39'], /'--sigma <s>'.*largest float32/],
    [
      ['--task', 'spiral', '--optimizer', 'sgd', '--lr', '1e30', '--weight-decay', '1e30'],
      /learning rate × weight decay must fit in float32/,
    ],
    // Second fuzz pass: settings that pass float64 rules but not float32's, sizes beyond exact integers.
    [
      ['--task', 'spiral', '--beta2', '0.9999999999'],
      /^beta2 must be in \[0, 1\) in float32, where 0\.9999999999 is 1/,
    ],
    [
      ['--task', 'spiral', '--optimizer', 'sgd', '--momentum', '0.99999999999'],
      /momentum must be in \[0, 1\) in float32/,
    ],
    [
      ['--task', 'spiral', '--optimizer', 'fishleg', '--beta', '0.999999999'],
      /FishLeg beta must be in \[0, 1\) in float32/,
    ],
    [
      ['--task', 'spiral', '--sigma', '1e-30'],
      /^--sigma must be from 1\.1e-19 to 1\.8e19, so that σ² is a normal float32/,
    ],
    [['--task', 'spiral', '--sigma', '1e20'], /--sigma must be from/],
    [['--task', 'spiral', '--noise', '3e38'], /^--noise must be from 0 to 1000 \(got 3e\+38\)$/],
    [
      ['--task', 'spiral', '--optimizer', 'fishleg', '--switch-approx', '99999999999999999999:kron-diag'],
      /switch step 99999999999999999999 is not an integer below 2\^53/,
    ],
    [['--data', 'a.csv', '--targets', ''], /^--targets needs at least one column name/],
    [['--data', 'a.csv', '--targets', ' , '], /^--targets needs at least one column name/],
    [['--task', 'spiral', '--targets', ''], /^--targets needs --data$/],
    [['--task', 'spiral', '--optimizer', 'sgd', '--aux-batch', '8'], /^--aux-batch applies to fishleg, not sgd$/],
    // Seeds: digits only, uint32.
    ...['', ' ', '1.5', '-1', '0x10', '1e3', '4294967296'].map((seed): [string[], RegExp] => [
      ['--task', 'spiral', '--seed', seed],
      /'--seed <n>'.*an integer seed from 0 to 4294967295/,
    ]),
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(CliError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('takes a memory budget in bytes or with a unit, and leaves big counts to it', () => {
    expect(parseArgs(['--task', 'spiral']).memoryBudget).toBe(DEFAULT_MEMORY_BUDGET);
    expect(parseArgs(['--task', 'spiral', '--memory-budget', '512MB']).memoryBudget).toBe(512e6);
    expect(parseArgs(['--task', 'spiral', '--memory-budget', '4GB']).memoryBudget).toBe(4e9);
    expect(parseArgs(['--task', 'spiral', '--memory-budget', '123456']).memoryBudget).toBe(123456);
    expect(parseArgs(['--task', 'spiral', '--batch', '1e9']).batch).toBe(1e9);
    expect(parseArgs(['--task', 'spiral', '--seed', '4294967295']).seed).toBe(4294967295);
    expect(parseArgs(['--task', 'spiral', '--seed', ' 7 ']).seed).toBe(7);
  });
});

/** The CliError message parseArgs throws for argv. */
function messageOf(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof CliError) return e.message;
    throw e;
  }
  throw new Error(`parseArgs accepted ${JSON.stringify(argv)}`);
}

// eslint-disable-next-line no-control-regex -- control characters are what must not reach the terminal
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('messages quote what the user typed on one printable line', () => {
  // Commander quoted rejected values and unknown options raw: escape sequences reached the terminal, a newline
  // split the error, a 400-digit value made it 500 characters long, and suggestions came on a second line.
  it.each<[string[], string]>([
    [
      ['--task', 'spiral', '--lr', '\u001b[31mred'],
      "option '--lr <x>' argument '\\x1b[31mred' is invalid. expected a number",
    ],
    [
      ['--task', 'a\nb'],
      "option '--task <name>' argument 'a\\nb' is invalid. expected one of mnist-ae, mnist, spiral, circles, xor, gaussians, plane, bumps, scaled-regression, bars",
    ],
    [
      ['--task', 'spiral', '--seed', '9'.repeat(400)],
      `option '--seed <n>' argument '${'9'.repeat(60)}…' is invalid. expected an integer seed from 0 to 4294967295 (2^32 − 1)`,
    ],
    [
      ['--task', 'spiral', '--memory-budget', '\u202e1GB'],
      "option '--memory-budget <size>' argument '\\u202e1GB' is invalid. expected a size such as 4GB, 512MB, 1.5GiB or a number of bytes",
    ],
    [
      ['--task', 'spiral', '--optimizer', 'fishleg', '--switch-approx', '1:\u001b[2Jx'],
      "option '--switch-approx <list>' argument '1:\\x1b[2Jx' is invalid. '1:\\x1b[2Jx' is not STEP:APPROX (e.g. 1000:kron-diag)",
    ],
    [['--tsk', 'spiral'], "unknown option '--tsk' (Did you mean --task?)"],
    [['--task', 'spiral', '--\u001b[2J'], "unknown option '--\\x1b[2J'"],
    [['--task', 'spiral', `--${'x'.repeat(5000)}`], `unknown option '--${'x'.repeat(58)}…'`],
  ])('%j', (argv, message) => {
    expect(messageOf(argv)).toBe(message);
  });

  it('for every flag given hostile values', () => {
    const flags = buildCommand()
      .options.map((o) => o.long!)
      .filter((f) => !['--help', '--quiet'].includes(f));
    const values = ['\u001b[2J', 'a\nb\rc', '\u202e5', '\u0000', '9'.repeat(2000), "x' is invalid. y"];
    for (const flag of flags) {
      for (const v of values) {
        const argv = ['--task', 'spiral', '--optimizer', 'fishleg', flag, v];
        let message: string;
        try {
          parseArgs(argv);
          continue; // --arch, --out and the like are checked later (below and in runTraining)
        } catch (e) {
          expect(e, JSON.stringify(argv)).toBeInstanceOf(CliError);
          message = (e as Error).message;
        }
        expect(message, JSON.stringify(argv)).not.toMatch(UNPRINTABLE);
        expect(message.length, JSON.stringify(argv)).toBeLessThan(300);
      }
    }
  });

  it('architectures too', () => {
    for (const spec of [
      '2-\u001b[2J-2',
      'a\nb',
      `2-${'9'.repeat(5000)}-2`,
      `2-${'4t-'.repeat(3000)}5x-2`,
      '2-16\u0000-2',
    ]) {
      let message = '';
      try {
        parseArch(spec);
      } catch (e) {
        expect(e).toBeInstanceOf(ArchError);
        message = (e as Error).message;
      }
      expect(message, JSON.stringify(spec.slice(0, 20))).toMatch(/^architecture '/);
      expect(message).not.toMatch(UNPRINTABLE);
      expect(message.length).toBeLessThan(450);
    }
    expect(() => parseArch('2-\u001b[2J-2')).toThrow("architecture '2-\\x1b[2J-2': layer 1 '\\x1b[2J' is not a size");
    expect(() => parseArch(`2-${'9'.repeat(400)}-2`)).toThrow(
      `layer 1 has size ${'9'.repeat(60)}…, sizes go from 1 to 65536`,
    );
  });
});

const cpu = (...argv: string[]) => parseArgs(['--backend', 'cpu', '--quiet', ...argv]);

describe('runTraining refuses what cannot fit, before allocating', () => {
  it.each([
    [
      ['--task', 'spiral', '--batch', '1e9'],
      /^this setup needs ≈ 580 GB \(workspace 580 GB, data 16 kB, .*\); the memory budget is 2 GB \(raise it with --memory-budget\)$/,
    ],
    [['--task', 'spiral', '--optimizer', 'fishleg', '--aux-batch', '1e8'], /\(FishLeg auxiliary workspace 58 GB, /],
    [['--task', 'spiral', '--arch', '2-20000-20000-2'], /needs ≈ 6.7 GB \(Adam state 3.2 GB, parameters 1.6 GB, /],
    [['--task', 'spiral', '--samples', '100000', '--memory-budget', '1MB'], /needs ≈ 1.9 MB .*budget is 1 MB/],
    // Checked before the file is even read: the architecture alone is too big.
    [['--data', '/nonexistent/x.csv', '--arch', '3-20000-20000-2'], /needs ≈ 6.5 GB/],
  ])('%j', async (argv, message) => {
    const run = runTraining(cpu(...argv));
    await expect(run).rejects.toThrow(MemoryBudgetError);
    await expect(runTraining(cpu(...argv))).rejects.toThrow(message);
  });

  it("counts FishLeg's structure after each --switch-approx", async () => {
    const fl = ['--task', 'spiral', '--arch', '2-2000t-2000t-2', '--optimizer', 'fishleg', '--memory-budget', '600MB'];
    const tooBig = cpu(...fl, '--steps', '20', '--switch-approx', '10:kron-diag');
    await expect(runTraining(tooBig)).rejects.toThrow(/^this setup needs ≈ 712 MB .*budget is 600 MB/);
  });

  // /dev/zero was read for ever (a hang, then an out-of-memory crash); a CSV of a few hundred MB exhausted
  // Node's heap while parsing (about 10 bytes per byte of text), inside the 2 GB budget.
  it.each<[string, (dir: string) => string[], RegExp]>([
    [
      'a stream with no end',
      () => ['--data', '/dev/zero', '--memory-budget', '2MB'],
      /^cannot read \/dev\/zero: it holds more than 1 MB; reading it needs twice that, and the memory budget is 2 MB \(raise it with --memory-budget\)$/,
    ],
    [
      'a file over half the budget, before reading it',
      (dir) => {
        const f = join(dir, 'big.csv');
        writeFileSync(f, `a,b\n${'1,2\n'.repeat(200_000)}`);
        return ['--data', f, '--memory-budget', '1MB'];
      },
      /^cannot read .*big\.csv: it is 800 kB; reading it needs twice that, and the memory budget is 1 MB/,
    ],
    [
      'a file whose parsing would exceed the budget',
      (dir) => {
        const f = join(dir, 'cells.csv');
        writeFileSync(f, `a,b\n${'1,2\n'.repeat(200_000)}`);
        return ['--data', f, '--memory-budget', '4MB'];
      },
      /^parsing cells\.csv needs ≈ 7\.2 MB; the memory budget is 4 MB \(raise it with --memory-budget\)$/,
    ],
  ])('refuses %s', async (_, argv, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'fishleg-read-'));
    await expect(runTraining(cpu(...argv(dir)))).rejects.toThrow(MemoryBudgetError);
    await expect(runTraining(cpu(...argv(dir)))).rejects.toThrow(message);
  });

  it('names why a file cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fishleg-read-'));
    await expect(runTraining(cpu('--data', dir))).rejects.toThrow(`cannot read ${dir}: it is a folder`);
    await expect(runTraining(cpu('--data', join(dir, 'x', 'y.csv')))).rejects.toThrow(/: no such file$/);
    writeFileSync(join(dir, 'f'), 'x');
    await expect(runTraining(cpu('--data', join(dir, 'f', 'y.csv')))).rejects.toThrow(
      /: a part of its path is not a folder$/,
    );
  });

  it('checks a CSV once it is loaded', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fishleg-cli-')), 'wide.csv');
    writeFileSync(file, `a,b,label\n${'1,2,0\n3,4,1\n'.repeat(100)}`);
    await expect(runTraining(cpu('--data', file, '--memory-budget', '20kB'))).rejects.toThrow(/budget is 20 kB/);
    const ok = await runTraining(cpu('--data', file, '--steps', '2', '--eval-every', '2'));
    expect(ok.curve).toHaveLength(2);
  });
});

describe('divergence', () => {
  it.each(['sgd', 'adam'])('stops %s at lr 1e6 at the first evaluation above 1e4 × the start', async (optimizer) => {
    const s = await runTraining(
      cpu('--task', 'spiral', '--optimizer', optimizer, '--lr', '1e6', '--steps', '200', '--eval-every', '20'),
    );
    expect(s.diverged).toMatchObject({
      step: 20,
      reason: expect.stringMatching(/^the loss is above 10000 /) as unknown,
    });
    expect(s.curve.map((p) => p.step)).toEqual([0, 20]);
  });

  // The spiral, switch and inverse-Fisher presets' runs (src/ui/presets.ts) at the page's batch, size and interval.
  const FISHLEG = ['--optimizer', 'fishleg', '--aux-every', '1'];
  it.each([
    ['spiral SGD 0.1', ['--task', 'spiral', '--optimizer', 'sgd', '--lr', '0.1']],
    ['spiral Adam 0.03', ['--task', 'spiral', '--lr', '0.03']],
    ['spiral FishLeg', ['--task', 'spiral', ...FISHLEG, '--lr', '0.5', '--aux-lr', '0.01', '--damping', '0.3']],
    ['circles FishLeg', ['--task', 'circles', ...FISHLEG, '--lr', '0.2', '--aux-lr', '3e-3', '--damping', '0.3']],
    [
      'gaussians linear FishLeg',
      [
        '--task',
        'gaussians',
        '--arch',
        '2-3',
        '--likelihood',
        'bernoulli',
        ...FISHLEG,
        '--lr',
        '0.02',
        '--aux-lr',
        '3e-3',
        '--init-scale',
        '1',
      ],
    ],
  ])('leaves a healthy run alone: %s', async (_, argv) => {
    const page = ['--samples', '400', '--batch', '32', '--steps', '600', '--eval-every', '20'];
    const s = await runTraining(cpu(...argv, ...page));
    expect(s.diverged).toBeUndefined();
    expect(s.curve.at(-1)!.step).toBe(600);
  });
});

describe('--out and the summary line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fishleg-out-'));

  it('refuses an --out that cannot be written, without touching one that can', () => {
    expect(() => checkWritable(join(dir, 'no', 'such', 'x.json'))).toThrow(
      `cannot write --out ${join(dir, 'no', 'such', 'x.json')}: its folder does not exist (${join(dir, 'no', 'such')})`,
    );
    expect(() => checkWritable(dir)).toThrow(`cannot write --out ${dir}: it is a folder`);
    const kept = join(dir, 'kept.json');
    writeFileSync(kept, '{"old": true}');
    checkWritable(kept);
    expect(readFileSync(kept, 'utf8')).toBe('{"old": true}');
    const fresh = join(dir, 'fresh.json');
    checkWritable(fresh);
    expect(existsSync(fresh)).toBe(false);
  });

  it('refuses an --out it cannot open for writing, for every user (root included)', () => {
    // chmod cannot stop root; a path through a regular file cannot be opened by anyone.
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'kept');
    const under = join(file, 'x.json');
    expect(() => checkWritable(under)).toThrow(`cannot write --out ${under}: a part of its path is not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('kept');
  });

  it('says why the file system refused, in words, for each refusal it can meet', () => {
    const refused = (code: string) => fileProblem(Object.assign(new Error(code), { code }), 'write');
    expect(refused('EACCES')).toBe('permission denied');
    expect(refused('EPERM')).toBe('permission denied');
    expect(refused('EROFS')).toBe('the file system is read-only');
    expect(refused('ENOSPC')).toBe('the disk is full');
    expect(refused('ENOENT')).toBe('its folder does not exist');
    expect(fileProblem(Object.assign(new Error('x'), { code: 'ENOENT' }), 'read')).toBe('no such file');
    expect(refused('EWHATEVER')).toBe('EWHATEVER');
  });

  it('prints no NaN for a missing test split', () => {
    const p = {
      step: 5,
      seconds: 0.5,
      trainLoss: 0.25,
      testLoss: Number.NaN,
      trainAccuracy: 0.9,
      testAccuracy: Number.NaN,
    };
    expect(formatPoint(p, false)).toBe('step 5  0.50s  train 0.2500  train acc 90.00%  (no test split)');
    expect(formatPoint({ ...p, testLoss: 0.5, testAccuracy: 0.75 })).toBe(
      'step 5  0.50s  train 0.2500  test 0.5000  test acc 75.00%',
    );
    // The point where a run diverged: the summary printed 'train NaN  test NaN' (stderr gives the value).
    expect(formatPoint({ ...p, trainLoss: Number.NaN, testLoss: Infinity, testAccuracy: 0.5, auxLoss: NaN })).toBe(
      'step 5  0.50s  train diverged  test diverged  test acc 50.00%  aux diverged',
    );
  });
});

describe('npm run train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fishleg-cli-'));

  it('trains a toy task and writes the JSON curve', () => {
    const out = join(dir, 'run.json');
    const r = cli('--task', 'xor', '--arch', '2-8t-2', '--steps', '40', '--eval-every', '20', '--out', out, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^step 40 .*ms\/step\)\n$/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      config: { arch: string };
      msPerStep: number;
      curve: { step: number; trainAccuracy: number }[];
    };
    expect(json.config.arch).toBe('2-8t-2');
    expect(json.msPerStep).toBeGreaterThan(0);
    expect(json.curve.map((p) => p.step)).toEqual([0, 20, 40]);
    expect(json.curve[2]!.trainAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('trains on a CSV file with a label column', () => {
    const rows = ['a,b,label'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 7) / 7},${(i % 5) / 5},${i % 2}`);
    const file = join(dir, 'train.csv');
    writeFileSync(file, rows.join('\n'));
    const r = cli('--data', file, '--steps', '5', '--eval-every', '5', '--batch', '8', '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test acc/);
  });

  it.each([
    [['--task', 'spiral', '--lr', '-1'], 'error: learning rate must be a positive number (got -1)\n'],
    [['--data', '/nonexistent/x.csv'], 'error: cannot read /nonexistent/x.csv: no such file\n'],
    [['--task', 'spiral', '--arch', '3-4t-2'], /^error: .*input/],
    // Raw escape bytes and commander's two-line suggestions (second fuzz pass).
    [['--task', '\u001b[2Jspiral'], /^error: option '--task <name>' argument '\\x1b\[2Jspiral' is invalid\. /],
    [['--tsk', 'spiral'], "error: unknown option '--tsk' (Did you mean --task?)\n"],
    [['--data', '/dev/zero', '--memory-budget', '10MB'], /^error: cannot read \/dev\/zero: it holds more than 5 MB; /],
  ])('exits 2 with one line for %j', (argv, message) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 with one line for a setup over the memory budget, and for an --out folder, before training', () => {
    const big = cli('--task', 'spiral', '--batch', '1e9', '--backend', 'cpu');
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/^error: this setup needs ≈ 580 GB \(.*\(raise it with --memory-budget\)\n$/);
    const folder = cli('--task', 'spiral', '--backend', 'cpu', '--out', dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`error: cannot write --out ${dir}: it is a folder\n`);
  });

  it(`stops a diverging run with one line and exit code ${EXIT_DIVERGED}, keeping its curve`, () => {
    const out = join(dir, 'diverged.json');
    const r = cli(
      '--task',
      'spiral',
      '--optimizer',
      'sgd',
      '--lr',
      '1e6',
      '--steps',
      '200',
      '--eval-every',
      '20',
      '--backend',
      'cpu',
      '--quiet',
      '--out',
      out,
    );
    expect(r.code).toBe(EXIT_DIVERGED);
    expect(r.stderr).toMatch(/^diverged at step 20 \(loss \d+\): the loss is above 10000 .*; stopped\n$/);
    expect(r.stdout).toMatch(/^step 20 /);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { diverged: { step: number }; curve: unknown[] };
    expect(json.diverged.step).toBe(20);
    expect(json.curve).toHaveLength(2);
  });

  it('keeps a test row for a two-row CSV and escapes control bytes in CSV errors', () => {
    const two = join(dir, 'two.csv');
    writeFileSync(two, 'x,label\n1,0\n2,1\n');
    const r = cli('--data', two, '--steps', '4', '--eval-every', '2', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(1 train \/ 1 test\)/);
    expect(r.stdout + r.stderr).not.toMatch(/NaN/);
    const evil = join(dir, 'evil.csv');
    writeFileSync(evil, 'x,label\n1,0\n\u001b[2J\u0000,1\n');
    const e = cli('--data', evil, '--backend', 'cpu');
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("error: evil.csv line 3: column 'x' is not a number: '\\x1b[2J\\x00'\n");
  });

  it('names the file and line of a malformed CSV', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'x1,x2,label\n1,2,0\n3,abc,1\n');
    const r = cli('--data', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: bad.csv line 3: column 'x2' is not a number: 'abc'\n");
  });
});

describe('what earlier passes left silent or misleading', () => {
  it.each<[string, string[], string]>([
    ['an empty --out', ['--task', 'spiral', '--out', ''], '--out needs a file name, e.g. --out run.json'],
    ['a blank --out', ['--task', 'spiral', '--out', '  '], '--out needs a file name, e.g. --out run.json'],
    [
      'an empty --export-pytorch',
      ['--task', 'spiral', '--export-pytorch', ''],
      '--export-pytorch needs a file name, e.g. --export-pytorch train.py',
    ],
    // One message per value, and 0 offered only where 0 is allowed.
    [
      'a subnormal --init-scale',
      ['--task', 'spiral', '--optimizer', 'fishleg', '--init-scale', '1e-40'],
      'FishLeg init scale must be at least 1.1754943508222875e-38 in size, the smallest normal float32 (got 1e-40)',
    ],
    [
      'a zero --init-scale',
      ['--task', 'spiral', '--optimizer', 'fishleg', '--init-scale', '0'],
      'FishLeg init scale must be a positive number, or unset for 1/damping (got 0)',
    ],
    [
      'a subnormal --eps',
      ['--task', 'spiral', '--eps', '1e-40'],
      'eps must be at least 1.1754943508222875e-38 in size, the smallest normal float32 (got 1e-40)',
    ],
    [
      'a subnormal --sigma',
      ['--task', 'spiral', '--sigma', '1e-40'],
      '--sigma must be from 1.1e-19 to 1.8e19, so that σ² is a normal float32 (got 1e-40)',
    ],
    [
      'a zero --sigma',
      ['--task', 'spiral', '--sigma', '0'],
      '--sigma must be from 1.1e-19 to 1.8e19, so that σ² is a normal float32 (got 0)',
    ],
    [
      'an integer setting past 2^53',
      ['--task', 'spiral', '--optimizer', 'fishleg', '--aux-every', '1e20'],
      'FishLeg aux-every K must be an integer from 1 to 9007199254740991 (2^53 − 1) (got 100000000000000000000)',
    ],
    // --fisher is FishLeg's (ggn, sampled) and K-FAC's (sampled): each judged against its own choices.
    [
      'a K-FAC --fisher that only FishLeg has',
      ['--task', 'spiral', '--optimizer', 'kfac', '--fisher', 'ggn'],
      "K-FAC fisher 'ggn' is not implemented: the exact-GGN factor G needs one backward pass per network output each step; use 'sampled' (targets drawn from the model, K-FAC's definition)",
    ],
    [
      'a K-FAC --fisher that no optimizer has',
      ['--task', 'spiral', '--optimizer', 'kfac', '--fisher', 'exact'],
      "option '--fisher <name>' argument 'exact' is invalid. expected one of sampled with kfac",
    ],
    [
      'a FishLeg --fisher that no optimizer has',
      ['--task', 'spiral', '--optimizer', 'fishleg', '--fisher', 'exact'],
      "option '--fisher <name>' argument 'exact' is invalid. expected one of ggn, sampled with fishleg",
    ],
  ])('refuses %s with one message', (_, argv, message) => {
    expect(messageOf(argv)).toBe(message);
  });

  it("takes every optimizer's own choices of a shared flag", () => {
    expect(parseArgs(['--task', 'spiral', '--optimizer', 'fishleg', '--fisher', 'ggn']).optimizer).toMatchObject({
      fisher: 'ggn',
    });
    expect(parseArgs(['--task', 'spiral', '--optimizer', 'kfac', '--fisher', 'sampled']).optimizer).toMatchObject({
      fisher: 'sampled',
    });
  });

  const dir = mkdtempSync(join(tmpdir(), 'fishleg-left-'));

  it('warns, even with --quiet, of a batch larger than the training set, and keeps the warning in --out', async () => {
    const warned: string[] = [];
    const s = await runTraining(
      cpu('--task', 'spiral', '--samples', '50', '--batch', '64', '--steps', '2', '--eval-every', '2'),
      undefined,
      undefined,
      (l) => warned.push(l),
    );
    expect(warned).toEqual([
      'the batch of 64 is larger than the 40 rows of the training split: batches are drawn with replacement, so each repeats rows (a batch of 40 costs less)',
    ]);
    expect(s.warnings).toEqual(warned);
    const quiet: string[] = [];
    await runTraining(cpu('--task', 'spiral', '--steps', '2', '--eval-every', '2'), undefined, undefined, (l) =>
      quiet.push(l),
    );
    expect(quiet).toEqual([]);
  });

  it('warns that a 2-row CSV tests on one row of a class it never trains on', async () => {
    const file = join(dir, 'two.csv');
    writeFileSync(file, 'x,label\n0.1,0\n0.9,1\n');
    const warned: string[] = [];
    await runTraining(
      cpu('--data', file, '--steps', '2', '--eval-every', '2', '--batch', '1'),
      undefined,
      undefined,
      (l) => warned.push(l),
    );
    expect(warned).toHaveLength(2);
    expect(warned[0]).toBe(
      'the test split holds only 1 row: its score says little (add rows or give a larger test file)',
    );
    expect(warned[1]).toMatch(/^the test split has class [01] that no training row has: no model can get it right$/);
  });

  it('refuses a named pipe as --data at once instead of waiting for a writer', () => {
    const fifo = join(dir, 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = cli('--data', fifo, '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: cannot read ${fifo}: it is a named pipe, not a file; save what it carries to a file and give that\n`,
    );
  });

  it('exits non-zero when the summary cannot be written to standard output', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(
        tsx,
        ['src/cli/train.ts', '--task', 'spiral', '--steps', '2', '--eval-every', '2', '--backend', 'cpu', '--quiet'],
        {
          encoding: 'utf8',
          timeout: 60_000,
          stdio: ['ignore', full, 'pipe'],
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('error: cannot write to standard output: the disk is full\n');
    } finally {
      closeSync(full);
    }
  });
});
