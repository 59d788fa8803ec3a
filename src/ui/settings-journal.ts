/**
 * A run's settings journal as the page keeps it: the settings it started with and every live change with the
 * step it took effect at, from step 0 (or its fork). The worker's own journal only reaches back to its last
 * checkpoint (src/worker/race.ts), so the page keeps the whole one, saved with the training state; the
 * PyTorch export replays it (docs/pytorch-export.md §7.1). Plain functions over plain data.
 */
import type { OptimizerConfig } from '../engine/page.ts';

/** One live change: from `step` on (before that step's update) the run trains with `optimizer`. */
export interface JournalChange {
  readonly step: number;
  readonly optimizer: OptimizerConfig;
}

export interface SettingsJournal {
  /** The run's settings at its first step (step 0, or its fork). */
  readonly first: OptimizerConfig;
  /** In step order, at most one per step. */
  readonly changes: readonly JournalChange[];
  /**
   * Changes not kept, past MAX_JOURNAL: the last entry then holds the latest settings, at the step of the
   * latest change, and those between were merged into it.
   */
  readonly dropped?: number;
}

/** Entries kept per run: a few hundred bytes each, so a whole journal stays far below the curves' size. */
export const MAX_JOURNAL = 500;

/** A journal that starts with `first`, changed nowhere yet. */
export const startJournal = (first: OptimizerConfig): SettingsJournal => ({ first, changes: [] });

/**
 * `journal` with one more change (none yet: it starts from `from`). Two at one step (edits while paused)
 * leave the later; past MAX_JOURNAL the last entry is replaced, counted in `dropped`.
 */
export function addJournalChange(
  journal: SettingsJournal | undefined,
  step: number,
  from: OptimizerConfig,
  to: OptimizerConfig,
): SettingsJournal {
  const j = journal ?? startJournal(from);
  const kept = j.changes.filter((c) => c.step < step);
  const change = { step, optimizer: to };
  if (kept.length < MAX_JOURNAL) {
    const dropped = j.dropped ?? 0;
    return { ...j, changes: [...kept, change], ...(dropped > 0 ? { dropped } : {}) };
  }
  return { ...j, changes: [...kept.slice(0, MAX_JOURNAL - 1), change], dropped: (j.dropped ?? 0) + 1 };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isStep = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOptimizer = (v: unknown): boolean => isObject(v) && typeof v.kind === 'string';

/** Whether a saved value is a journal this page can replay: its changes in step order, of its first kind. */
export function journalOk(v: unknown): v is SettingsJournal {
  if (!isObject(v) || !isOptimizer(v.first) || !Array.isArray(v.changes)) return false;
  if (!(v.dropped === undefined || isStep(v.dropped))) return false;
  const kind = (v.first as { kind: string }).kind;
  let last = -1;
  for (const c of v.changes as unknown[]) {
    if (!isObject(c) || !isStep(c.step) || (c.step as number) <= last || !isOptimizer(c.optimizer)) return false;
    if ((c.optimizer as { kind: string }).kind !== kind) return false;
    last = c.step as number;
  }
  return true;
}
