/** The content width of an element, kept current by a ResizeObserver (null until it is laid out). */
import { useCallback, useEffect, useState } from 'react';

/** A callback ref (the element may mount after the first render) and the element's width. */
export function useElementWidth<T extends HTMLElement>(): [(el: T | null) => void, number | null] {
  const [el, setEl] = useState<T | null>(null);
  const [width, setWidth] = useState<number | null>(null);
  const ref = useCallback((node: T | null) => setEl(node), []);
  useEffect(() => {
    if (!el || typeof ResizeObserver === 'undefined') return;
    // The observer reports the element's size once on observe, then on every change.
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [ref, width];
}

/**
 * The side of each of `count` square maps laid out in one row of `width` pixels, each with `chrome` pixels of
 * axis labels and gaps, between `min` and `max` (without a width yet: `max`).
 */
export function fitSquares(width: number | null, count: number, chrome: number, min: number, max: number): number {
  if (width === null || count <= 0) return max;
  return Math.max(min, Math.min(max, Math.floor(width / count - chrome)));
}

/**
 * The side of each of `count` square maps wrapped into rows `width` pixels wide with `gap` pixels between them: as
 * many to a row as fit at `min` pixels or more (a narrow column wraps them rather than shrinking them to
 * thumbnails), each at most `max`, and never wider than the row (without a width yet: `max`).
 */
export function fitWrapped(width: number | null, count: number, gap: number, min: number, max: number): number {
  if (width === null || count <= 0) return max;
  const perRow = Math.max(1, Math.min(count, Math.floor((width + gap) / (min + gap))));
  return Math.max(1, Math.min(max, Math.floor((width - gap * (perRow - 1)) / perRow)));
}
