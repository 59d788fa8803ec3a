/**
 * The race chart: one colour per run, train solid and test dashed, against steps or training seconds, on a
 * linear or log axis; the metric is the loss, accuracy (or MSE), FishLeg's auxiliary loss or ms per step.
 * What is drawn is thinned (the store keeps every point); approximation switches are vertical markers.
 * Animation is off: points arrive several times a second.
 */
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricPoint, RunSpec } from '../worker/protocol.ts';
import type { ChartSettings } from './config.ts';
import type { RunState } from './trainingClient.ts';
import { thin } from './downsample.ts';

/** Points drawn per series. */
export const DRAWN_POINTS = 200;

export interface LossChartProps {
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunState>>;
  readonly chart: ChartSettings;
  /** The data has accuracies (categorical likelihood); else the accuracy metric shows MSE. */
  readonly hasAccuracy: boolean;
}

interface Series {
  readonly key: string;
  readonly name: string;
  readonly colour: string;
  readonly dashed: boolean;
  readonly data: { x: number; y: number }[];
}

type Getter = (p: MetricPoint) => number | null | undefined;

/** The [train, test] getters of a metric (test null where there is only one series). */
export function metricGetters(metric: ChartSettings['metric'], hasAccuracy: boolean): [Getter, Getter | null, string] {
  switch (metric) {
    case 'loss':
      return [(p) => p.trainLoss, (p) => p.testLoss, 'loss'];
    case 'accuracy':
      return hasAccuracy
        ? [(p) => p.trainAccuracy, (p) => p.testAccuracy, 'accuracy']
        : [(p) => p.trainMse, (p) => p.testMse, 'MSE'];
    case 'aux':
      return [(p) => p.auxLoss, null, 'auxiliary loss'];
    case 'ms':
      return [(p) => p.msPerStep, null, 'ms / step'];
    default:
      return metric satisfies never;
  }
}

/** The series to draw: finite (and, on a log axis, positive) values, thinned. */
export function buildSeries(
  runs: readonly RunSpec[],
  states: Readonly<Record<string, RunState>>,
  chart: ChartSettings,
  hasAccuracy: boolean,
): Series[] {
  const [train, test] = metricGetters(chart.metric, hasAccuracy);
  const out: Series[] = [];
  const ok = (v: number | null | undefined): v is number =>
    typeof v === 'number' && Number.isFinite(v) && (!chart.log || v > 0);
  for (const run of runs) {
    const pts = states[run.id]?.points ?? [];
    for (const [get, suffix, dashed] of [
      [train, test ? ' train' : '', false],
      ...(test ? ([[test, ' test', true]] as const) : []),
    ] as const) {
      const data = pts.flatMap((p) => {
        const y = get(p);
        return ok(y) ? [{ x: chart.x === 'step' ? p.step : p.seconds, y }] : [];
      });
      out.push({
        key: `${run.id}${suffix}`,
        name: `${run.name}${suffix}`,
        colour: run.colour,
        dashed,
        data: thin(data, DRAWN_POINTS),
      });
    }
  }
  return out;
}

/** Tick labels that fit the 60 px axis: exponents for very small or large magnitudes. */
export const fmt = (v: unknown): string => {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
};

/** The live race chart. */
export function LossChart({ runs, states, chart, hasAccuracy }: LossChartProps) {
  // A log axis cannot show values ≤ 0 (FishLeg's auxiliary loss turns negative as Q learns): draw those linearly.
  const series = buildSeries(runs, states, { ...chart, log: false }, hasAccuracy);
  const log = chart.log && series.every((s) => s.data.every((p) => p.y > 0));
  const drawn = series.reduce((n, s) => n + s.data.length, 0);
  const label = metricGetters(chart.metric, hasAccuracy)[2];
  const markers =
    chart.x === 'step'
      ? runs.flatMap((r) => {
          const st = states[r.id];
          const switches = (st?.switches ?? []).map((s) => ({
            step: s.step,
            text: `→ ${s.approx}`,
            className: 'switch-marker',
            colour: r.colour,
            key: `${r.id}@${s.step}`,
          }));
          // Where a branch leaves the run it was copied from.
          const branch =
            st?.origin && st.origin.from !== null && st.origin.step > 0
              ? [
                  {
                    step: st.origin.step,
                    text: `⑂ ${r.name}`,
                    className: 'branch-marker',
                    colour: r.colour,
                    key: `${r.id}@branch`,
                  },
                ]
              : [];
          return [...branch, ...switches];
        })
      : [];
  return (
    <div
      className="chart"
      data-testid="loss-chart"
      data-points={drawn}
      aria-label={`${label} against ${chart.x}`}
      role="img"
    >
      {chart.log && !log && drawn > 0 ? (
        <div className="chart-note" role="note">
          linear axis: some values are ≤ 0
        </div>
      ) : null}
      {drawn === 0 ? (
        <div className="chart-empty">Waiting for the first evaluation…</div>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis
              dataKey="x"
              type="number"
              domain={[0, 'dataMax']}
              allowDuplicatedCategory={false}
              tickFormatter={fmt}
              tick={{ fontSize: 12 }}
              label={{
                value: chart.x === 'step' ? 'step' : 'training seconds',
                position: 'insideBottomRight',
                offset: -8,
                fontSize: 12,
              }}
            />
            <YAxis
              scale={log ? 'log' : 'linear'}
              // A 2 % margin on a log axis keeps a flat or single-point curve from labelling every tick alike.
              domain={log ? [(min: number) => min * 0.98, (max: number) => max * 1.02] : ['auto', 'auto']}
              allowDataOverflow
              tickFormatter={fmt}
              tick={{ fontSize: 12 }}
              width={60}
              label={{ value: label, angle: -90, position: 'insideLeft', fontSize: 12 }}
            />
            <Tooltip formatter={fmt} labelFormatter={(x: unknown) => `${chart.x} ${fmt(x)}`} />
            {series.map((s) => (
              <Line
                key={s.key}
                data={s.data}
                dataKey="y"
                name={s.name}
                stroke={s.colour}
                strokeWidth={s.dashed ? 1.5 : 2}
                strokeDasharray={s.dashed ? '5 4' : undefined}
                dot={false}
                isAnimationActive={false}
              />
            ))}
            {markers.map((m) => (
              <ReferenceLine
                key={m.key}
                x={m.step}
                stroke={m.colour}
                strokeDasharray="2 3"
                label={{ value: m.text, position: 'insideTopLeft', fontSize: 11, fill: m.colour }}
                className={m.className}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
