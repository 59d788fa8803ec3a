/**
 * Where a row that scrolls sideways (the presets on a phone) must scroll to show one of its items: the page
 * opens on a preset in the middle of the list, and a link or a shortcut can pick the last one, which would
 * otherwise be pressed off screen. Only the row's own scrollLeft moves (never the page, as scrollIntoView
 * would move it vertically too).
 */

/** A row's visible span and one item's, in the same coordinates (client pixels), and the row's scrollLeft. */
export interface RowSpan {
  readonly scrollLeft: number;
  readonly rowLeft: number;
  readonly rowWidth: number;
  readonly itemLeft: number;
  readonly itemWidth: number;
  /** scrollWidth − clientWidth: the most the row scrolls. */
  readonly maxScroll: number;
}

/**
 * The scrollLeft that centres the item in the row, or null when the item is already wholly visible (a row
 * that does not scroll, or an item in view, stays where the user left it).
 */
export function scrollToShow(s: RowSpan): number | null {
  const inside = s.itemLeft >= s.rowLeft - 0.5 && s.itemLeft + s.itemWidth <= s.rowLeft + s.rowWidth + 0.5;
  if (inside || s.maxScroll <= 0) return null;
  const centred = s.scrollLeft + (s.itemLeft - s.rowLeft) - (s.rowWidth - s.itemWidth) / 2;
  const left = Math.min(Math.max(centred, 0), s.maxScroll);
  return left === s.scrollLeft ? null : left;
}

/** Scrolls `row` sideways so that `item` is in view (scrollToShow). */
export function showInRow(row: HTMLElement, item: HTMLElement): void {
  const r = row.getBoundingClientRect();
  const i = item.getBoundingClientRect();
  const left = scrollToShow({
    scrollLeft: row.scrollLeft,
    rowLeft: r.left,
    rowWidth: row.clientWidth,
    itemLeft: i.left,
    itemWidth: i.width,
    maxScroll: row.scrollWidth - row.clientWidth,
  });
  if (left !== null) row.scrollLeft = left;
}
