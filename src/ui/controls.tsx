/**
 * The transport bar: Play/Pause, Step (one training step, or ×10 / ×100), Reset, the speed control and the step budget (play pauses
 * by itself there), plus the live step counter and throughput. Space toggles play from anywhere on the page that is not a text field (see App).
 */
import { MAX_STOP_AT, SPEEDS, type PlaygroundConfig } from './config.ts';
import { StepProgress } from './step-progress.tsx';

export interface ControlsProps {
  readonly running: boolean;
  readonly step: number;
  readonly stepsPerSecond: number;
  /** A Step ×n under way (stepProgress): Play and Step wait for it, and it shows how far it got. */
  readonly stepping: { readonly done: number; readonly of: number } | null;
  /** False until the worker has built the race, and after an error (Reset then starts over). */
  readonly canPlay: boolean;
  readonly canReset: boolean;
  readonly speed: PlaygroundConfig['speed'];
  readonly stopAt: PlaygroundConfig['stopAt'];
  readonly onToggle: () => void;
  /** Takes this many training steps on every run (paused). */
  readonly onStep: (steps: number) => void;
  readonly onReset: () => void;
  readonly onSpeed: (speed: PlaygroundConfig['speed']) => void;
  readonly onStopAt: (stopAt: PlaygroundConfig['stopAt']) => void;
}

/** What the Step buttons take: one step, and bigger strides for getting somewhere while paused. */
export const STEP_SIZES = [1, 10, 100] as const;

/** The transport controls. */
export function Controls(p: ControlsProps) {
  return (
    <div className="transport" role="toolbar" aria-label="Training controls">
      <button
        type="button"
        className="primary"
        data-testid="play-button"
        disabled={!p.canPlay || p.stepping !== null}
        aria-pressed={p.running}
        onClick={p.onToggle}
        title="Play / pause (space)"
      >
        {p.running ? 'Pause' : 'Play'}
      </button>
      <span className="step-buttons" role="group" aria-label="Step while paused">
        {STEP_SIZES.map((n) => (
          <button
            key={n}
            type="button"
            data-testid={n === 1 ? 'step-button' : `step-${n}-button`}
            disabled={!p.canPlay || p.running || p.stepping !== null}
            onClick={() => p.onStep(n)}
            title={n === 1 ? 'One training step on every run, then evaluate' : `${n} training steps on every run`}
          >
            {n === 1 ? 'Step' : `×${n}`}
          </button>
        ))}
        {p.stepping && <StepProgress {...p.stepping} />}
      </span>
      <button type="button" data-testid="reset-button" disabled={!p.canReset} onClick={p.onReset}>
        Reset
      </button>
      <label className="field inline">
        <span>Speed</span>
        <select
          data-testid="speed-select"
          value={String(p.speed ?? 'max')}
          onChange={(e) => p.onSpeed(e.target.value === 'max' ? null : Number(e.target.value))}
        >
          {SPEEDS.map((s) => (
            <option key={String(s)} value={String(s ?? 'max')}>
              {s === null ? 'as fast as possible' : `${s} steps/s`}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline" title="Play pauses by itself at this step (empty: never)">
        <span>Stop at step</span>
        <input
          type="number"
          className="stop-at"
          data-testid="stop-at"
          min={1}
          max={MAX_STOP_AT}
          placeholder="never"
          value={p.stopAt ?? ''}
          onChange={(e) => {
            const v = e.target.value.trim() === '' ? null : Number(e.target.value);
            if (v === null || (Number.isInteger(v) && v >= 1 && v <= MAX_STOP_AT)) p.onStopAt(v);
          }}
        />
      </label>
      <div className="stat">
        <div className="stat-label">Step</div>
        <div className="stat-value" data-testid="step-count">
          {p.step}
        </div>
      </div>
      <div className="stat">
        <div className="stat-label">Steps / s</div>
        <div className="stat-value" data-testid="steps-per-second">
          {p.running && p.stepsPerSecond > 0 ? p.stepsPerSecond.toFixed(0) : '—'}
        </div>
      </div>
    </div>
  );
}
