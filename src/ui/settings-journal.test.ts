/** A run's settings journal as the page keeps it (settings-journal.ts). */
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../engine/page.ts';
import { addJournalChange, journalOk, MAX_JOURNAL, startJournal } from './settings-journal.ts';

const sgd = (lr: number): OptimizerConfig => ({ kind: 'sgd', lr, momentum: 0, weightDecay: 0 });

describe('the settings journal', () => {
  it('starts from the settings before the first change and keeps one change per step, in step order', () => {
    let j = addJournalChange(undefined, 5, sgd(0.1), sgd(0.2));
    expect(j).toEqual({ first: sgd(0.1), changes: [{ step: 5, optimizer: sgd(0.2) }] });
    // The first settings stay those of step 0, whatever a later change says it changed from.
    j = addJournalChange(j, 9, sgd(0.7), sgd(0.3));
    // Two edits at one step (while paused): the later stands.
    j = addJournalChange(j, 9, sgd(0.3), sgd(0.4));
    expect(j).toEqual({
      first: sgd(0.1),
      changes: [
        { step: 5, optimizer: sgd(0.2) },
        { step: 9, optimizer: sgd(0.4) },
      ],
    });
    expect(journalOk(j)).toBe(true);
  });

  it('is bounded: past MAX_JOURNAL the last entry takes the latest settings and the rest are counted', () => {
    let j = startJournal(sgd(1));
    for (let step = 1; step <= MAX_JOURNAL + 3; step++) j = addJournalChange(j, step, sgd(step - 1), sgd(step));
    expect(j.changes).toHaveLength(MAX_JOURNAL);
    expect(j.dropped).toBe(3);
    expect(j.changes.at(-2)).toEqual({ step: MAX_JOURNAL - 1, optimizer: sgd(MAX_JOURNAL - 1) });
    expect(j.changes.at(-1)).toEqual({ step: MAX_JOURNAL + 3, optimizer: sgd(MAX_JOURNAL + 3) });
    expect(journalOk(j)).toBe(true);
  });

  it('refuses saved journals it could not replay', () => {
    const adam: OptimizerConfig = { kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    for (const bad of [
      null,
      { first: sgd(1) },
      { first: sgd(1), changes: [{ step: -1, optimizer: sgd(2) }] },
      {
        first: sgd(1),
        changes: [
          { step: 3, optimizer: sgd(2) },
          { step: 3, optimizer: sgd(3) },
        ],
      },
      { first: sgd(1), changes: [{ step: 3, optimizer: adam }] },
      { first: sgd(1), changes: [], dropped: 1.5 },
    ]) {
      expect(journalOk(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
