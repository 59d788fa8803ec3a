import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, optimizerFor } from './config.ts';
import { asksFirst, kindChanges, restartChanges } from './restart-change.ts';
import { changeOptimizer } from './run-kind.ts';

const c = DEFAULT_CONFIG;

describe('a change that restarts a race with progress asks first', () => {
  it('names each setup change in words', () => {
    expect(restartChanges(c, { ...c, data: { ...c.data, n: 1000 } })).toEqual([`points ${c.data.n} → 1000`]);
    expect(restartChanges(c, { ...c, model: { ...c.model, hidden: '32t-16t', batch: 64 } })).toEqual([
      `hidden layers ${c.model.hidden} → 32t-16t`,
      `batch ${c.model.batch} → 64`,
    ]);
    expect(restartChanges(c, { ...c, model: { ...c.model, hidden: '' } })).toEqual([
      `hidden layers ${c.model.hidden} → none`,
    ]);
    expect(restartChanges(c, { ...c, data: { ...c.data, testFraction: 0.3 } })).toEqual(['test % 20 → 30']);
    expect(restartChanges(c, { ...c, data: { ...c.data, seeds: 3 } })).toEqual(['seeds 1 → 3']);
    expect(restartChanges(c, { ...c, data: { ...c.data, features: ['x1sq', 'x2sq'] } })).toEqual([
      'inputs x₁ x₂ → x₁² x₂²',
    ]);
    expect(asksFirst(10, c, { ...c, data: { ...c.data, features: ['x1', 'x2', 'sin1'] } })).toBe(true);
  });

  it('names an optimizer change with the run’s new name', () => {
    const next = changeOptimizer(c, 'r1', optimizerFor('kfac'));
    expect(restartChanges(c, next)).toEqual(['SGD: SGD → K-FAC, renamed K-FAC']);
  });

  it('asks only when the race has taken steps and something that restarts it changed', () => {
    const next = { ...c, data: { ...c.data, n: 1000 } };
    expect(asksFirst(0, c, next)).toBe(false);
    expect(asksFirst(100, c, next)).toBe(true);
    expect(asksFirst(100, c, c)).toBe(false);
  });
});

describe('an optimizer change that restarts a race without steps is said', () => {
  it('names the run by its place, its new kind and its old one', () => {
    const next = changeOptimizer(c, 'r1', optimizerFor('kfac'));
    expect(kindChanges(c, next)).toEqual(['run 1 is now K-FAC (was SGD)']);
    const second = changeOptimizer(c, c.runs[1]!.id, optimizerFor('kfac'));
    expect(kindChanges(c, second)).toEqual([`run 2 is now K-FAC (was ${c.runs[1]!.name})`]);
  });

  it('keeps a name the user chose in the phrase, and says nothing when no kind changed', () => {
    const named = { ...c, runs: c.runs.map((r, i) => (i === 0 ? { ...r, name: 'mine' } : r)) };
    expect(kindChanges(named, changeOptimizer(named, 'r1', optimizerFor('adam')))).toEqual([
      'run 1 is now Adam (was SGD), named mine',
    ]);
    expect(kindChanges(c, { ...c, data: { ...c.data, n: 1000 } })).toEqual([]);
    expect(kindChanges(c, c)).toEqual([]);
  });
});
