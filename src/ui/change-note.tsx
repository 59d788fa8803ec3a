/**
 * What a change did when it restarted a race without asking (it had no steps yet): a run's optimizer menu
 * renames and recolours the run, which this says in words ("run 1 is now K-FAC (was SGD)"), in the bar where
 * a race with progress would have asked (restart-confirm.tsx), as a status that screen readers announce. It
 * goes by itself after a while, or on a click.
 */
import { useEffect } from 'react';

/** How long the note stays. */
export const CHANGE_NOTE_MS = 8000;

export interface ChangeNoteProps {
  readonly text: string;
  readonly onDone: () => void;
}

/** One change's note; a new text (a new `key` in the parent) starts its time again. */
export function ChangeNote({ text, onDone }: ChangeNoteProps) {
  useEffect(() => {
    const t = setTimeout(onDone, CHANGE_NOTE_MS);
    return () => clearTimeout(t);
  }, [onDone]);
  return (
    <div className="restart-confirm change-note" role="status" data-testid="change-note">
      <p>{text}.</p>
      <div className="restart-actions">
        <button type="button" data-testid="change-note-ok" onClick={onDone}>
          OK
        </button>
      </div>
    </div>
  );
}
