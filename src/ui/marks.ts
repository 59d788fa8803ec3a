/**
 * The race chart's marks: what changed live on a run (a learning rate, damping, an approximation switch, a
 * branch) and where its label goes. Live changes are kept as short text diffs ("lr 0.01→0.003") so that they
 * survive a reload and an export as plain data; `layoutMarks` puts the labels in rows so that none overlap,
 * whatever the marks, and places them the same way every time for the same marks.
 */
import type { OptimizerConfig } from '../engine/page.ts';

/** One setting that changed: its short name and both values as shown. */
export interface SettingChange {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** The live changes of one run that took effect at one step. */
export interface ChangeMark {
  readonly step: number;
  readonly changes: readonly SettingChange[];
}

/** How the chart names settings; settings not listed here go by their own name. */
const SHORT: Readonly<Record<string, string>> = {
  lr: 'lr',
  momentum: 'momentum',
  weightDecay: 'wd',
  beta: 'β',
  beta1: 'β₁',
  beta2: 'β₂',
  eps: 'ε',
  auxLr: 'aux lr',
  damping: 'damping',
  initScale: 'init scale',
  auxEvery: 'aux every',
  auxBatch: 'aux batch',
  fisher: 'Fisher',
  preconditionAux: 'precondition aux',
};

/** A setting's value as the chart shows it: numbers to 4 significant digits, null as 'auto'. */
export function formatSetting(v: unknown): string {
  if (v === null) return 'auto';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Settings shown elsewhere: the kind never changes live, an approximation change is a switch mark of its own. */
const NOT_A_CHANGE = new Set(['kind', 'approx']);

/** The settings that differ between two configs of one run, in the order the new config lists them. */
export function diffOptimizer(from: OptimizerConfig, to: OptimizerConfig): SettingChange[] {
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
  return keys
    .filter((k) => !NOT_A_CHANGE.has(k) && formatSetting(a[k]) !== formatSetting(b[k]))
    .map((k) => ({ key: SHORT[k] ?? k, from: formatSetting(a[k]), to: formatSetting(b[k]) }));
}

/**
 * Adds a change to a run's marks. Changes at the step of the last mark merge into it (each setting from its
 * first value to its last; a setting changed back drops out), so one label tells what happened at one step.
 */
export function addChange(marks: readonly ChangeMark[], step: number, changes: readonly SettingChange[]): ChangeMark[] {
  const last = marks.at(-1);
  if (!last || last.step !== step) return changes.length > 0 ? [...marks, { step, changes }] : [...marks];
  const merged = [...last.changes];
  for (const c of changes) {
    const i = merged.findIndex((m) => m.key === c.key);
    if (i < 0) merged.push(c);
    else merged[i] = { key: c.key, from: merged[i]!.from, to: c.to };
  }
  const kept = merged.filter((c) => c.from !== c.to);
  return kept.length > 0 ? [...marks.slice(0, -1), { step, changes: kept }] : marks.slice(0, -1);
}

/** "lr 0.01→0.003, damping 1→0.1" */
export function changeLabel(changes: readonly SettingChange[]): string {
  return changes.map((c) => `${c.key} ${c.from}→${c.to}`).join(', ');
}

/** A run's settings in one line, for the exported chart's setup ("lr 0.1, momentum 0.9, wd 0"). */
export function describeOptimizer(o: OptimizerConfig): string {
  return Object.entries(o as unknown as Record<string, unknown>)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${SHORT[k] ?? k} ${formatSetting(v)}`)
    .join(', ');
}

/** A mark to draw: a vertical line at `step` in the run's colour with a label. */
export interface Mark {
  /** Unique and stable; the layout's tie-breaker. */
  readonly key: string;
  readonly runId: string;
  readonly step: number;
  readonly text: string;
  readonly colour: string;
  /** CSS classes of the mark's group ('switch-marker', 'branch-marker', 'change-marker'). */
  readonly className: string;
  /**
   * A symbol drawn before the label. The branch symbol is a drawn path, not a character: the fork glyph
   * (U+2442) is missing from common Linux fonts and would show as a box.
   */
  readonly icon?: 'branch';
}

/**
 * Marks of one run at one step become one mark (texts joined, classes combined); the result is sorted by
 * step, then run, so the layout does not depend on the order the marks came in.
 */
export function mergeMarks(marks: readonly Mark[]): Mark[] {
  const byKey = new Map<string, Mark>();
  const sorted = [...marks].sort((a, b) => a.step - b.step || cmp(a.runId, b.runId) || cmp(a.key, b.key));
  for (const m of sorted) {
    const k = `${m.runId}@${m.step}`;
    const prev = byKey.get(k);
    if (!prev) {
      byKey.set(k, { ...m, key: k });
      continue;
    }
    const classes = new Set([...prev.className.split(' '), ...m.className.split(' ')]);
    const icon = prev.icon ?? m.icon;
    byKey.set(k, {
      ...prev,
      text: `${prev.text}; ${m.text}`,
      className: [...classes].join(' '),
      ...(icon ? { icon } : {}),
    });
  }
  return [...byKey.values()];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface LayoutOptions {
  /** Pixel x of a step on the plot, or null where the step is outside the visible range. */
  readonly x: (step: number) => number | null;
  /** The plot's left and right edges in pixels. */
  readonly left: number;
  readonly right: number;
  /** Width in pixels of a label's text. */
  readonly measure: (text: string) => number;
  /** Rows available for labels; labels that fit in none are hidden (their line stays, with the text as a tooltip). */
  readonly maxRows: number;
  /** Space between a line and its label, and between two labels in a row. */
  readonly gap?: number;
  /** Width in pixels of a mark's icon, drawn before its text (default 0). */
  readonly iconWidth?: number;
}

/** Where one mark goes: its line at `x`, its label over [x0, x1] in `row`, or no label (`row` null). */
export interface PlacedMark extends Mark {
  /** The text drawn: `text`, cut short with '…' where it is wider than the plot (the tooltip has it whole). */
  readonly label: string;
  readonly x: number;
  readonly x0: number;
  readonly x1: number;
  readonly row: number | null;
}

/**
 * Lays out the labels of visible marks (after merging) in rows: each label sits right of its line, or left
 * of it where the plot ends, in the first row where it overlaps no other label. Greedy in step order, so the
 * same marks always get the same places and an added later mark never moves earlier ones.
 */
export function layoutMarks(marks: readonly Mark[], o: LayoutOptions): PlacedMark[] {
  const gap = o.gap ?? 4;
  const rows: [number, number][][] = [];
  const out: PlacedMark[] = [];
  for (const m of mergeMarks(marks)) {
    const x = o.x(m.step);
    if (x === null || !Number.isFinite(x) || x < o.left - 0.5 || x > o.right + 0.5) continue;
    const icon = m.icon ? (o.iconWidth ?? 0) : 0;
    let label = m.text;
    while (label.length > 1 && icon + o.measure(label) > o.right - o.left) label = `${label.slice(0, -2)}…`;
    const w = icon + o.measure(label);
    let x0 = x + gap;
    // Flipped to the left of the line where it would run off the plot, but never off its left edge.
    if (x0 + w > o.right) x0 = Math.max(o.left, x - gap - w);
    const x1 = x0 + w;
    let row: number | null = null;
    for (let r = 0; r < o.maxRows; r++) {
      const taken = (rows[r] ??= []);
      if (taken.every(([a, b]) => x1 + gap <= a || x0 >= b + gap)) {
        taken.push([x0, x1]);
        row = r;
        break;
      }
    }
    out.push({ ...m, label, x, x0, x1, row });
  }
  return out;
}
