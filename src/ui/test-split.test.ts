/**
 * The train/test ratio of the 2D data sets: the URL's `test=` (validated, round-tripped, default left out), the
 * worker's data split it reaches, and the CLI's --test-fraction.
 */
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../cli/args.ts';
import { loadCliData, plannedShape } from '../cli/data.ts';
import type { RunSpec, WorkerEvent } from '../worker/protocol.ts';
import { WorkerSession } from '../worker/session.ts';
import { DEFAULT_CONFIG, optimizerFor, parseSearch, runsFor, toSearch } from './config.ts';

describe('test split in the URL', () => {
  it('round-trips a chosen share and leaves the default out', () => {
    const cfg = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, task: 'xor' as const, testFraction: 0.35 } };
    const search = toSearch(cfg);
    expect(search).toContain('test=0.35');
    const back = parseSearch(search);
    expect(back.warnings).toEqual([]);
    expect(back.config.data.testFraction).toBe(0.35);
    expect(toSearch(back.config)).toBe(search);
    expect(toSearch(DEFAULT_CONFIG)).not.toContain('test=');
    const def = parseSearch('?task=spiral&test=0.2');
    expect(def.config.data.testFraction).toBeUndefined();
    expect(def.warnings).toEqual([]);
  });

  it('refuses shares outside [0.05, 0.9] or malformed, with a warning, keeping the default', () => {
    for (const bad of ['0', '0.95', '-0.1', '1', 'abc', '0x1', 'Infinity', '']) {
      const r = parseSearch(`?task=circles&test=${bad}`);
      expect(r.config.data.testFraction, bad).toBeUndefined();
      expect(r.warnings, bad).toEqual([`test=${bad} must be a share of the points in [0.05, 0.9]; using 0.2`]);
    }
    expect(parseSearch('?task=circles&test=0.05').config.data.testFraction).toBe(0.05);
    expect(parseSearch('?task=circles&test=0.9').config.data.testFraction).toBe(0.9);
    // Not a setting of MNIST or CSV data: ignored there.
    expect(parseSearch('?task=mnist&test=0.5').config.data.testFraction).toBeUndefined();
  });
});

describe('test split reaches the data', () => {
  it("the worker's race splits the toy points by it", async () => {
    const events: WorkerEvent[] = [];
    const session = new WorkerSession((e) => events.push(e));
    const runs: RunSpec[] = runsFor([optimizerFor('sgd')]);
    await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await session.handle({
      type: 'setup',
      requestId: 2,
      raceId: 1,
      spec: {
        data: { task: 'xor', n: 200, noise: 0.05, seed: 1, testFraction: 0.3 },
        model: { hidden: '4t', likelihood: 'auto', batch: 8, evalEvery: 10 },
        runs,
        inspect: { runId: null, layer: 0 },
      },
    });
    const ready = events.find((e) => e.type === 'raceReady');
    expect(ready?.type === 'raceReady' && ready.data).toMatchObject({ trainRows: 140, testRows: 60 });
    await session.dispose();
  });

  it('the CLI takes --test-fraction for toys and refuses it elsewhere or out of (0, 1)', () => {
    const cli = parseArgs(['--task', 'gaussians', '--samples', '100', '--test-fraction', '0.25']);
    expect(cli.testFraction).toBe(0.25);
    const d = loadCliData(cli);
    expect([d.train.n, d.test.n]).toEqual([75, 25]);
    expect(plannedShape(cli)?.data).toMatchObject({ trainRows: 75, testRows: 25 });
    expect(parseArgs(['--task', 'xor']).testFraction).toBeNull();
    expect(() => parseArgs(['--task', 'mnist', '--test-fraction', '0.1'])).toThrow(/applies to the toy tasks/);
    for (const bad of ['0', '1', '-0.5']) {
      expect(() => parseArgs(['--task', 'xor', '--test-fraction', bad])).toThrow(CliError);
    }
  });
});
