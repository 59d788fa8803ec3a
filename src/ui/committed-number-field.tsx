/**
 * The page's one number field. Typing only edits the text (empty and half-typed values are fine); Enter or
 * leaving the field commits it, Escape puts the held value back. A value the rule (number-rule.ts) or the
 * caller refuses stays in the field, marked invalid, with the message naming the allowed range beside it:
 * nothing is clamped or dropped silently.
 */
import { useId, useState } from 'react';
import { readNumber, showNumber, type NumberRule } from './number-rule.ts';

export interface CommittedNumberFieldProps {
  /** The visible label; null for a field labelled by `ariaLabel` alone (a layer row). */
  readonly label: string | null;
  readonly ariaLabel?: string;
  readonly value: number | null;
  readonly rule: NumberRule;
  readonly testId?: string;
  readonly className?: string;
  readonly inputClassName?: string;
  readonly title?: string;
  /**
   * Called with a value that passed the rule and differs from `value`. A returned string is a refusal, shown
   * like the rule's own messages; anything else means taken.
   */
  readonly onCommit: (value: number | null) => unknown;
}

/** A number field that commits on Enter or blur and shows why a value is refused. */
export function CommittedNumberField(p: CommittedNumberFieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const errorId = useId();
  // A new value from outside (a commit, a preset, a restart) replaces whatever was being typed.
  const [held, setHeld] = useState(p.value);
  if (held !== p.value) {
    setHeld(p.value);
    setDraft(null);
    setProblem(null);
  }

  const commit = () => {
    if (draft === null) return;
    const read = readNumber(draft, p.rule);
    if (!read.ok) return setProblem(read.message);
    if (read.value === p.value) {
      setDraft(null);
      setProblem(null);
      return;
    }
    const refused = p.onCommit(read.value);
    if (typeof refused === 'string') return setProblem(refused);
    setDraft(null);
    setProblem(null);
  };
  const revert = () => {
    setDraft(null);
    setProblem(null);
  };

  const input = (
    <input
      type="text"
      inputMode={p.rule.integer && (p.rule.min ?? -1) >= 0 ? 'numeric' : 'decimal'}
      autoComplete="off"
      spellCheck={false}
      className={p.inputClassName}
      data-testid={p.testId}
      aria-label={p.ariaLabel}
      aria-invalid={problem !== null}
      aria-describedby={problem !== null ? errorId : undefined}
      placeholder={p.rule.empty}
      value={draft ?? showNumber(p.value)}
      onChange={(e) => {
        setDraft(e.target.value);
        setProblem(null);
      }}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          revert();
        }
      }}
    />
  );
  const error = problem !== null && (
    <em id={errorId} className="field-error" role="alert" data-testid={p.testId ? `${p.testId}-error` : undefined}>
      {problem}
    </em>
  );
  if (p.label === null) {
    return (
      <span className={`number-field ${p.className ?? ''}`} title={p.title}>
        {input}
        {error}
      </span>
    );
  }
  return (
    <label className={`field ${p.className ?? 'small'}`} title={p.title}>
      <span>{p.label}</span>
      {input}
      {error}
    </label>
  );
}
