/**
 * The command line: flags parse into a validated config; user mistakes become one-line errors with exit
 * code 2 (never a stack trace); a real run writes the documented JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';

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

  it.each([
    [['--task', 'nope'], /argument 'nope' is invalid/],
    [[], /nothing to train on/],
    [['--task', 'spiral', '--data', 'a.csv'], /either --task or --data/],
    [['--task', 'spiral', '--lr', 'abc'], /expected a number/],
    [['--task', 'spiral', '--lr', '-1'], /learning rate must be a positive number/],
    [['--task', 'spiral', '--batch', '0'], /positive integer/],
    [['--task', 'spiral', '--optimizer', 'adam', '--momentum', '0.9'], /--momentum applies to sgd/],
    [['--task', 'spiral', '--beta1', '1.5'], /beta1 must be in \[0, 1\)/],
    [['--task', 'mnist', '--noise', '0.1'], /apply to the toy tasks/],
    [['--task', 'spiral', '--frobnicate'], /unknown option/],
    [['--test', 'b.csv', '--task', 'spiral'], /--test needs --data/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(CliError);
    expect(() => parseArgs(argv)).toThrow(message);
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
  ])('exits 2 with one line for %j', (argv, message) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the file and line of a malformed CSV', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'x1,x2,label\n1,2,0\n3,abc,1\n');
    const r = cli('--data', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: bad.csv line 3: column 'x2' is not a number: 'abc'\n");
  });
});
