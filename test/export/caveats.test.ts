/** The page's "cannot reproduce" notice before a PyTorch download (src/engine/export/caveats.ts). */
import { describe, expect, it } from 'vitest';
import { exportCaveats } from '../../src/engine/export/caveats.ts';
import type { ExportSetup } from '../../src/engine/export/pytorch.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { defaultFishLeg } from '../../src/engine/optim/config.ts';

const base: ExportSetup = {
  scriptName: 'run.py',
  data: { source: 'toy', task: 'spiral', n: 100, noise: 0.05, seed: 1, testFraction: 0.2, classes: 2 },
  arch: '2-8t-2',
  likelihood: 'categorical',
  sigma: 1,
  batch: 16,
  evalEvery: 5,
  steps: 20,
  seed: 1,
  runs: [{ name: 'sgd', optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 } }],
};

describe('exportCaveats', () => {
  it('says nothing for a setup the script reproduces', () => {
    expect(exportCaveats(base)).toEqual([]);
  });

  it('names each run whose FishLeg structure, estimator or state the script cannot keep, and MNIST', () => {
    const fl = { ...defaultFishLeg('kron-diag'), fisher: 'ggn' as const };
    const got = exportCaveats({
      ...base,
      data: { source: 'mnist', task: 'mnist' },
      runs: [
        { name: 'fl', optimizer: fl, start: { step: 3, params: [], tensors: {} } },
        { name: 'plain', optimizer: { ...defaultFishLeg('block-kron'), fisher: 'sampled' as const } },
      ],
      switchApprox: [{ step: 5, approx: 'sum-kron' }],
    });
    expect(got.some((c) => c.startsWith('MNIST'))).toBe(true);
    expect(got.filter((c) => c.startsWith('fl:'))).toHaveLength(3);
    expect(got.some((c) => c.startsWith('plain:'))).toBe(false);
    expect(got.some((c) => /switches/.test(c))).toBe(true);
  });

  it('says a sentence once when runs of one name share it', () => {
    const fl = { ...defaultFishLeg('kron-diag'), fisher: 'ggn' as const };
    const got = exportCaveats({
      ...base,
      runs: [
        { name: 'FishLeg', optimizer: fl },
        { name: 'FishLeg', optimizer: { ...fl, approx: 'sum-kron' } },
      ],
    });
    expect(got).toEqual([
      "FishLeg: FishLeg's 'kron-diag' structure becomes the library's one Kronecker layer.",
      "FishLeg: the exact GGN product becomes the library's antithetic estimate.",
      "FishLeg: FishLeg's 'sum-kron' structure becomes the library's one Kronecker layer.",
    ]);
  });

  it('names a FishLeg run whose journal changes what the library fixes, not one that changes its rate', () => {
    const fl = defaultFishLeg('block-kron');
    const got = exportCaveats({
      ...base,
      runs: [
        { name: 'lr', optimizer: fl, changes: [{ step: 4, optimizer: { ...fl, lr: fl.lr / 2 } }] },
        { name: 'switch', optimizer: fl, changes: [{ step: 6, optimizer: { ...fl, approx: 'kron-diag' } }] },
      ],
    });
    expect(got.filter((c) => c.includes('during the race'))).toEqual([
      "switch: changes of FishLeg's structure or estimator during the race keep the first one.",
    ]);
  });

  it("says nothing of MNIST when the race's digits go along", () => {
    // The notice reads only whether splits go along; any dataset says so.
    const splits = toyDataset('spiral', { n: 20, seed: 1 });
    expect(exportCaveats({ ...base, data: { source: 'mnist', task: 'mnist' }, splits })).toEqual([]);
  });
});
