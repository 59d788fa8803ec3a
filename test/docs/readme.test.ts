/**
 * The README's flag tables are generated from the CLI's options and the optimizers' schemas
 * (scripts/gen-docs.ts): the checked-in README must match a fresh generation, and the tables must list
 * every flag `npm run train -- --help` has.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, generateReadme, generateTables, README } from '../../scripts/gen-docs.ts';
import { buildCommand } from '../../src/cli/args.ts';

describe('README flag tables', () => {
  it('are up to date (run `npm run gen:docs`)', async () => {
    const current = readFileSync(README, 'utf8');
    expect(await generateReadme(current)).toBe(current);
  });

  it('list every CLI flag', () => {
    const tables = generateTables();
    for (const o of buildCommand().options) expect(tables, o.long).toContain(`\`${o.long!}`);
  });

  it('notice a stale table', async () => {
    const current = readFileSync(README, 'utf8');
    const stale = current.replace(/(\| `--lr <x>` *\| )[^|]*/, '$1step size ');
    expect(stale).not.toBe(current);
    expect(await generateReadme(stale)).not.toBe(stale);
    expect(current.indexOf(BEGIN)).toBeLessThan(current.indexOf(END));
    await expect(generateReadme('no markers')).rejects.toThrow(/needs the markers/);
  });
});
