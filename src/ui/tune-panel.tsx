/**
 * The Tune panel: the search's protocol in words and its settings (budget, seeds, objective), a progress bar
 * with Cancel while the worker searches, then the result — each run's final loss against its learning rate on a
 * log axis, the chosen rate marked, diverged rates marked — with test losses reported apart and "Race at best".
 */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunSpec, TuneResult } from '../worker/protocol.ts';
import { CommittedNumberField } from './committed-number-field.tsx';
import type { NumberRule } from './number-rule.ts';
import type { TuneRequest, TuneState } from './training-client.ts';
import { MAX_TUNE_SEEDS, MAX_TUNE_STEPS, OBJECTIVE_LABELS, TUNE_OBJECTIVES, tunableRuns } from './tuned-marker.ts';

/** Points of the grid the worker searches first (worker/tune.ts DEFAULT_FACTORS: ÷10 to ×10, a third of a decade apart). */
const GRID_POINTS = 7;

export interface TunePanelProps {
  readonly runs: readonly RunSpec[];
  readonly tune: TuneState | null;
  readonly request: TuneRequest;
  /** The race's seed (the seed choices start there) and how many seeds it races on. */
  readonly seed: number;
  readonly raceSeeds: number;
  readonly canTune: boolean;
  readonly onRequest: (r: TuneRequest) => void;
  readonly onTune: (runIds: readonly string[] | null) => void;
  readonly onCancel: () => void;
  readonly onApply: () => void;
  readonly onClose: () => void;
}

const fmt = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toPrecision(4);

const mean = (xs: readonly (number | null)[]): number | null =>
  xs.length === 0 || xs.some((x) => x === null) ? null : (xs as number[]).reduce((s, x) => s + x, 0) / xs.length;

/** Seeds offered: 1, 3 or 5 consecutive ones from the race's own, and as many as the race has. */
const seedChoices = (seed: number, raceSeeds: number): number[][] =>
  [...new Set([1, 3, MAX_TUNE_SEEDS, Math.min(raceSeeds, MAX_TUNE_SEEDS)])]
    .sort((a, b) => a - b)
    .map((n) => Array.from({ length: n }, (_, i) => seed + i));

function Protocol(props: { readonly request: TuneRequest; readonly runs: number; readonly controls: number }) {
  const { request, runs, controls } = props;
  const n = request.seeds.length;
  return (
    <p className="tune-protocol" data-testid="tune-protocol">
      Searches the learning rate of {runs === 1 ? 'the run' : `each of ${runs} runs`} (only the learning rate; every
      other setting stays the run’s own) on a {GRID_POINTS}-point log grid from ÷10 to ×10 around its rate, grown past
      an end where the best sits, on this race’s task, model and batch: each point trains{' '}
      <b>{request.steps.toLocaleString('en-US')} steps</b> on{' '}
      <b>{n === 1 ? `seed ${request.seeds[0]}` : `${n} seeds (${request.seeds.join(', ')})`}</b>, from the same weights
      and batches for every point. It minimises the <b>{OBJECTIVE_LABELS[request.objective]}</b>, averaged over the
      seeds; a rate that diverges on any seed is never chosen; the {request.objective === 'train' ? 'test' : 'train'}{' '}
      loss is reported beside it.{' '}
      {controls > 0 &&
        'A frozen-Q control is not searched: it races at its learned run’s rate, so that the gap between them is what learning Q changes. '}
      Training pauses meanwhile.
    </p>
  );
}

/** A search's budget, in the bounds the worker takes. */
const TUNE_STEPS_RULE: NumberRule = { name: 'the budget', integer: true, min: 1, max: MAX_TUNE_STEPS };

