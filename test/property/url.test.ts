/**
 * The page's URL codec on generated links: any race a link can hold (runs of every optimizer with settings
 * drawn from their schemas, names, colours, the data and model settings) writes to a query string that
 * reads back to the same race with no notice; one value broken in it gets a notice naming it, and
 * everything else in the link is kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SETUP } from '../../src/engine/setup-spec.ts';
import {
  DEFAULT_CONFIG,
  encodeRun,
  normaliseIds,
  parseSearch,
  toSearch,
  type PlaygroundConfig,
} from '../../src/ui/config.ts';
import { anyOptimizerConfig } from './arbitraries.ts';

const runName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,22}[A-Za-z0-9]$/);
const colour = fc.stringMatching(/^[0-9a-f]{6}$/).map((c) => `#${c}`);

const run = fc.record({ name: runName, colour, optimizer: anyOptimizerConfig });

const config: fc.Arbitrary<PlaygroundConfig> = fc
  .record({
    runs: fc.array(run, { minLength: 1, maxLength: 6 }),
    seed: fc.integer({ min: SETUP.seed.page.min, max: SETUP.seed.page.max }),
    batch: fc.integer({ min: SETUP.batch.page.min, max: 256 }),
    evalEvery: fc.integer({ min: SETUP.evalEvery.page.min, max: SETUP.evalEvery.page.max }),
    n: fc.integer({ min: SETUP.samples.page.min, max: SETUP.samples.page.max }),
    hidden: fc.constantFrom('8t', '16t-16t', '4r-4s', '', '32r'),
  })
  .map((g) => ({
    ...DEFAULT_CONFIG,
    data: { ...DEFAULT_CONFIG.data, seed: g.seed, n: g.n },
    model: { ...DEFAULT_CONFIG.model, hidden: g.hidden, batch: g.batch, evalEvery: g.evalEvery },
    runs: g.runs.map((r, i) => ({ id: `r${i + 1}`, ...r })),
    inspect: { runId: null, layer: 0 },
  }));

describe('the URL codec on generated links', () => {
  it('reads every race it writes back to the same race, with no notice', () => {
    fc.assert(
      fc.property(config, (c) => {
        const { config: got, warnings } = parseSearch(toSearch(c));
        expect(warnings).toEqual([]);
        expect(got).toEqual(normaliseIds(c));
      }),
      { numRuns: 200 },
    );
  });

  it('says which run setting it could not read, and keeps the rest of the link', () => {
    const broken = config.chain((c) =>
      fc.record({
        c: fc.constant(c),
        i: fc.nat({ max: c.runs.length - 1 }),
        junk: fc.constantFrom('abc', '1e999', 'Infinity', '0x10', '-', '½'),
      }),
    );
    fc.assert(
      fc.property(broken, ({ c, i, junk }) => {
        const q = new URLSearchParams(toSearch(c));
        const runs = q.getAll('run');
        // lr is every optimizer's first setting: written even at its default, broken here.
        const [head, fields = ''] = runs[i]!.split(/~(?=[^~]*$)/);
        const others = fields === '' ? [] : fields.split(',').filter((f) => !f.startsWith('lr:'));
        runs[i] = `${head}~${['lr:' + junk, ...others].join(',')}`;
        q.delete('run');
        for (const r of runs) q.append('run', r);
        const { config: got, warnings } = parseSearch(`?${q.toString()}`);
        expect(warnings).toHaveLength(1);
        // Quoted printable: anything outside ASCII shows as '?'.
        expect(warnings[0]).toContain(`run ${i + 1}: ignored setting 'lr:${junk.replace(/[^\x20-\x7e]/g, '?')}'`);
        // The other runs, and the broken run's other settings, come through.
        const want = normaliseIds(c);
        got.runs.forEach((r, j) => {
          if (j !== i) expect(r).toEqual(want.runs[j]);
          else
            expect(encodeRun({ ...r, optimizer: { ...r.optimizer, lr: want.runs[j]!.optimizer.lr } })).toBe(
              encodeRun(want.runs[j]!),
            );
        });
        expect(got.model).toEqual(want.model);
      }),
      { numRuns: 200 },
    );
  });

  it('says when a key is given twice, using the first value, and nothing else changes', () => {
    const twice = config.chain((c) => {
      const q = new URLSearchParams(toSearch(c));
      const keys = [...new Set([...q.keys()])].filter((k) => k !== 'run');
      return fc.constantFrom(...keys).map((key) => ({ c, q, key }));
    });
    fc.assert(
      fc.property(twice, ({ c, q, key }) => {
        const first = q.get(key)!;
        q.append(key, 'other');
        const { config: got, warnings } = parseSearch(`?${q.toString()}`);
        expect(warnings).toEqual([`${key} is given 2 times ('${first}', 'other'); using the first, '${first}'`]);
        expect(got).toEqual(normaliseIds(c));
      }),
      { numRuns: 100 },
    );
  });

  it('says what a CSV link is missing, or a file named for another task', () => {
    expect(parseSearch('?task=csv').warnings).toEqual(['task=csv names no file: pick a CSV file to train on']);
    expect(parseSearch('?task=csv&file=').warnings).toEqual(['file= is not a file name; it was ignored']);
    expect(parseSearch('?task=spiral&file=a.csv').warnings).toEqual([
      'file=a.csv applies to task=csv only; it was ignored',
    ]);
    expect(parseSearch('?task=csv&file=a.csv').warnings).toEqual([]);
  });
});
