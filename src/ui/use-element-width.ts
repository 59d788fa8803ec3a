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
