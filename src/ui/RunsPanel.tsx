/**
 * The runs of the race: one card per run with its name, colour, latest losses, status (diverged at step k)
 * and every optimizer setting — SGD momentum, Adam/AdamW, and FishLeg with all of docs/fishleg.md §7,
 * including the approximation that switches live. Number fields commit on blur or Enter and are validated
 * before anything reaches the worker.
 */
import { useState } from 'react';
import {
  FISHER_ESTIMATORS,
  FISHLEG_APPROXES,
  OPTIMIZER_KINDS,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
} from '../engine/optim/config.ts';
import type { RunSpec } from '../worker/protocol.ts';
import { MAX_RUNS, OPTIMIZER_LABELS, optimizerFor } from './config.ts';
import type { RunState } from './trainingClient.ts';

export interface RunsPanelProps {
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
  readonly onUpdate: (id: string, patch: { name?: string; colour?: string; optimizer?: OptimizerConfig }) => void;
  readonly onAdd: (kind: OptimizerKind) => void;
  readonly onDuplicate: (id: string) => void;
  readonly onRemove: (id: string) => void;
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(4));

/** A number input that commits a valid value on blur/Enter and shows the validation message otherwise. */
function NumberField(props: {
  readonly label: string;
  readonly value: number | null;
  readonly nullLabel?: string;
  readonly testId: string;
  readonly onCommit: (v: number | null) => string | null;
}) {
  const shown = props.value === null ? '' : String(props.value);
  const [text, setText] = useState(shown);
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const commit = () => {
    setEditing(false);
    const t = text.trim();
    const v = t === '' && props.nullLabel ? null : Number(t);
    const err = v !== null && (t === '' || !Number.isFinite(v)) ? 'not a number' : props.onCommit(v);
    setProblem(err);
    if (err) setText(shown);
  };
  return (
    <label className="field small">
      <span>{props.label}</span>
      <input
        type="text"
        inputMode="decimal"
        data-testid={props.testId}
        value={editing ? text : shown}
        placeholder={props.nullLabel}
        aria-invalid={problem !== null}
        onFocus={() => {
          setText(shown);
          setEditing(true);
        }}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        }}
      />
      {problem && <em className="field-error">{problem}</em>}
    </label>
  );
}

