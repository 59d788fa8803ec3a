/** The page's config as an export setup (src/ui/export-pytorch.ts). */
import { describe, expect, it } from 'vitest';
import { exportPytorch, ExportError } from '../engine/export/pytorch.ts';
import { scaledRegressionDataset } from '../engine/data/scaled-regression.ts';
import { dataFor, DEFAULT_CONFIG, modelFor, runsFor, optimizerFor, type PlaygroundConfig } from './config.ts';
import { exportCaveats } from '../engine/export/caveats.ts';
import { loadMnistNode } from '../engine/data/mnist-node.ts';
import {
  DEFAULT_EXPORT_STEPS,
  EXPORT_BUNDLE,
  EXPORT_SCRIPT,
  exportDownload,
  exportSetupFromPlayground,
  journalCaveats,
} from './export-pytorch.ts';
import { addJournalChange, MAX_JOURNAL, startJournal } from './settings-journal.ts';

describe('exportSetupFromPlayground', () => {
  it('takes the default race: spiral data, the full architecture, every run, one script', () => {
    const s = exportSetupFromPlayground(DEFAULT_CONFIG, null);
    expect(s.data).toEqual({
      source: 'toy',
      task: 'spiral',
      n: 400,
      noise: 0.05,
      seed: 1,
      testFraction: 0.2,
      classes: 2,
    });
    expect(s.arch).toBe('2-16t-16t-2');
    expect(s.likelihood).toBe('categorical');
    expect(s.steps).toBe(DEFAULT_EXPORT_STEPS);
    expect(s.runs.map((r) => r.optimizer)).toEqual(DEFAULT_CONFIG.runs.map((r) => r.optimizer));
    const files = exportPytorch(s);
    expect(files.map((f) => f.name)).toEqual([EXPORT_SCRIPT]);
  });

  it('resolves the automatic likelihood, the step budget and a model without hidden layers', () => {
    const c: PlaygroundConfig = {
      ...DEFAULT_CONFIG,
      data: dataFor('mnist-ae', 4),
      model: { ...modelFor('mnist-ae'), hidden: '' },
      runs: runsFor([optimizerFor('adam')]),
      stopAt: 250,
    };
    const s = exportSetupFromPlayground(c, null, loadMnistNode('mnist-ae'));
    expect(s).toMatchObject({ arch: '784-784', likelihood: 'bernoulli', steps: 250, seed: 4, batch: 100 });
  });

  it("carries MNIST's playground split beside the script, one zip to download, and waits for the digits", () => {
    const c: PlaygroundConfig = { ...DEFAULT_CONFIG, data: dataFor('mnist', 2), model: modelFor('mnist') };
    expect(() => exportSetupFromPlayground(c, null)).toThrow(/still loading/);
    const ds = loadMnistNode('mnist');
    const s = exportSetupFromPlayground(c, null, ds);
    expect(s.splits).toBe(ds);
    expect(exportCaveats(s).join(' ')).not.toMatch(/torchvision/);
    const files = exportPytorch(s);
    expect(files.map((f) => f.name)).toEqual([EXPORT_SCRIPT, 'playground_data.npz']);
    const zip = exportDownload(files);
    expect(zip.name).toBe(EXPORT_BUNDLE);
    // The stored zip holds each file's bytes as they are, after its local header (30 bytes) and name.
    const bytes = Buffer.from(zip.contents as Uint8Array);
    const script = Buffer.from(files[0]!.contents as string);
    const npz = Buffer.from(files[1]!.contents as Uint8Array);
    const second = 30 + EXPORT_SCRIPT.length + script.length;
    expect(bytes.subarray(30 + EXPORT_SCRIPT.length, second).equals(script)).toBe(true);
    const at = second + 30 + 'playground_data.npz'.length;
    expect(bytes.subarray(at, at + npz.length).equals(npz)).toBe(true);
    // A toy race stays one script (its port regenerates the data).
    expect(exportDownload(exportPytorch(exportSetupFromPlayground(DEFAULT_CONFIG, null))).name).toBe(EXPORT_SCRIPT);
  });

  it('embeds a CSV setup, split as the worker splits it, and asks for the file when there is none', () => {
    const c: PlaygroundConfig = {
      ...DEFAULT_CONFIG,
      data: { ...dataFor('csv'), file: 'd.csv' },
      model: modelFor('csv'),
    };
    expect(() => exportSetupFromPlayground(c, null)).toThrow(ExportError);
    const s = exportSetupFromPlayground(c, { name: 'd.csv', text: 'u,v,y\n1,2,3\n4,5,6\n7,8,9\n0,1,2\n' });
    expect(s.arch).toBe('2-16t-1');
    expect(s.likelihood).toBe('gaussian');
    expect(s.data.source === 'table' && s.data.embed).toBe(true);
    const script = exportPytorch(s)[0]!.contents as string;
    expect(script).toContain('EMBEDDED = {');
  });

  it('embeds the badly scaled regression, generated on the race seed as the worker generates it', () => {
    const c: PlaygroundConfig = {
      ...DEFAULT_CONFIG,
      data: dataFor('scaled-regression', 3),
      model: modelFor('scaled-regression'),
    };
    const s = exportSetupFromPlayground(c, null);
    expect(s).toMatchObject({ arch: '16-16-16-4', likelihood: 'gaussian', batch: 100 });
    expect(s.data.source === 'table' && s.data.dataset).toEqual(scaledRegressionDataset({ seed: 3 }));
    expect(exportPytorch(s)[0]!.contents as string).toContain('EMBEDDED = {');
  });

  it("passes the race's journals and forks, and says what it cannot replay", () => {
    const sgd = (lr: number) => ({ kind: 'sgd' as const, lr, momentum: 0.9, weightDecay: 0 });
    const runs = [
      { id: 'r1', name: 'a', colour: '#111111', optimizer: sgd(0.2) },
      { id: 'r4', name: 'twig', colour: '#222222', optimizer: sgd(0.05) },
      { id: 'r5', name: 'orphan', colour: '#333333', optimizer: sgd(0.01) },
      { id: 'r6', name: 'old', colour: '#444444', optimizer: sgd(0.03) },
    ];
    const c: PlaygroundConfig = { ...DEFAULT_CONFIG, runs, stopAt: null };
    const race = {
      r1: { journal: addJournalChange(undefined, 40, sgd(0.5), sgd(0.2)) },
      r4: { origin: { from: 'r1', step: 1200 } },
      // Its parent was removed after the branch.
      r5: { origin: { from: 'r3', step: 80 }, journal: startJournal(sgd(0.01)) },
      r6: { journalLost: true, journal: addJournalChange(undefined, 7, sgd(1), sgd(0.03)) },
    };
    const s = exportSetupFromPlayground(c, null, null, race);
    expect(s.runs).toEqual([
      { name: 'a', optimizer: sgd(0.5), changes: [{ step: 40, optimizer: sgd(0.2) }] },
      { name: 'twig', optimizer: sgd(0.05), branch: { from: 'a', step: 1200 } },
      { name: 'orphan', optimizer: sgd(0.01) },
      { name: 'old', optimizer: sgd(0.03) },
    ]);
    // No budget: past the last fork, so that the branch exists in the script.
    expect(s.steps).toBe(1201);
    expect(exportSetupFromPlayground({ ...c, stopAt: 2000 }, null, null, race).steps).toBe(2000);
    expect(() => exportPytorch(s)).not.toThrow();
    expect(journalCaveats(c, race)).toEqual([
      'orphan: it branched at step 80 from a run since removed; the script trains it from step 0.',
      'old: its earlier settings were saved by an older version of the page; the script trains its current ones from step 0.',
    ]);
    let long = startJournal(sgd(1));
    for (let step = 1; step <= MAX_JOURNAL + 2; step++) long = addJournalChange(long, step, sgd(1), sgd(step));
    expect(journalCaveats(c, { r1: { journal: long } })).toEqual([
      `a: of its ${MAX_JOURNAL + 2} live changes the script replays the first ${MAX_JOURNAL - 1} and the latest.`,
    ]);
    // Without the race's states: the config's settings from step 0, as before the page kept journals.
    expect(exportSetupFromPlayground(c, null).runs.map((r) => Object.keys(r))).toEqual(
      runs.map(() => ['name', 'optimizer']),
    );
  });
});
