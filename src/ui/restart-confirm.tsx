/**
 * The question a restarting change asks once the race has progress (restart-change.ts): what changes, that
 * the race starts over from step 0, and the way to keep it going where there is one (an optimizer change can
 * be a new run instead). A bar at the bottom of the window, over the page rather than in its flow, so that
 * asking moves nothing; Escape is Cancel.
 */
import { useEffect } from 'react';

export interface RestartConfirmProps {
  readonly step: number;
  readonly changes: readonly string[];
  /** The change without a restart, where there is one: its button's text and action. */
  readonly instead?: { readonly label: string; readonly run: () => void };
  readonly onRestart: () => void;
  readonly onCancel: () => void;
}

/** Restart / (instead) / Cancel for a change that would start the race over. */
export function RestartConfirm(p: RestartConfirmProps) {
  const { onCancel } = p;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div
      className="restart-confirm"
      role="alertdialog"
      aria-labelledby="restart-question"
      data-testid="restart-confirm"
    >
      <p id="restart-question">
        <strong>{p.changes.join('; ')}</strong> starts the race over from step 0 (it is at step{' '}
        {p.step.toLocaleString('en')}).
      </p>
      <div className="restart-actions">
        <button type="button" className="primary" data-testid="restart-yes" onClick={p.onRestart}>
          Restart
        </button>
        {p.instead && (
          <button type="button" data-testid="restart-instead" onClick={p.instead.run}>
            {p.instead.label}
          </button>
        )}
        <button type="button" data-testid="restart-cancel" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
