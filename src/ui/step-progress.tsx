/**
 * How far a Step ×n has got, shown in the transport bar while it runs: ×100 on MNIST takes seconds on the
 * CPU, and without it the page looks stuck (the Play and Step buttons are disabled meanwhile, see Controls).
 */
import type { PlaygroundState } from './race-reducer.ts';

/**
 * Steps done of a Step ×n at the race's `step`; null when none is under way, or for a single step, which is
 * over before the page draws a frame on its tasks (showing it would only flicker the buttons).
 */
export function stepProgress(
  stepping: PlaygroundState['stepping'],
  step: number,
): { readonly done: number; readonly of: number } | null {
  if (stepping === null || stepping.to - stepping.from <= 1) return null;
  const of = stepping.to - stepping.from;
  return { done: Math.min(of, Math.max(0, step - stepping.from)), of };
}

export function StepProgress({ done, of }: { readonly done: number; readonly of: number }) {
  return (
    <span className="step-progress" role="status" data-testid="step-progress">
      <progress max={of} value={done} aria-label={`Stepping: ${done} of ${of} steps`} />
      <span>
        Stepping {done} / {of}…
      </span>
    </span>
  );
}
