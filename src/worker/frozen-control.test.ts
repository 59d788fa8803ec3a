import { describe, expect, it } from 'vitest';
import { defaultFishLeg, defaultOptimizer } from '../engine/optim/config.ts';
import { controlledRun, frozenQControl, withFrozenControls } from './frozen-control.ts';
import type { RunSpec } from './protocol.ts';

const run = (id: string, optimizer: RunSpec['optimizer']): RunSpec => ({ id, name: id, colour: '#009e73', optimizer });

describe('frozenQControl', () => {
  it('is the same FishLeg run with the auxiliary rate 0, under its own id and name', () => {
    const fl = run('r2', { ...defaultFishLeg('kron-diag'), lr: 0.02 });
    expect(frozenQControl(fl)).toEqual({
      ...fl,
      id: 'r2-frozen',
      name: 'r2 (Q frozen)',
      optimizer: { ...fl.optimizer, auxLr: 0 },
    });
  });

  it('has no control for other optimizers or an already frozen Q', () => {
    expect(frozenQControl(run('r1', defaultOptimizer('adam')))).toBeNull();
    expect(frozenQControl(run('r1', { ...defaultFishLeg(), auxLr: 0 }))).toBeNull();
  });

  it('puts each control right after its run', () => {
    const runs = [run('a', defaultOptimizer('adam')), run('b', defaultFishLeg()), run('c', defaultOptimizer('sgd'))];
    expect(withFrozenControls(runs).map((r) => r.id)).toEqual(['a', 'b', 'b-frozen', 'c']);
  });
});

describe('controlledRun', () => {
  const fl = run('r2', { ...defaultFishLeg(), lr: 0.02 });
  const control = frozenQControl(fl)!;
  it('finds the learned run of a control from the settings and colour alone', () => {
    expect(controlledRun(control, [fl, control])).toBe(fl);
    expect(controlledRun(fl, [fl, control])).toBeNull();
  });
  it('is null when another setting or the colour differs', () => {
    const other = { ...control, optimizer: { ...control.optimizer, lr: 0.03 } };
    expect(controlledRun(other, [fl, other])).toBeNull();
    expect(controlledRun({ ...control, colour: '#000000' }, [fl, control])).toBeNull();
  });
});
