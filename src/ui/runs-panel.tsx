/**
 * The runs of the race: one card per run with its name, colour, latest losses, status (diverged at step k)
 * and every optimizer setting, one widget per setting of the optimizer's schema (engine/optim/schema.ts),
 * FishLeg's approximation that switches live included. Number fields (committed-number-field.tsx) commit on
 * blur or Enter and are validated before anything reaches the worker.
 */
import { useState } from 'react';
import {
  modelRefusal,
  OPTIMIZER_KINDS,
  settingsOfKind,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
  type KeyedSetting,
} from '../engine/page.ts';
import { controlledRun, frozenQControl } from '../worker/frozen-control.ts';
import type { RunSpec } from '../worker/protocol.ts';
import { MAX_RUNS, OPTIMIZER_LABELS, optimizerFor } from './config.ts';
import { CommittedNumberField } from './committed-number-field.tsx';
import { settingRule } from './number-rule.ts';
import { latestBand } from './seed-bands.ts';
import type { RunState } from './training-client.ts';
import { badgeText, markerText, tunedMarker } from './tuned-marker.ts';

export interface RunsPanelProps {
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
  readonly onUpdate: (id: string, patch: { name?: string; colour?: string; optimizer?: OptimizerConfig }) => void;
  readonly onAdd: (kind: OptimizerKind) => void;
  readonly onDuplicate: (id: string) => void;
  /** Adds a FishLeg run's frozen-Q control (worker/frozen-control.ts). */
  readonly onControl: (id: string) => void;
  readonly onRemove: (id: string) => void;
  /** Searches this run's learning rate (tune panel); absent where the page offers no tuning. */
  readonly onTune?: (id: string) => void;
  /** A search is running: runs cannot start another. */
  readonly tuning?: boolean;
  /** The model's parameter count, once known: optimizers that refuse a model this large are not offered. */
  readonly params?: number;
}

/** One menu entry per optimizer; one the model is too large for is shown but not offered (the panel says why). */
function KindOptions({ params, current }: { readonly params: number | undefined; readonly current?: OptimizerKind }) {
  return OPTIMIZER_KINDS.map((k) => {
    const refusal = params === undefined || k === current ? null : modelRefusal(k, params);
    return (
      <option key={k} value={k} disabled={refusal !== null} title={refusal ?? undefined}>
        {OPTIMIZER_LABELS[k]}
      </option>
    );
  });
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(4));

/**
 * A run's name, edited like the number fields: the text may be empty while typing, Enter or leaving the field
 * commits it, Escape (or leaving it empty) puts the name back. Only the characters a link can carry are taken.
 */
function RunNameField(props: { readonly name: string; readonly onCommit: (name: string) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [held, setHeld] = useState(props.name);
  if (held !== props.name) {
    setHeld(props.name);
    setDraft(null);
  }
  const commit = () => {
    const name = draft?.trim() ?? '';
    setDraft(null);
    if (name !== '' && name !== props.name) props.onCommit(name);
  };
  return (
    <input
      className="run-name"
      aria-label="run name"
      maxLength={24}
      value={draft ?? props.name}
      onChange={(e) => setDraft(e.target.value.replace(/[^\p{L}\p{N} ._+()-]/gu, ''))}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        else if (e.key === 'Escape') setDraft(null);
      }}
    />
  );
}

/** Steps of the log-scale slider per decade. */
const SLIDER_STEPS_PER_DECADE = 8;

/**
 * A log-scale slider for a live number setting: dragging moves the thumb and shows the value; the value is
 * committed when the thumb is released (or a key press ends), so one drag is one live change on the curves.
 */