function Settings(props: Pick<TunePanelProps, 'request' | 'seed' | 'raceSeeds' | 'onRequest'>) {
  const { request, onRequest } = props;
  return (
    <div className="tune-settings">
      <CommittedNumberField
        label="budget (steps)"
        testId="tune-steps"
        value={request.steps}
        rule={TUNE_STEPS_RULE}
        onCommit={(steps) => steps !== null && onRequest({ ...request, steps })}
      />
      <label className="field small">
        <span>seeds</span>
        <select
          data-testid="tune-seeds"
          value={request.seeds.length}
          onChange={(e) => {
            const seeds = seedChoices(props.seed, props.raceSeeds).find((s) => s.length === Number(e.target.value));
            if (seeds) onRequest({ ...request, seeds });
          }}
        >
          {seedChoices(props.seed, props.raceSeeds).map((s) => (
            <option key={s.length} value={s.length}>
              {s.length === 1 ? `1 (seed ${s[0]})` : `${s.length} (${s[0]}–${s.at(-1)})`}
            </option>
          ))}
        </select>
      </label>
      <label className="field small">
        <span>minimise</span>
        <select
          data-testid="tune-objective"
          value={request.objective}
          onChange={(e) => onRequest({ ...request, objective: e.target.value as TuneRequest['objective'] })}
        >
          {TUNE_OBJECTIVES.map((o) => (
            <option key={o} value={o}>
              {OBJECTIVE_LABELS[o]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Rows of the chart: one per learning rate tried, a column per run (its score), diverged rates apart. */
function chartRows(results: readonly TuneResult[]) {
  const finite = results.flatMap((r) => r.points.filter((p) => Number.isFinite(p.score)).map((p) => p.score));
  // Diverged rates are drawn as crosses just above the highest finite score.
  const top = finite.length > 0 ? Math.max(...finite) * 1.25 : 1;
  const lrs = [...new Set(results.flatMap((r) => r.points.map((p) => p.lr)))].sort((a, b) => a - b);
  const rows = lrs.map((lr) => {
    const row: Record<string, number | null> = { lr };
    for (const r of results) {
      const p = r.points.find((q) => q.lr === lr);
      row[r.runId] = p && Number.isFinite(p.score) ? p.score : null;
      row[`${r.runId}:diverged`] = p?.diverged ? top : null;
    }
    return row;
  });
  const low = finite.length > 0 ? Math.min(...finite) : 1;
  return { rows, domain: [low / 1.25, top * 1.1] as [number, number] };
}

/** A diverged rate's mark. */
function Cross(props: { cx?: number; cy?: number; stroke?: string }) {
  const { cx, cy, stroke } = props;
  if (cx === undefined || cy === undefined || !Number.isFinite(cx) || !Number.isFinite(cy)) return null;
  return (
    <path
      d={`M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`}
      stroke={stroke}
      strokeWidth={2}
    />
  );
}

function ResultChart({
  results,
  runs,
}: {
  readonly results: readonly TuneResult[];
  readonly runs: readonly RunSpec[];
}) {
  const { rows, domain } = chartRows(results);
  const colour = (id: string) => runs.find((r) => r.id === id)?.colour ?? '#888888';
  const log = domain[0] > 0;
  return (
    <div className="tune-chart" data-testid="tune-chart" data-points={rows.length}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="lr"
            type="number"
            scale="log"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => v.toPrecision(2)}
            label={{ value: 'learning rate (log)', position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            scale={log ? 'log' : 'linear'}
            domain={domain}
            allowDataOverflow
            tickFormatter={(v: number) => v.toPrecision(2)}
            width={48}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))}
            labelFormatter={(lr) => `lr ${typeof lr === 'number' ? lr : ''}`}
          />
          <Legend verticalAlign="top" height={22} />
          {results.map((r) => (
            <Line
              key={r.runId}
              dataKey={r.runId}
              name={r.name}
              stroke={colour(r.runId)}
              strokeWidth={2}
              connectNulls
              isAnimationActive={false}
              dot={{ r: 3 }}
            />
          ))}
          {results.map((r) => (
            <Line
              key={`${r.runId}:diverged`}
              dataKey={`${r.runId}:diverged`}
              name={`${r.name} diverged`}
              legendType="none"
              stroke="none"
              isAnimationActive={false}
              dot={<Cross stroke={colour(r.runId)} />}
            />
          ))}
          {results.map((r, i) =>
            r.best === null ? null : (
              <ReferenceLine
                key={`${r.runId}:best`}
                x={r.best}
                stroke={colour(r.runId)}
                strokeDasharray="4 3"
                // Stacked, so that the labels of nearby rates do not overlap.
                label={{
                  value: `best ${r.best}`,
                  position: 'insideTop',
                  offset: 4 + 13 * i,
                  fill: colour(r.runId),
                  fontSize: 11,
                }}
              />
            ),
          )}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function ResultTable({ tune }: { readonly tune: TuneState }) {
  const report = tune.report!;
  const other = report.objective === 'train' ? 'test' : 'train';
  return (
    <table className="tune-table" data-testid="tune-table">
      <thead>
        <tr>
          <th>run</th>
          <th>best lr</th>
          <th>was</th>
          <th>{report.objective} loss</th>
          <th>{other} loss</th>
          <th>diverged</th>
        </tr>
      </thead>
      <tbody>
        {report.results.map((r) => {
          const best = r.points.find((p) => p.lr === r.best);
          return (
            <tr key={r.runId} data-testid={`tune-row-${r.runId}`}>
              <td>{r.name}</td>
              <td data-testid={`tune-best-${r.runId}`}>
                {r.best ?? 'none (every rate diverged)'}
                {r.atEdge && <em> (at the grid’s {r.atEdge} end)</em>}
              </td>
              <td>{r.original}</td>
              <td>{fmt(best ? mean(best[report.objective]) : null)}</td>
              <td>{fmt(best ? mean(best[other]) : null)}</td>
              <td>
                {r.points.filter((p) => p.diverged).length} of {r.points.length}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function TunePanel(props: TunePanelProps) {
  const { tune, runs } = props;
  const running = tune?.status === 'running';
  const scope = tune ? tune.runIds.length : tunableRuns(runs).length;
  const controls = runs.length - tunableRuns(runs).length;
  return (
    <section className="panel tune" aria-label="Tune learning rates" data-testid="tune-panel">
      <div className="tune-head">
        <h2>Tune learning rates</h2>
        <button type="button" className="link-button" data-testid="tune-close" onClick={props.onClose}>
          close
        </button>
      </div>
      <Protocol request={tune ?? props.request} runs={scope} controls={controls} />
      {!running && (
        <Settings request={props.request} seed={props.seed} raceSeeds={props.raceSeeds} onRequest={props.onRequest} />
      )}
      {running ? (
        <div className="tune-running" role="status">
          Tuning{' '}
          {tune.runIds.length === 1 ? runs.find((r) => r.id === tune.runIds[0])?.name : `${tune.runIds.length} runs`}…{' '}
          <progress data-testid="tune-progress" value={tune.done} max={1} /> {Math.round(tune.done * 100)} %{' '}
          <button type="button" data-testid="tune-cancel" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="tune-actions">
          <button type="button" data-testid="tune-start" disabled={!props.canTune} onClick={() => props.onTune(null)}>
            Tune every run
          </button>
          <span className="muted">or press Tune on one run’s card</span>
        </div>
      )}
      {tune?.message && (
        <p
          className={tune.status === 'failed' ? 'tune-message error' : 'tune-message'}
          role="status"
          data-testid="tune-message"
        >
          {tune.message}
        </p>
      )}
      {tune?.status === 'done' && tune.report && (
        <div className="tune-result" data-testid="tune-result">
          {tune.cached.length > 0 && (
            <p className="muted" data-testid="tune-cached">
              {tune.cached.length === tune.runIds.length ? 'Every result' : `${tune.cached.length} result(s)`} came from
              an earlier search of this very setup, kept in this browser.
            </p>
          )}
          <ResultChart results={tune.report.results} runs={runs} />
          <p className="muted tune-legend">
            Each line: one run’s mean {OBJECTIVE_LABELS[tune.report.objective]} at{' '}
            {tune.report.steps.toLocaleString('en-US')} steps against its learning rate; the dashed line marks the
            chosen rate, a cross a rate that diverged.
          </p>
          <ResultTable tune={tune} />
          <button
            type="button"
            className="primary"
            data-testid="tune-apply"
            disabled={tune.report.results.every((r) => r.best === null)}
            onClick={props.onApply}
          >
            Race at best
          </button>
        </div>
      )}
    </section>
  );
}