/** The settings of one optimizer. */
function OptimizerFields({
  run,
  onChange,
}: {
  readonly run: RunSpec;
  readonly onChange: (o: OptimizerConfig) => void;
}) {
  const o = run.optimizer;
  const tid = (k: string) => `${run.id}-${k}`;
  const set = (patch: Record<string, unknown>): string | null => {
    const next = { ...o, ...patch };
    try {
      validateOptimizer(next);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    onChange(next);
    return null;
  };
  const num = (label: string, key: string, nullLabel?: string) => (
    <NumberField
      key={key}
      label={label}
      testId={tid(key)}
      value={(o as unknown as Record<string, number | null>)[key] ?? null}
      {...(nullLabel ? { nullLabel } : {})}
      onCommit={(v) => set({ [key]: v })}
    />
  );
  switch (o.kind) {
    case 'sgd':
      return (
        <div className="opt-fields">
          {[num('learning rate', 'lr'), num('momentum', 'momentum'), num('weight decay', 'weightDecay')]}
        </div>
      );
    case 'adam':
    case 'adamw':
      return (
        <div className="opt-fields">
          {[
            num('learning rate', 'lr'),
            num('β₁', 'beta1'),
            num('β₂', 'beta2'),
            num('ε', 'eps'),
            num('weight decay', 'weightDecay'),
          ]}
        </div>
      );
    case 'fishleg':
      return (
        <div className="opt-fields">
          <label className="field small wide">
            <span>approximation (switches live)</span>
            <select data-testid={tid('approx')} value={o.approx} onChange={(e) => set({ approx: e.target.value })}>
              {FISHLEG_APPROXES.map((a) => (
                <option key={a} value={a}>
                  {a === 'block-kron' ? 'block-Kron' : a === 'kron-diag' ? 'Kron + diag' : 'sum of Kron'}
                </option>
              ))}
            </select>
          </label>
          {num('η learning rate', 'lr')}
          {num('β momentum', 'beta')}
          {num('weight decay', 'weightDecay')}
          {num('α aux learning rate', 'auxLr')}
          {num('γ damping', 'damping')}
          {num('Q₀ scale', 'initScale', '1/γ')}
          {num('aux every K', 'auxEvery')}
          {num('aux batch', 'auxBatch', 'batch')}
          <label className="field small">
            <span>Fisher estimator</span>
            <select data-testid={tid('fisher')} value={o.fisher} onChange={(e) => set({ fisher: e.target.value })}>
              {FISHER_ESTIMATORS.map((f) => (
                <option key={f} value={f}>
                  {f === 'ggn' ? 'GGN (exact)' : 'sampled'}
                </option>
              ))}
            </select>
          </label>
          <label className="field small check">
            <input
              type="checkbox"
              data-testid={tid('preconditionAux')}
              checked={o.preconditionAux}
              onChange={(e) => set({ preconditionAux: e.target.checked })}
            />
            <span>precondition aux gradient by Q</span>
          </label>
        </div>
      );
    case 'kfac':
      return (
        <div className="opt-fields">
          {[
            num('learning rate', 'lr'),
            num('momentum', 'momentum'),
            num('weight decay', 'weightDecay'),
            num('damping γ', 'damping'),
            num('factor decay', 'factorDecay'),
            num('inverse every', 'invEvery'),
            num('KL clip', 'klClip', 'off'),
          ]}
        </div>
      );
    case 'natural':
      return (
        <div className="opt-fields">
          {[
            num('learning rate', 'lr'),
            num('momentum', 'momentum'),
            num('weight decay', 'weightDecay'),
            num('damping γ', 'damping'),
          ]}
        </div>
      );
    default:
      return o satisfies never;
  }
}

/** The runs list. */
export function RunsPanel({ runs, states, onUpdate, onAdd, onDuplicate, onRemove }: RunsPanelProps) {
  const [addKind, setAddKind] = useState<OptimizerKind>('adam');
  return (
    <section className="panel runs" aria-label="Runs">
      <h2>Runs</h2>
      <ul className="run-list">
        {runs.map((run) => {
          const st = states[run.id];
          const first = st?.points[0]?.trainLoss;
          const last = st?.points.at(-1)?.trainLoss;
          return (
            <li key={run.id} className="run-card" data-testid={`run-${run.id}`} style={{ borderLeftColor: run.colour }}>
              <div className="run-head">
                <input
                  type="color"
                  aria-label={`colour of ${run.name}`}
                  value={run.colour}
                  onChange={(e) => onUpdate(run.id, { colour: e.target.value })}
                />
                <input
                  className="run-name"
                  aria-label="run name"
                  maxLength={24}
                  value={run.name}
                  onChange={(e) => {
                    const name = e.target.value.replace(/[^\p{L}\p{N} ._+()-]/gu, '');
                    if (name.length > 0) onUpdate(run.id, { name });
                  }}
                />
                <select
                  aria-label={`optimizer of ${run.name}`}
                  data-testid={`${run.id}-kind`}
                  value={run.optimizer.kind}
                  onChange={(e) => onUpdate(run.id, { optimizer: optimizerFor(e.target.value as OptimizerKind) })}
                >
                  {OPTIMIZER_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {OPTIMIZER_LABELS[k]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="run-stats">
                <span>
                  train loss{' '}
                  <b data-testid={`${run.id}-loss`} data-first={first ?? ''}>
                    {fmt(last)}
                  </b>
                </span>
                {st?.catchingUp && (
                  <span className="catching-up" data-testid={`${run.id}-catching-up`} role="status">
                    catching up: step {st.catchingUp.step} of {st.catchingUp.target}
                  </span>
                )}
                {st?.origin && st.origin.from !== null && (
                  <span className="origin" data-testid={`${run.id}-origin`}>
                    branch of {runs.find((r) => r.id === st.origin?.from)?.name ?? 'a removed run'} at step{' '}
                    {st.origin.step}
                  </span>
                )}
                {st?.diverged !== null && st?.diverged !== undefined && (
                  <span className="diverged" data-testid={`${run.id}-diverged`} role="status">
                    diverged at step {st.diverged}
                  </span>
                )}
              </div>
              <details>
                <summary>settings</summary>
                <OptimizerFields run={run} onChange={(optimizer) => onUpdate(run.id, { optimizer })} />
              </details>
              <div className="run-actions">
                <button
                  type="button"
                  data-testid={`${run.id}-branch`}
                  title="A copy of this run from its current weights and optimizer state; the race goes on"
                  onClick={() => onDuplicate(run.id)}
                  disabled={runs.length >= MAX_RUNS}
                >
                  Branch from here
                </button>
                <button type="button" onClick={() => onRemove(run.id)} disabled={runs.length <= 1}>
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="add-run">
        <select
          aria-label="optimizer of the new run"
          value={addKind}
          onChange={(e) => setAddKind(e.target.value as OptimizerKind)}
        >
          {OPTIMIZER_KINDS.map((k) => (
            <option key={k} value={k}>
              {OPTIMIZER_LABELS[k]}
            </option>
          ))}
        </select>
        <button type="button" data-testid="add-run" disabled={runs.length >= MAX_RUNS} onClick={() => onAdd(addKind)}>
          Add run
        </button>
      </div>
      <p className="hint">
        Settings change live. A branch continues from its run’s current state; an added run catches up from step 0 on
        the same batches; neither restarts the race. Changing a run’s optimizer does.
      </p>
    </section>
  );
}