function LogSlider(props: {
  readonly label: string;
  readonly range: { readonly min: number; readonly max: number };
  readonly value: number;
  readonly testId: string;
  readonly onCommit: (v: number) => string | null;
}) {
  const [dragging, setDragging] = useState<number | null>(null);
  const lo = Math.log10(props.range.min);
  const hi = Math.log10(props.range.max);
  const shown = dragging ?? Math.min(hi, Math.max(lo, Math.log10(props.value)));
  const commit = () => {
    if (dragging === null) return;
    setDragging(null);
    const v = Number((10 ** dragging).toPrecision(2));
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <input
      type="range"
      className="log-slider"
      data-testid={props.testId}
      aria-label={`${props.label} (log scale)`}
      aria-valuetext={String(Number((10 ** shown).toPrecision(2)))}
      min={lo}
      max={hi}
      step={1 / SLIDER_STEPS_PER_DECADE}
      value={shown}
      onChange={(e) => setDragging(Number(e.target.value))}
      onPointerUp={commit}
      onKeyUp={commit}
      onBlur={commit}
    />
  );
}

/** One setting's widget, chosen by its type in the optimizer's schema (engine/optim/schema.ts). */
function SettingField(props: {
  readonly setting: KeyedSetting;
  readonly value: unknown;
  readonly testId: string;
  readonly onCommit: (v: unknown) => string | null;
}) {
  const { setting: s, testId, onCommit } = props;
  const title = s.unit ? `${s.help} (${s.unit})` : s.help;
  switch (s.type) {
    case 'number':
    case 'integer': {
      const field = (
        <CommittedNumberField
          label={s.unit ? `${s.label} (${s.unit})` : s.label}
          title={title}
          testId={testId}
          value={typeof props.value === 'number' ? props.value : null}
          rule={settingRule(s)}
          onCommit={onCommit}
        />
      );
      if (s.type !== 'number' || !s.slider || typeof props.value !== 'number') return field;
      return (
        <div className="field-with-slider">
          {field}
          <LogSlider
            label={s.label}
            range={s.slider}
            value={props.value}
            testId={`${testId}-slider`}
            onCommit={onCommit}
          />
        </div>
      );
    }
    case 'enum':
      return (
        <label className="field small wide" title={title}>
          <span>{s.label}</span>
          <select data-testid={testId} value={String(props.value)} onChange={(e) => onCommit(e.target.value)}>
            {s.choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      );
    case 'boolean':
      return (
        <label className="field small check" title={title}>
          <input
            type="checkbox"
            data-testid={testId}
            checked={props.value === true}
            onChange={(e) => onCommit(e.target.checked)}
          />
          <span>{s.label}</span>
        </label>
      );
    default:
      return s satisfies never;
  }
}

/** The settings of one optimizer, one widget per setting of its schema. */
function OptimizerFields({
  run,
  onChange,
}: {
  readonly run: RunSpec;
  readonly onChange: (o: OptimizerConfig) => void;
}) {
  const o = run.optimizer;
  const values = o as unknown as Readonly<Record<string, unknown>>;
  const set = (key: string, v: unknown): string | null => {
    const next = { ...o, [key]: v };
    try {
      validateOptimizer(next);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    onChange(next);
    return null;
  };
  return (
    <div className="opt-fields">
      {settingsOfKind(o.kind).map((s) => (
        <SettingField
          key={s.key}
          setting={s}
          value={values[s.key]}
          testId={`${run.id}-${s.key}`}
          onCommit={(v) => set(s.key, v)}
        />
      ))}
    </div>
  );
}

/** The runs list. */
export function RunsPanel({
  runs,
  states,
  onUpdate,
  onAdd,
  onDuplicate,
  onControl,
  onRemove,
  onTune,
  tuning = false,
  params,
}: RunsPanelProps) {
  const [addKind, setAddKind] = useState<OptimizerKind>('adam');
  const refusals = params === undefined ? [] : OPTIMIZER_KINDS.flatMap((k) => modelRefusal(k, params) ?? []);
  // The model may have grown past the chosen kind's cap since it was picked.
  const addRefusal = params === undefined ? null : modelRefusal(addKind, params);
  return (
    <section className="panel runs" aria-label="Runs">
      <h2>Runs</h2>
      <ul className="run-list">
        {runs.map((run) => {
          const st = states[run.id];
          const first = st?.points[0]?.trainLoss;
          // On several seeds the card says what the chart draws: the median over seeds, and their range.
          const band = st?.seeds && st.seeds.length > 1 ? latestBand(st.seeds) : null;
          const last = band ? band.median : st?.points.at(-1)?.trainLoss;
          const controls = controlledRun(run, runs);
          const hasControl = runs.some((r) => controlledRun(r, runs)?.id === run.id);
          const tuned = tunedMarker(run);
          return (
            <li key={run.id} className="run-card" data-testid={`run-${run.id}`} style={{ borderLeftColor: run.colour }}>
              <div className="run-head">
                <input
                  type="color"
                  aria-label={`colour of ${run.name}`}
                  value={run.colour}
                  onChange={(e) => onUpdate(run.id, { colour: e.target.value })}
                />
                <RunNameField name={run.name} onCommit={(name) => onUpdate(run.id, { name })} />
                <select
                  aria-label={`optimizer of ${run.name}`}
                  data-testid={`${run.id}-kind`}
                  value={run.optimizer.kind}
                  onChange={(e) => onUpdate(run.id, { optimizer: optimizerFor(e.target.value as OptimizerKind) })}
                >
                  <KindOptions params={params} current={run.optimizer.kind} />
                </select>
              </div>
              <div className="run-stats">
                {tuned && (
                  <span className="tuned-badge" data-testid={`${run.id}-tuned`} title={markerText(tuned)}>
                    {badgeText(tuned)}
                  </span>
                )}
                <span>
                  train loss{band ? ' (median)' : ''}{' '}
                  <b data-testid={`${run.id}-loss`} data-first={first ?? ''}>
                    {fmt(last)}
                  </b>
                  {band && (
                    <small className="seed-range" data-testid={`${run.id}-loss-range`}>
                      {' '}
                      range {fmt(band.min)}–{fmt(band.max)} over {band.count} seeds
                    </small>
                  )}
                </span>
                {st?.catchingUp && (
                  <span className="catching-up" data-testid={`${run.id}-catching-up`} role="status">
                    catching up: step {st.catchingUp.step} of {st.catchingUp.target}
                  </span>
                )}
                {controls && (
                  <span className="origin" data-testid={`${run.id}-control-of`}>
                    frozen-Q control of {controls.name}: its curve minus this one is what the learned Q bought
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
                {onTune && !controls && (
                  <button
                    type="button"
                    data-testid={`${run.id}-tune`}
                    title="Search this run's learning rate on the race's own budget (the Tune panel)"
                    disabled={tuning}
                    onClick={() => onTune(run.id)}
                  >
                    Tune
                  </button>
                )}
                <button
                  type="button"
                  data-testid={`${run.id}-branch`}
                  title="A copy of this run from its current weights and optimizer state; the race goes on"
                  onClick={() => onDuplicate(run.id)}
                  disabled={runs.length >= MAX_RUNS}
                >
                  Branch from here
                </button>
                {frozenQControl(run) && !hasControl && (
                  <button
                    type="button"
                    data-testid={`${run.id}-control`}
                    title="The same run with the auxiliary updates off (Q stays Q₀), from step 0 on the same weights and batches, drawn faint in this run's colour"
                    onClick={() => onControl(run.id)}
                    disabled={runs.length >= MAX_RUNS}
                  >
                    Add frozen-Q control
                  </button>
                )}
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
          <KindOptions params={params} />
        </select>
        <button
          type="button"
          data-testid="add-run"
          disabled={runs.length >= MAX_RUNS || addRefusal !== null}
          onClick={() => onAdd(addKind)}
        >
          Add run
        </button>
      </div>
      {refusals.length > 0 && (
        <p className="hint" data-testid="add-run-refusal">
          {refusals.join('. ')}.
        </p>
      )}
      <p className="hint">
        Settings change live. A branch continues from its run’s current state; an added run catches up from step 0 on
        the same batches; neither restarts the race. Changing a run’s optimizer does (once the race has steps, it asks
        first), and the run takes the new optimizer’s name and colour unless you chose them.
      </p>
    </section>
  );
}
