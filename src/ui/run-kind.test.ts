import { describe, expect, it } from 'vitest';
import { OPTIMIZER_LABELS } from '../engine/page.ts';
import { kindShades } from './colours.ts';
import { DEFAULT_CONFIG, optimizerFor, runsFor } from './config.ts';
import { changeOptimizer, isPageColour, isPageName, withOptimizer } from './run-kind.ts';

describe('a run that changes optimizer takes the new kind’s name and colour', () => {
  it('renames and recolours a run the page named: SGD → K-FAC says K-FAC in K-FAC’s colour', () => {
    const runs = runsFor([optimizerFor('sgd'), optimizerFor('adam')]);
    const next = withOptimizer(runs[0]!, optimizerFor('kfac'), runs);
    expect(next.name).toBe(OPTIMIZER_LABELS.kfac);
    expect(next.colour).toBe(kindShades('kfac')[0]);
    expect(next.optimizer.kind).toBe('kfac');
    expect(next.id).toBe(runs[0]!.id);
  });

  it('drops a tuned marker: it vouched for the old optimizer’s rate, even where the new rate is the same number', () => {
    const [sgd] = runsFor([optimizerFor('sgd')]);
    const tuned = {
      ...sgd!,
      tuned: { lr: sgd!.optimizer.lr, steps: 500, seeds: [1, 2, 3], objective: 'train' as const },
    };
    const next = withOptimizer(tuned, { ...optimizerFor('kfac'), lr: sgd!.optimizer.lr }, [tuned]);
    expect(next.tuned).toBeUndefined();
    // The same optimizer with new settings keeps it (the marker itself lapses if the rate is edited).
    expect(withOptimizer(tuned, { ...tuned.optimizer }, [tuned]).tuned).toEqual(tuned.tuned);
  });

  it('numbers and shades it among the other runs of the new kind', () => {
    const runs = runsFor([optimizerFor('sgd'), optimizerFor('adam')]);
    const next = withOptimizer(runs[0]!, optimizerFor('adam'), runs);
    expect(next.name).toBe(`${OPTIMIZER_LABELS.adam} 2`);
    expect(next.colour).toBe(kindShades('adam')[1]);
  });

  it('keeps a name and a colour the user chose', () => {
    const [sgd] = runsFor([optimizerFor('sgd')]);
    const mine = { ...sgd!, name: 'My baseline', colour: '#123456' };
    const next = withOptimizer(mine, optimizerFor('fishleg'), [mine]);
    expect(next.name).toBe('My baseline');
    expect(next.colour).toBe('#123456');
    // One chosen, the other not: each is judged on its own.
    const named = withOptimizer({ ...sgd!, name: 'Fast' }, optimizerFor('fishleg'), [sgd!]);
    expect(named.name).toBe('Fast');
    expect(named.colour).toBe(kindShades('fishleg')[0]);
  });

  it('tells page-given names from chosen ones', () => {
    expect(isPageName('SGD', 'sgd')).toBe(true);
    expect(isPageName('SGD 3', 'sgd')).toBe(true);
    expect(isPageName('SGD branch', 'sgd')).toBe(true);
    expect(isPageName('FishLeg (Q frozen)', 'fishleg')).toBe(true);
    expect(isPageName('SGD fast', 'sgd')).toBe(false);
    expect(isPageName('Adam', 'sgd')).toBe(false);
    expect(isPageColour(kindShades('sgd')[2]!.toUpperCase(), 'sgd')).toBe(true);
    expect(isPageColour(kindShades('adam')[0]!, 'sgd')).toBe(false);
  });

  it('changes only the kind’s run in a config; the same kind keeps name and colour', () => {
    const c = changeOptimizer(DEFAULT_CONFIG, 'r1', optimizerFor('kfac'));
    expect(c.runs.map((r) => r.name)).toEqual([
      OPTIMIZER_LABELS.kfac,
      ...DEFAULT_CONFIG.runs.slice(1).map((r) => r.name),
    ]);
    const same = changeOptimizer(DEFAULT_CONFIG, 'r1', { ...DEFAULT_CONFIG.runs[0]!.optimizer, lr: 0.5 });
    expect(same.runs[0]!.name).toBe(DEFAULT_CONFIG.runs[0]!.name);
    expect(same.runs[0]!.colour).toBe(DEFAULT_CONFIG.runs[0]!.colour);
  });
});
