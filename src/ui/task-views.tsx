/**
 * Adapts the store's task data to the presentational views of src/ui/views: decision boundaries for 2D
 * tasks, reconstructions for the autoencoder, predictions for classification, and Inside FishLeg for the
 * chosen FishLeg run and layer, led by the two-parameter natural-gradient demo (the idea FishLeg approximates,
 * so it comes first and open).
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { fishLegLearnsQ, hasInverseFisher } from '../engine/page.ts';
import { controlledRun } from '../worker/frozen-control.ts';
import { fitSquares, fitWrapped, useElementWidth } from './use-element-width.ts';
import { editHidden, type NetworkEdit } from './network-edit.ts';
import { isDenseHidden, layersOf } from './setup-panel.tsx';
import type { DataInfo, RunSpec, TaskStatic } from '../worker/protocol.ts';
import type { InspectSpec } from '../worker/protocol.ts';
import {
  controlLosses,
  DecisionBoundaries,
  InsideFishLeg,
  NetworkDiagram,
  ImageNet,
  Predictions,
  Reconstructions,
  RegressionMaps,
  regressionRange,
  TwoParamDemo,
} from './views/index.ts';

// The heavy teaching views redraw only when their own data changes, not with every streamed evaluation.
const MemoInsideFishLeg = memo(InsideFishLeg);
import type { InsideState, RunState } from './training-client.ts';

export interface TaskViewsProps {
  readonly task: TaskStatic | null;
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
}

const ref = (r: RunSpec) => ({ id: r.id, name: r.name, colour: r.colour });

/** The task view of the current race. */
export function TaskViews({ task, runs, states }: TaskViewsProps) {
  // Kept here, not in the view, so that it survives a new race (another data set, another split).
  const [showTest, setShowTest] = useState(false);
  // One row of maps whatever the column's width (a laptop's side column, a phone, a slide).
  const [box, width] = useElementWidth<HTMLDivElement>();
  if (!task || task.kind === 'none') return <p className="hint">This task has no picture: see the curves.</p>;
  if (task.kind === 'field') {
    return (
      <div ref={box}>
        <RegressionMaps
          size={task.size}
          extent={task.extent}
          target={task.target}
          points={{ x: task.x, y: task.y }}
          runs={runs.map((r) => {
            const f = states[r.id]?.frame;
            return { ...ref(r), values: f?.kind === 'field' ? f.values : null };
          })}
          mapSize={fitWrapped(width, runs.length + 1, 8, 120, 220)}
        />
      </div>
    );
  }
  if (task.kind === 'points') {
    return (
      <div ref={box}>
        <DecisionBoundaries
          points={{ x: task.x, labels: task.labels, classes: task.classes }}
          showTest={showTest}
          onShowTest={setShowTest}
          {...(task.testX && task.testLabels
            ? { testPoints: { x: task.testX, labels: task.testLabels, classes: task.classes } }
            : {})}
          runs={runs.map((r) => {
            const f = states[r.id]?.frame;
            return {
              ...ref(r),
              grid: f?.kind === 'grid' ? { size: f.size, extent: f.extent, probs: f.probs } : null,
            };
          })}
          mapSize={fitSquares(width, runs.length, 56, 56, 200)}
        />
      </div>
    );
  }
  const anyProbs = runs.some((r) => states[r.id]?.frame?.kind === 'probs');
  const imageRuns = runs.map((r) => {
    const f = states[r.id]?.frame;
    return {
      ...ref(r),
      probs: f?.kind === 'probs' ? f.probs : [],
      ...(f?.kind === 'probs' && f.conv ? { conv: f.conv } : {}),
    };
  });
  const imageProps = {
    width: task.width,
    height: task.height,
    images: task.images,
    ...(task.labels ? { labels: task.labels } : {}),
    classes: task.classes,
    runs: imageRuns,
  };
  const predictions = <Predictions {...imageProps} />;
  if (imageRuns.some((r) => r.conv)) {
    return (
      <div className="task-views-image-net">
        {predictions}
        <ImageNet {...imageProps} />
      </div>
    );
  }
  if (anyProbs || task.labels) return predictions;
  return (
    <Reconstructions
      width={task.width}
      height={task.height}
      originals={task.images}
      logits
      runs={runs.map((r) => {
        const f = states[r.id]?.frame;
        return { ...ref(r), recon: f?.kind === 'recon' ? f.logits : [] };
      })}
    />
  );
}

