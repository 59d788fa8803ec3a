/**
 * The Inside-FishLeg charts over time need every frame's scalar measures, but the worker sends one frame at a
 * time: the store keeps the history on the latest frame itself (InsideFrame.history), so it is dropped with the
 * frame whenever the run or layer changes or the race is set up again.
 */
import type { InsideFrame, InsideHistoryPoint } from '../worker/protocol.ts';

/** Points kept per history; beyond it every other older point goes (charts thin to 400 anyway). */
export const MAX_HISTORY = 600;

/** The frame's scalar measures as one history point (null when it has none). */
export function historyPoint(f: InsideFrame): InsideHistoryPoint | null {
  const m = f.measures;
  if (!m) return null;
  return {
    step: f.step,
    cosFishLeg: m.cosFishLeg,
    cosGradient: m.cosGradient,
    auxLoss: m.auxLoss,
    auxOptimum: m.auxOptimum,
    relError: f.relError,
    wholeCosFishLeg: m.whole?.cosFishLeg ?? null,
    wholeCosGradient: m.whole?.cosGradient ?? null,
  };
}

/**
 * `next` with the history of `prev` (same run and layer only) plus its own point. Points at or after next's step
 * are dropped: after a device loss the race resumes from an earlier checkpoint and retraces those steps.
 */
export function withHistory(prev: InsideFrame | null, next: InsideFrame): InsideFrame {
  const same = prev !== null && prev.runId === next.runId && prev.layer.index === next.layer.index;
  let history = same ? (prev.history ?? []).filter((p) => p.step < next.step) : [];
  const point = historyPoint(next);
  if (point) history = [...history, point];
  if (history.length > MAX_HISTORY) {
    const half = history.length >> 1;
    history = [...history.slice(0, half).filter((_, i) => i % 2 === 0), ...history.slice(half)];
  }
  return { ...next, history };
}
