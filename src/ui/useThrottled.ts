/**
 * The main thread's budget: training events can change the store every frame, but charts and views are
 * redrawn at most a few times a second. The controls and the step counter read the live store; the heavy
 * views read a throttled copy of the data they draw (their settings stay live, so a click repaints at once).
 */
import { useEffect, useRef, useState } from 'react';

/** How often the charts and views redraw while data streams in, in ms. */
export const VIEW_REDRAW_MS = 500;

/** `value`, passed on at most once per `ms` (the latest value always arrives, at most `ms` late). */
export function useThrottled<T>(value: T, ms: number = VIEW_REDRAW_MS): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = last.current + ms - performance.now();
    const pass = () => {
      last.current = performance.now();
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
