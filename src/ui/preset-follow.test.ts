import { describe, expect, it } from 'vitest';
import { DEFAULT_CHART, optimizerFor, parseSearch, toSearch, type PlaygroundConfig } from './config.ts';
import { followPreset, isPresetSetup } from './preset-follow.ts';
import { PRESETS } from './presets.ts';
import { changeOptimizer } from './run-kind.ts';

const preset = (id: string) => PRESETS.find((p) => p.id === id)!;
const setup = (id: string): PlaygroundConfig => preset(id).config('cpu');

describe('a preset’s “what to watch” follows the setup it speaks of', () => {
  it('recognises every preset’s own setup, and only its own', () => {
    for (const p of PRESETS) {
      expect(followPreset(null, p.config('cpu'))).toEqual({ preset: p, modified: false });
      for (const q of PRESETS) if (q !== p) expect(isPresetSetup(q, p.config('cpu')), `${q.id} vs ${p.id}`).toBe(false);
    }
  });

  it('stays as it is when the user does what the preset says', () => {
    const sw = setup('switch');
    const fishleg = sw.runs.find((r) => r.optimizer.kind === 'fishleg' && r.optimizer.auxLr > 0)!;
    const switched = changeOptimizer(sw, fishleg.id, {
      ...fishleg.optimizer,
      approx: 'kron-diag',
    } as typeof fishleg.optimizer);
    expect(followPreset('switch', switched)).toEqual({ preset: preset('switch'), modified: false });
    // The MNIST preset's axis in seconds, a log scale off, another pace, budget, inspected layer, name, colour.
    const mnist = setup('mnist-ae');
    const looked: PlaygroundConfig = {
      ...mnist,
      chart: { ...DEFAULT_CHART, x: 'seconds', log: false },
      speed: 5,
      stopAt: 100,
      inspect: { runId: null, layer: 0 },
      runs: mnist.runs.map((r, i) => (i === 0 ? { ...r, name: 'Mine', colour: '#000000' } : r)),
    };
    expect(followPreset('mnist-ae', looked)).toEqual({ preset: preset('mnist-ae'), modified: false });
    // A reload reads the setup back from its link: still the preset's.
    expect(followPreset(null, parseSearch(toSearch(switched)).config)?.modified).toBe(false);
  });

  it('stays visible, marked modified, when the user changes what the preset is about', () => {
    const sp = setup('spiral');
    const changes: PlaygroundConfig[] = [
      { ...sp, data: { ...sp.data, task: 'xor' } },
      { ...sp, data: { ...sp.data, n: 400 } },
      { ...sp, model: { ...sp.model, hidden: '32t-16t' } },
      changeOptimizer(sp, 'r1', optimizerFor('kfac')),
      changeOptimizer(sp, 'r2', { ...sp.runs[1]!.optimizer, lr: 0.1 }),
      { ...sp, runs: sp.runs.slice(1) },
    ];
    for (const c of changes) expect(followPreset('spiral', c)).toEqual({ preset: preset('spiral'), modified: true });
    // The Switch preset invites its approximation only: another setting of that run is a modification.
    const sw = setup('switch');
    const r = sw.runs[1]!;
    expect(followPreset('switch', changeOptimizer(sw, r.id, { ...r.optimizer, lr: 0.7 }))?.modified).toBe(true);
  });

  it('moves to another preset whose setup is on the page, and shows none for a setup of one’s own', () => {
    expect(followPreset('spiral', setup('curvature'))).toEqual({ preset: preset('curvature'), modified: false });
    const own = { ...setup('spiral'), data: { ...setup('spiral').data, task: 'xor' as const } };
    expect(followPreset(null, own)).toBeNull();
  });
});