export interface NetworkViewProps {
  readonly task: TaskStatic | null;
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
  /** Called with true while the diagram is on the page (the worker then computes its data), false when it goes. */
  readonly onShown: (shown: boolean) => void;
  /** The hidden layers (the model's hidden-layer string) and a change to them from the diagram's +/− buttons. */
  readonly hidden?: string;
  readonly onHidden?: (hidden: string) => void;
}

/** +/− buttons for the units of each hidden layer and for the number of layers (TF Playground's). */
function NetworkEditor({ hidden, onHidden }: { readonly hidden: string; readonly onHidden: (h: string) => void }) {
  const layers = layersOf(hidden);
  const button = (label: string, name: string, edit: NetworkEdit, testId: string) => {
    const next = editHidden(hidden, edit);
    return (
      <button
        type="button"
        aria-label={name}
        data-testid={testId}
        disabled={next === null}
        onClick={() => next !== null && onHidden(next)}
      >
        {label}
      </button>
    );
  };
  return (
    <div className="network-editor" role="group" aria-label="Edit the network (restarts the race)">
      {button('−', 'remove the last hidden layer', { kind: 'layer', delta: -1 }, 'net-layer-minus')}
      <span>{layers.length} hidden layers</span>
      {button('+', 'add a hidden layer', { kind: 'layer', delta: 1 }, 'net-layer-plus')}
      {layers.map((l, i) => (
        <span key={i} className="network-editor-layer">
          {button('−', `remove a unit from layer ${i + 1}`, { kind: 'unit', layer: i, delta: -1 }, `net-${i}-minus`)}
          <span data-testid={`net-${i}-width`}>{l.size}</span>
          {button('+', `add a unit to layer ${i + 1}`, { kind: 'unit', layer: i, delta: 1 }, `net-${i}-plus`)}
        </span>
      ))}
    </div>
  );
}

/**
 * The network diagram of a 2D task, classification or regression toy (nothing for other tasks); asks the worker
 * for its data while mounted.
 */
export function NetworkView({ task, runs, states, onShown, hidden, onHidden }: NetworkViewProps) {
  const plane = task?.kind === 'points' || task?.kind === 'field';
  useEffect(() => {
    if (!plane) return;
    onShown(true);
    return () => onShown(false);
  }, [plane, onShown]);
  const valueRange = useMemo(() => (task?.kind === 'field' ? regressionRange(task.target, task.y) : undefined), [task]);
  if (!task || (task.kind !== 'points' && task.kind !== 'field')) return null;
  return (
    <>
      {hidden !== undefined && onHidden && isDenseHidden(hidden) && (
        <NetworkEditor hidden={hidden} onHidden={onHidden} />
      )}
      {task.kind === 'points' ? (
        <NetworkDiagram
          classes={task.classes}
          runs={runs.map((r) => {
            const f = states[r.id]?.frame;
            return { ...ref(r), grid: f?.kind === 'grid' ? f : null };
          })}
        />
      ) : (
        // The prediction stands where the probabilities stand for a classifier: one value per cell.
        <NetworkDiagram
          classes={1}
          {...(valueRange !== undefined ? { valueRange } : {})}
          runs={runs.map((r) => {
            const f = states[r.id]?.frame;
            return {
              ...ref(r),
              grid:
                f?.kind === 'field'
                  ? {
                      size: f.size,
                      extent: task.extent,
                      probs: f.values,
                      ...(f.network ? { network: f.network } : {}),
                    }
                  : null,
            };
          })}
        />
      )}
    </>
  );
}

export interface InsideProps {
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
  readonly inspect: InspectSpec;
  readonly layers: DataInfo['layers'];
  readonly inside: InsideState;
  readonly onInspect: (inspect: InspectSpec) => void;
  /** Lead with the two-parameter demo (default true; false where the page mounts TwoParamPanel on its own). */
  readonly twoParam?: boolean;
}

/** The two-parameter plain-vs-natural-gradient demo as an open section of its own. */
export const TwoParamPanel = memo(function TwoParamPanel() {
  const [box, width] = useElementWidth<HTMLDivElement>();
  return (
    <div className="views-two-param-panel" data-testid="two-param-panel" ref={box}>
      <p className="hint">
        Start here: natural gradient on a model with two weights, the idea FishLeg approximates for big networks.
      </p>
      <TwoParamDemo size={fitSquares(width, 1, 40, 200, 320)} />
    </div>
  );
});

