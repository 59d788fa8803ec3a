/**
 * `npm run train -- … --export-pytorch run.py`: writes the script and its side files and trains nothing; a
 * path that cannot be written, or a name that is not a Python script, is one clear line and exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.ts';
import { writePytorchExport } from '../../src/cli/export-pytorch.ts';
import { parseArch } from '../../src/engine/data/arch.ts';
import { initParams } from '../../src/engine/model/mlp.ts';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'cli-export-'));

function cli(...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/train.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The float32 values of a one-dimensional .npy file. */
function readNpy(path: string): Float32Array {
  const b = readFileSync(path);
  const headerLength = b[8]! | (b[9]! << 8);
  return new Float32Array(b.buffer.slice(b.byteOffset + 10 + headerLength, b.byteOffset + b.length));
}

describe('--export-pytorch', () => {
  it("writes the script, the engine initial weights and the race's data, prints where, and trains nothing", () => {
    const script = join(dir, 'run.py');
    const r = cli(
      '--task',
      'spiral',
      '--optimizer',
      'adamw',
      '--lr',
      '0.0123',
      '--seed',
      '9',
      '--export-pytorch',
      script,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${script}\nwrote ${join(dir, 'run_init.npy')}\nwrote ${join(dir, 'run_data.npz')}\n`);
    const text = readFileSync(script, 'utf8');
    expect(text).toContain('torch.optim.AdamW(model.parameters(), lr=0.0123');
    expect(text).toContain('"seed": 9');
    expect(Array.from(readNpy(join(dir, 'run_init.npy')))).toEqual(Array.from(initParams(parseArch('2-16t-16t-2'), 9)));
  });

  it('writes a CSV setup engine splits beside the script', () => {
    const data = join(dir, 'd.csv');
    writeFileSync(data, 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n');
    const written = writePytorchExport(parseArgs(['--data', data, '--seed', '2']), join(dir, 'csv.py'));
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
      'csv.py',
      'csv_train.csv',
      'csv_test.csv',
      'csv_init.npy',
    ]);
    const train = readFileSync(join(dir, 'csv_train.csv'), 'utf8').trim().split('\n');
    const test = readFileSync(join(dir, 'csv_test.csv'), 'utf8').trim().split('\n');
    expect(train[0]).toBe('a,b,label');
    expect(train.length - 1 + test.length - 1).toBe(5);
    expect(test).toHaveLength(2); // header + the one held-out row of 5 × 0.2
  });

  it.each<[string, RegExp]>([
    [
      join(dir, 'no-such-folder', 'run.py'),
      /^error: cannot write --export-pytorch .*run\.py: its folder does not exist/,
    ],
    [dir, /^error: --export-pytorch .*: the script's name must end in \.py\n$/],
  ])('refuses %s with one line and exit code 2', (path, message) => {
    const r = cli('--task', 'xor', '--export-pytorch', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it.each<[string, RegExp]>([
    ['run.txt', /the script's name must end in \.py$/],
    ['my run.py', /use letters, digits, '_', '-' and '\.' in the script's name/],
  ])('refuses the script name %s', (name, message) => {
    expect(() => writePytorchExport(parseArgs(['--task', 'xor']), join(dir, name))).toThrow(message);
    expect(existsSync(join(dir, name))).toBe(false);
  });

  it('refuses --out with it: nothing is trained, so there would be no curve', () => {
    expect(() => writePytorchExport(parseArgs(['--task', 'xor', '--arch', '3-2']), join(dir, 'x.py'))).toThrow(
      /takes 3 inputs/,
    );
    const r = cli('--task', 'xor', '--out', join(dir, 'o.json'), '--export-pytorch', join(dir, 'o.py'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out would have nothing to write/);
    expect(existsSync(join(dir, 'o.py'))).toBe(false);
  });
});
