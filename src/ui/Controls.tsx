/**
 * The settings panel: task, optimizer, learning rate, and the Play/Pause and Reset buttons. Changing a
 * setting restarts the run (the client keeps it playing if it was), so every curve belongs to one config.
 */
import { TOY_DEFAULTS, TOY_TASKS, type ToyTask } from '../engine/data/toy.ts';
import type { RunConfig } from '../worker/protocol.ts';
import {
  LEARNING_RATES,
  OPTIMIZER_LABELS,
  TASK_LABELS,
  UI_OPTIMIZERS,
  optimizerFor,
  runFor,
  type UiOptimizerKind,
} from './config.ts';

export interface ControlsProps {
  readonly run: RunConfig;
  readonly running: boolean;
  /** False until the worker has a backend, and after an error (Reset then starts over). */
  readonly canPlay: boolean;
  /** False until the worker has a backend. */
  readonly canReset: boolean;
  readonly onRunChange: (run: RunConfig) => void;
  readonly onToggle: () => void;
  readonly onReset: () => void;
}

/** Sorted learning-rate options, including a non-preset value that came from the URL. */
function learningRates(current: number): number[] {
  const all = new Set<number>([...LEARNING_RATES, current]);
  return [...all].sort((a, b) => a - b);
}

/** The control panel. */
export function Controls({ run, running, canPlay, canReset, onRunChange, onToggle, onReset }: ControlsProps) {
  const setTask = (task: ToyTask) => onRunChange(runFor(task, run.optimizer, run.seed));
  const setOptimizer = (kind: UiOptimizerKind) => onRunChange({ ...run, optimizer: optimizerFor(kind) });
  const setLr = (lr: number) => onRunChange({ ...run, optimizer: { ...run.optimizer, lr } });

  return (
    <aside className="panel controls" aria-label="Training settings">
      <div className="buttons">
        <button
          type="button"
          className="primary"
          data-testid="play-button"
          disabled={!canPlay}
          aria-pressed={running}
          onClick={onToggle}
        >
          {running ? 'Pause' : 'Play'}
        </button>
        <button type="button" data-testid="reset-button" disabled={!canReset} onClick={onReset}>
          Reset
        </button>
      </div>

      <label className="field">
        <span>Task</span>
        <select data-testid="task-select" value={run.task} onChange={(e) => setTask(e.target.value as ToyTask)}>
          {TOY_TASKS.map((t) => (
            <option key={t} value={t}>
              {TASK_LABELS[t]}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span>Optimizer</span>
        <select
          data-testid="optimizer-select"
          value={run.optimizer.kind}
          onChange={(e) => setOptimizer(e.target.value as UiOptimizerKind)}
        >
          {UI_OPTIMIZERS.map((k) => (
            <option key={k} value={k}>
              {OPTIMIZER_LABELS[k]}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span>Learning rate</span>
        <select data-testid="lr-select" value={run.optimizer.lr} onChange={(e) => setLr(Number(e.target.value))}>
          {learningRates(run.optimizer.lr).map((lr) => (
            <option key={lr} value={lr}>
              {lr}
            </option>
          ))}
        </select>
      </label>

      <dl className="facts">
        <dt>Network</dt>
        <dd title="layer widths; t = tanh">{`2-${run.hidden}-${TOY_DEFAULTS[run.task].classes}`}</dd>
        <dt>Batch</dt>
        <dd>{run.batch}</dd>
        <dt>Points</dt>
        <dd>{run.n} (80% train)</dd>
        <dt>Evaluated</dt>
        <dd>every {run.evalEvery} steps</dd>
      </dl>
      <p className="hint">Changing a setting restarts training from step 0.</p>
    </aside>
  );
}
