/**
 * The main thread's budget: training events can change the store every frame, but charts and views are
 * redrawn at most a few times a second. The controls and the step counter read the live store; the heavy
 * views read a throttled copy of the data they draw (their settings stay live, so a click repaints at once).
 * On a slow or busy machine a redraw costs more, so the interval stretches with the measured cost.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

/** How often the charts and views redraw while data streams in, at most, in ms. */
export const VIEW_REDRAW_MS = 500;
/**
 * A redraw may take at most 1/REDRAW_SHARE of the interval: the React work measured here is followed by the
 * browser's own layout and paint, so the whole stays well inside a fifth of the main thread.
 */
const REDRAW_SHARE = 10;
/** The longest interval the stretching may reach, so that curves still move on a very slow machine. */
const MAX_REDRAW_MS = 3000;

/**
 * `value`, passed on at most once per `ms` (the latest value always arrives; `ms` = 0 passes it at once),
 * or less often when rendering what it feeds takes more than a tenth of that.
 */
export function useThrottled<T>(value: T, ms: number = VIEW_REDRAW_MS): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  const renderStart = useRef<number | null>(null);
  const cost = useRef(0);
  // Runs after the commit of the render a pass caused (children first): render and commit time of the views.
  useLayoutEffect(() => {
    if (renderStart.current === null) return;
    cost.current = performance.now() - renderStart.current;
    renderStart.current = null;
  }, [shown]);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const interval = ms > 0 ? Math.min(MAX_REDRAW_MS, Math.max(ms, REDRAW_SHARE * cost.current)) : 0;
    const wait = last.current + interval - performance.now();
    const pass = () => {
      last.current = performance.now();
      renderStart.current = last.current;
      setShown(value);
    };
    if (wait <= 0) {
      pass();
      return;
    }
    const timer = setTimeout(pass, wait);
    return () => clearTimeout(timer);
  }, [value, shown, ms]);
  return shown;
}