/** Inside FishLeg: pick a FishLeg run and a layer; Q next to (F + γI)⁻¹, the error and aux-loss histories. */
export function InsideFishLegPanel({ runs, states, inspect, layers, inside, onInspect, twoParam = true }: InsideProps) {
  const fishlegRuns = runs.filter((r) => hasInverseFisher(r.optimizer.kind));
  const run = fishlegRuns.find((r) => r.id === inspect.runId);
  const frame = inside.frame && inside.frame.runId === inspect.runId ? inside.frame : null;
  const layer = layers[inspect.layer];
  const runId = run?.id;
  // Recomputed when a new frame arrives (every few evaluations), not at every redraw of the streamed curves:
  // a new array each time would redraw every chart of the view.
  const auxLossHistory = useMemo(
    () =>
      (runId === undefined ? [] : (states[runId]?.points ?? [])).flatMap((p) =>
        p.auxLoss !== null && Number.isFinite(p.auxLoss) ? [{ step: p.step, auxLoss: p.auxLoss }] : [],
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- states on purpose: it changes with every evaluation
    [frame, runId],
  );
  // The inspected run's frozen-Q control, if the race has one; its losses follow the frames like the rest.
  const controlId = run ? runs.find((r) => controlledRun(r, runs)?.id === run.id)?.id : undefined;
  const control = useMemo(
    () =>
      runId === undefined || controlId === undefined
        ? null
        : controlLosses(states[runId]?.points ?? [], states[controlId]?.points ?? []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- states on purpose: it changes with every evaluation
    [frame, runId, controlId],
  );
  const qFrozen = run?.optimizer.kind === 'fishleg' && !fishLegLearnsQ(run.optimizer);
  // The worker leaves the measures out (and says why in the note) for a layer too large to measure.
  const beyond = frame && frame.measures === undefined ? frame.note : undefined;
  const errorHistory = useMemo(() => [...inside.errorHistory], [inside.errorHistory]);
  const measureHistory = useMemo(() => [...(frame?.history ?? [])], [frame]);
  const comparisons = useMemo(
    () =>
      (frame?.comparisons ?? []).map((c) => ({
        runName: runs.find((r) => r.id === c.runId)?.name ?? c.runId,
        label: c.label,
        damping: c.damping,
        matrix: c.matrix,
        exact: c.exact,
        relError: c.relError,
      })),
    [frame, runs],
  );
  const shownLayer = useMemo(
    () => frame?.layer ?? (layer ? { index: inspect.layer, ...layer } : null),
    [frame, layer, inspect.layer],
  );
  return (
    <div className="inside" data-testid="inside-fishleg">
      {twoParam && <TwoParamPanel />}
      <div className="row">
        <label className="field small">
          <span>FishLeg run</span>
          <select
            data-testid="inspect-run"
            value={inspect.runId ?? ''}
            onChange={(e) => onInspect({ runId: e.target.value || null, layer: inspect.layer })}
          >
            <option value="">none</option>
            {fishlegRuns.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field small">
          <span>layer</span>
          <select
            data-testid="inspect-layer"
            value={layer?.size === 0 ? (frame?.layer.index ?? inspect.layer) : inspect.layer}
            onChange={(e) => onInspect({ runId: inspect.runId, layer: Number(e.target.value) })}
          >
            {/* A layer without weights (pooling) has no Fisher block to look inside. */}
            {layers.map((l, i) =>
              l.size > 0 ? (
                <option key={i} value={i}>
                  {`${i + 1}: ${l.label} (${l.size} weights)`}
                </option>
              ) : null,
            )}
          </select>
        </label>
      </div>
      {fishlegRuns.length === 0 && <p className="hint">Add a FishLeg run to look inside it.</p>}
      {frame?.note && beyond === undefined && <p className="hint">{frame.note}</p>}
      {run && layer && (
        <MemoInsideFishLeg
          runName={run.name}
          layer={shownLayer ?? { index: inspect.layer, ...layer }}
          q={frame?.q ?? null}
          fInv={frame?.fInv ?? null}
          relError={frame?.relError ?? null}
          errorHistory={errorHistory}
          auxLossHistory={auxLossHistory}
          damping={run.optimizer.kind === 'fishleg' ? run.optimizer.damping : 0}
          mapSize={220}
          measures={frame?.measures ?? null}
          measureHistory={measureHistory}
          {...(frame?.fisherRows !== undefined ? { fisherRows: frame.fisherRows } : {})}
          comparisons={comparisons}
          control={control}
          qFrozen={qFrozen}
          {...(beyond !== undefined ? { beyond } : {})}
        />
      )}
    </div>
  );
}
