/**
 * The chart's marks: which settings a live change names, how changes at one step merge, and the label
 * layout — no two labels overlap for any set of marks, and the same marks get the same places in any order.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg, type SgdConfig } from '../engine/optim/config.ts';
import {
  addChange,
  changeLabel,
  describeOptimizer,
  diffOptimizer,
  layoutMarks,
  mergeMarks,
  type LayoutOptions,
  type Mark,
  type PlacedMark,
} from './marks.ts';

describe('live change labels', () => {
  it('names only the settings that changed, with both values', () => {
    const sgd: SgdConfig = { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0 };
    expect(changeLabel(diffOptimizer(sgd, { ...sgd, lr: 0.003 }))).toBe('lr 0.01→0.003');
    expect(changeLabel(diffOptimizer(sgd, { ...sgd, lr: 0.003, momentum: 0.5 }))).toBe(
      `lr 0.01→0.003, momentum ${sgd.momentum}→0.5`,
    );
    expect(diffOptimizer(sgd, { ...sgd })).toEqual([]);
    const fl = defaultFishLeg('block-kron');
    // The approximation is a switch mark of its own; the other FishLeg settings are named shortly.
    expect(diffOptimizer(fl, { ...fl, approx: 'kron-diag' })).toEqual([]);
    const flipped = !fl.preconditionAux;
    expect(changeLabel(diffOptimizer(fl, { ...fl, damping: 0.5, auxBatch: 64, preconditionAux: flipped }))).toBe(
      `damping ${fl.damping}→0.5, aux batch auto→64, precondition aux ${fl.preconditionAux ? 'on→off' : 'off→on'}`,
    );
  });

  it('merges changes at one step into one mark: first value to last, a setting changed back drops out', () => {
    let marks = addChange([], 20, [{ key: 'lr', from: '0.1', to: '0.01' }]);
    marks = addChange(marks, 20, [{ key: 'lr', from: '0.01', to: '0.003' }]);
    marks = addChange(marks, 20, [{ key: 'wd', from: '0', to: '0.1' }]);
    expect(marks).toEqual([
      {
        step: 20,
        changes: [
          { key: 'lr', from: '0.1', to: '0.003' },
          { key: 'wd', from: '0', to: '0.1' },
        ],
      },
    ]);
    marks = addChange(marks, 20, [{ key: 'wd', from: '0.1', to: '0' }]);
    expect(changeLabel(marks[0]!.changes)).toBe('lr 0.1→0.003');
    marks = addChange(marks, 20, [{ key: 'lr', from: '0.003', to: '0.1' }]);
    expect(marks).toEqual([]);
    expect(addChange([], 5, [])).toEqual([]);
    expect(
      addChange(addChange([], 5, [{ key: 'lr', from: '1', to: '2' }]), 9, [{ key: 'lr', from: '2', to: '3' }]),
    ).toHaveLength(2);
  });

  it('describes a run’s settings in one line for the exported chart', () => {
    expect(describeOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 })).toBe(
      'lr 0.1, momentum 0.9, wd 0',
    );
  });
});

/** A seeded generator (mulberry32), so the property test below is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = ['→ kron-diag', 'lr 0.01→0.003', 'SGD branch', 'damping 1→0.1, aux lr 0.001→0.0001', 'wd 0→0.1'];

function randomMarks(next: () => number, n: number, maxStep: number): Mark[] {
  return Array.from({ length: n }, (_, i) => {
    const runId = `r${1 + Math.floor(next() * 3)}`;
    const step = Math.floor(next() * maxStep);
    return {
      key: `${runId}#${i}`,
      runId,
      step,
      text: TEXTS[Math.floor(next() * TEXTS.length)]!,
      colour: '#000000',
      className: i % 2 ? 'change-marker' : 'switch-marker',
    };
  });
}

const layout = (maxStep: number, maxRows: number): LayoutOptions => ({
  x: (step) => (step > maxStep ? null : 60 + (step / maxStep) * 500),
  left: 60,
  right: 560,
  measure: (t) => 6.5 * t.length,
  maxRows,
});

function overlaps(placed: readonly PlacedMark[]): [string, string][] {
  const bad: [string, string][] = [];
  for (const a of placed) {
    for (const b of placed) {
      if (a.key < b.key && a.row !== null && a.row === b.row && a.x0 < b.x1 && b.x0 < a.x1) bad.push([a.key, b.key]);
    }
  }
  return bad;
}

describe('layoutMarks', () => {
  it('never overlaps two labels, keeps them on the plot and inside the rows, for many random sets', () => {
    const next = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const maxStep = 1 + Math.floor(next() * 2000);
      const maxRows = 1 + Math.floor(next() * 4);
      const marks = randomMarks(next, Math.floor(next() * 40), maxStep);
      const placed = layoutMarks(marks, layout(maxStep, maxRows));
      expect(overlaps(placed)).toEqual([]);
      for (const p of placed) {
        expect(p.x0).toBeGreaterThanOrEqual(60);
        expect(p.x1).toBeLessThanOrEqual(560);
        if (p.row !== null) expect(p.row).toBeLessThan(maxRows);
      }
      // Every (run, step) pair is one mark, labelled in full unless the label is wider than the plot.
      expect(placed).toHaveLength(new Set(marks.map((m) => `${m.runId}@${m.step}`)).size);
      for (const p of placed)
        expect(p.label === p.text || (p.label.endsWith('…') && 6.5 * p.text.length > 500)).toBe(true);
    }
  });

  it('is deterministic: the same marks in any order get the same places', () => {
    const next = rng(11);
    const marks = randomMarks(next, 30, 300);
    const a = layoutMarks(marks, layout(300, 3));
    const b = layoutMarks([...marks].reverse(), layout(300, 3));
    const shuffled = [...marks].sort(() => next() - 0.5);
    expect(b).toEqual(a);
    expect(layoutMarks(shuffled, layout(300, 3))).toEqual(a);
  });

  it('stacks close marks in rows, merges one run’s marks at a step, hides what does not fit', () => {
    const m = (key: string, runId: string, step: number, text: string, className = 'change-marker'): Mark => ({
      key,
      runId,
      step,
      text,
      colour: '#000000',
      className,
    });
    const marks = [
      m('a', 'r1', 10, 'lr 0.1→0.01'),
      m('b', 'r2', 11, 'lr 0.1→0.03'),
      m('c', 'r1', 10, '→ kron-diag', 'switch-marker'),
      m('d', 'r3', 12, 'wd 0→0.1'),
    ];
    expect(mergeMarks(marks).map((x) => [x.text, x.className])).toEqual([
      ['lr 0.1→0.01; → kron-diag', 'change-marker switch-marker'],
      ['lr 0.1→0.03', 'change-marker'],
      ['wd 0→0.1', 'change-marker'],
    ]);
    const two = layoutMarks(marks, layout(1000, 2));
    expect(two.map((p) => p.row)).toEqual([0, 1, null]);
    const three = layoutMarks(marks, layout(1000, 3));
    expect(three.map((p) => p.row)).toEqual([0, 1, 2]);
    // Near the right edge the label flips to the left of its line.
    const [edge] = layoutMarks([m('e', 'r1', 1000, 'lr 0.1→0.01')], layout(1000, 1));
    expect(edge!.x1).toBeLessThan(edge!.x);
    // Outside the visible range (zoomed in), no mark.
    expect(layoutMarks([m('f', 'r1', 2000, 'x')], layout(1000, 1))).toEqual([]);
  });

  it('keeps a branch icon through a merge and makes room for it', () => {
    const m = (key: string, runId: string, step: number, text: string, className = 'change-marker'): Mark => ({
      key,
      runId,
      step,
      text,
      colour: '#000000',
      className,
    });
    const branch: Mark = { ...m('a', 'r2', 10, 'SGD 2', 'branch-marker'), icon: 'branch' };
    const merged = mergeMarks([m('b', 'r2', 10, 'lr 0.1→0.01'), branch]);
    expect(merged.map((x) => [x.text, x.icon])).toEqual([['SGD 2; lr 0.1→0.01', 'branch']]);
    const plain = layoutMarks([m('c', 'r1', 10, 'SGD 2')], layout(1000, 1));
    const [withIcon] = layoutMarks([branch], { ...layout(1000, 1), iconWidth: 12 });
    expect(withIcon!.x1 - withIcon!.x0).toBe(plain[0]!.x1 - plain[0]!.x0 + 12);
    // Another mark right after it is pushed clear of the icon as well as the text.
    const next = m('d', 'r3', 10, 'wd 0→0.1');
    const rows = layoutMarks([branch, next], { ...layout(1000, 2), iconWidth: 12 });
    expect(rows.map((p) => p.row)).toEqual([0, 1]);
  });
});
