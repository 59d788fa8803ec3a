/**
 * The race chart: one colour per run, train solid and test dashed, against steps or training seconds, on a
 * linear or log axis; the metric is the loss, accuracy (or MSE), FishLeg's auxiliary loss or ms per step.
 * What is drawn is thinned (the store keeps every point). Every live change of a run — settings, an
 * approximation switch, a branch — is a vertical mark in the run's colour with a label; labels are laid out
 * in rows so that none overlap (marks.ts). Dragging across the plot zooms into that range of x; Reset zoom
 * (or a double click) goes back to the whole race. A run on several seeds is drawn as the median of its seeds
 * with their range (min to max) as a band behind its training curve (seed-bands.ts). Animation is off: points
 * arrive several times a second.
 */
import { useCallback, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  usePlotArea,
  useXAxisInverseScale,
  useXAxisScale,
  XAxis,
  YAxis,
} from 'recharts';
import { controlledRun } from '../worker/frozen-control.ts';
import type { MetricPoint, RunSpec } from '../worker/protocol.ts';
import type { ChartSettings } from './config.ts';
import { thin } from './downsample.ts';
import { changeLabel, layoutMarks, type Mark } from './marks.ts';
import { seedBand } from './seed-bands.ts';
import { formatLogTick, linearTicks, logTicks } from './ticks.ts';
import type { RunState } from './training-client.ts';

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
  /** A frozen-Q control: drawn faint, in its learned run's hue, so the gap between the two stands out. */
  readonly ghost: boolean;
  /** y is the median over the run's seeds, `band` their [min, max]: drawn as a band (train only, to stay legible). */
  readonly band: boolean;
  readonly data: { x: number; y: number; band?: [number, number] }[];
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

/** Accuracy lives in [0, 1] and is read linearly: the log toggle does not apply to it. */
export function logAllowed(metric: ChartSettings['metric'], hasAccuracy: boolean): boolean {
  return !(metric === 'accuracy' && hasAccuracy);
}

/** The series to draw: finite values inside the zoomed x range (if any), thinned after the cut. */
export function buildSeries(
  runs: readonly RunSpec[],
  states: Readonly<Record<string, RunState>>,
  chart: ChartSettings,
  hasAccuracy: boolean,
  range: readonly [number, number] | null = null,
): Series[] {
  const [train, test] = metricGetters(chart.metric, hasAccuracy);
  const out: Series[] = [];
  const inRange = (x: number) => range === null || (x >= range[0] && x <= range[1]);
  for (const run of runs) {
    const pts = states[run.id]?.points ?? [];
    const seeds = states[run.id]?.seeds;
    const several = seeds !== undefined && seeds.length > 1;
    const ghost = controlledRun(run, runs) !== null;
    for (const [get, suffix, dashed] of [
      [train, test ? ' train' : '', false],
      ...(test ? ([[test, ' test', true]] as const) : []),
    ] as const) {
      const data = several
        ? seedBand(seeds, get).flatMap((b) => {
            const x = chart.x === 'step' ? b.step : b.seconds;
            if (!inRange(x)) return [];
            return dashed ? [{ x, y: b.median }] : [{ x, y: b.median, band: [b.min, b.max] as [number, number] }];
          })
        : pts.flatMap((p) => {
            const y = get(p);
            const x = chart.x === 'step' ? p.step : p.seconds;
            return typeof y === 'number' && Number.isFinite(y) && inRange(x) ? [{ x, y }] : [];
          });
      out.push({
        key: `${run.id}${suffix}`,
        name: `${run.name}${suffix}${several ? ` (median of ${seeds.length} seeds)` : ''}`,
        colour: run.colour,
        dashed,
        ghost,
        band: several && !dashed,
        data: thin(data, DRAWN_POINTS),
      });
    }
  }
  return out;
}

/** Every mark of the race (steps only): branch points, approximation switches and live setting changes. */
export function chartMarks(runs: readonly RunSpec[], states: Readonly<Record<string, RunState>>): Mark[] {
  return runs.flatMap((r) => {
    const st = states[r.id];
    const base = { runId: r.id, colour: r.colour };
    // Where a branch leaves the run it was copied from.
    const branch =
      st?.origin && st.origin.from !== null && st.origin.step > 0
        ? [
            {
              ...base,
              key: `${r.id}@branch`,
              step: st.origin.step,
              text: r.name,
              className: 'branch-marker',
              icon: 'branch' as const,
            },
          ]
        : [];
    const switches = (st?.switches ?? []).map((s, i) => ({
      ...base,
      key: `${r.id}@switch${i}`,
      step: s.step,
      text: `→ ${s.approx}`,
      className: 'switch-marker',
    }));
    const changes = (st?.changes ?? []).map((c, i) => ({
      ...base,
      key: `${r.id}@change${i}`,
      step: c.step,
      text: changeLabel(c.changes),
      className: 'change-marker',
    }));
    return [...branch, ...switches, ...changes];
  });
}

/** Tick labels of a linear axis that fit the 60 px axis: exponents for very small or large magnitudes. */
export const fmt = (v: unknown): string => {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
};

const MARK_FONT_PX = 11;
const MARK_ROW_PX = 14;
/** The branch icon's box: a fork as wide as a glyph of the label's font, plus a space. */
const ICON_PX = 12;

/**
 * A fork drawn as paths (a trunk with one limb leaving it, a dot at each end), so that it renders the same in
 * every font; `x`, `y` are the top left of its ICON_PX box.
 */
function BranchIcon({ x, y, colour }: { readonly x: number; readonly y: number; readonly colour: string }) {
  const s = MARK_FONT_PX / 11;
  return (
    <g className="branch-icon" transform={`translate(${x} ${y}) scale(${s})`} fill="none" stroke={colour}>
      <path d="M3 1.5V10.5M3 7.5C3 5 8 5.5 8 2.5" strokeWidth={1.4} strokeLinecap="round" />
      <circle cx={3} cy={10.5} r={1.3} fill={colour} strokeWidth={0} />
      <circle cx={8} cy={2.5} r={1.3} fill={colour} strokeWidth={0} />
    </g>
  );
}

let measureContext: CanvasRenderingContext2D | null | undefined;

/** A label's width in the chart's font (the canvas measures it; an estimate where there is no canvas). */
function measureLabel(text: string): number {
  if (measureContext === undefined) {
    measureContext = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
    if (measureContext) {
      const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
      measureContext.font = `${MARK_FONT_PX}px ${family}`;
    }
  }
  return Math.ceil(measureContext ? measureContext.measureText(text).width : 0.62 * MARK_FONT_PX * text.length) + 4;
}

/** The marks' lines and labels, drawn inside the chart where its x scale is known. */
function MarkLayer({ marks }: { readonly marks: readonly Mark[] }) {
  const plot = usePlotArea();
  const scale = useXAxisScale();
  if (!plot || !scale || marks.length === 0) return null;
  const maxRows = Math.max(1, Math.min(6, Math.floor((0.45 * plot.height) / MARK_ROW_PX)));
  const placed = layoutMarks(marks, {
    x: (step) => scale(step) ?? null,
    left: plot.x,
    right: plot.x + plot.width,
    measure: measureLabel,
    maxRows,
    iconWidth: ICON_PX,
  });
  return (
    <g className="chart-marks">
      {placed.map((p) => (
        <g key={p.key} className={p.className} data-step={p.step} data-row={p.row ?? ''}>
          <title>{`${p.step}: ${p.icon === 'branch' ? 'branch ' : ''}${p.text}`}</title>
          <line
            x1={p.x}
            x2={p.x}
            y1={plot.y}
            y2={plot.y + plot.height}
            stroke={p.colour}
            strokeDasharray="2 3"
            strokeWidth={1.25}
          />
          {p.row !== null && (
            <>
              <rect
                x={p.x0}
                y={plot.y + 2 + p.row * MARK_ROW_PX}
                width={p.x1 - p.x0}
                height={MARK_ROW_PX - 1}
                fill="#ffffff"
                fillOpacity={0.85}
              />
              {p.icon === 'branch' && (
                <BranchIcon x={p.x0 + 1} y={plot.y + 2 + p.row * MARK_ROW_PX} colour={p.colour} />
              )}
              <text
                className="mark-label"
                x={p.x0 + 2 + (p.icon ? ICON_PX : 0)}
                y={plot.y + 2 + p.row * MARK_ROW_PX + MARK_FONT_PX}
                fontSize={MARK_FONT_PX}
                fill={p.colour}
              >
                {p.label}
              </text>
            </>
          )}
        </g>
      ))}
    </g>
  );
}

/** Drag across the plot to pick an x range; the selection shows while dragging. */
function ZoomLayer({ onZoom }: { readonly onZoom: (range: [number, number]) => void }) {
  const plot = usePlotArea();
  const invert = useXAxisInverseScale();
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  // The handlers read the drag from a ref: a pointerup can arrive before the last move's render.
  const live = useRef<{ from: number; to: number } | null>(null);
  const show = (d: { from: number; to: number } | null) => {
    live.current = d;
    setDrag(d);
  };
  if (!plot || !invert) return null;
  const localX = (e: ReactPointerEvent<SVGRectElement>): number => {
    const svg = e.currentTarget.ownerSVGElement;
    const left = svg ? svg.getBoundingClientRect().left : 0;
    return Math.min(plot.x + plot.width, Math.max(plot.x, e.clientX - left));
  };
  const finish = () => {
    const d = live.current;
    if (d && Math.abs(d.to - d.from) >= 8) {
      const a = Number(invert(Math.min(d.from, d.to)));
      const b = Number(invert(Math.max(d.from, d.to)));
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) onZoom([a, b]);
    }
    show(null);
  };
  return (
    <g className="zoom-layer">
      {drag && (
        <rect
          className="zoom-selection"
          x={Math.min(drag.from, drag.to)}
          y={plot.y}
          width={Math.abs(drag.to - drag.from)}
          height={plot.height}
          fill="#2563eb"
          fillOpacity={0.12}
          stroke="#2563eb"
          strokeOpacity={0.5}
        />
      )}
      <rect
        data-testid="zoom-area"
        className="zoom-area"
        x={plot.x}
        y={plot.y}
        width={plot.width}
        height={plot.height}
        fill="transparent"
        style={{ cursor: 'crosshair', touchAction: 'pan-y' }}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const x = localX(e);
          show({ from: x, to: x });
        }}
        onPointerMove={(e) => {
          if (live.current) show({ from: live.current.from, to: localX(e) });
        }}
        onPointerUp={finish}
        onPointerCancel={() => show(null)}
      />
    </g>
  );
}

/** The live race chart. */
export function LossChart({ runs, states, chart, hasAccuracy }: LossChartProps) {
  // The zoomed range belongs to one x axis: switching steps ↔ seconds starts from the whole race.
  const [zoomState, setZoom] = useState<{ x: ChartSettings['x']; range: [number, number] } | null>(null);
  const zoom = zoomState?.x === chart.x ? zoomState.range : null;
  const onZoom = useCallback(
    (range: [number, number]) =>
      setZoom({ x: chart.x, range: chart.x === 'step' ? [Math.floor(range[0]), Math.ceil(range[1])] : range }),
    [chart.x],
  );
  const series = buildSeries(runs, states, chart, hasAccuracy, zoom);
  // The bands' ends count too: the axis must hold the whole range of every seed.
  const values = series.flatMap((s) => s.data.flatMap((p) => (p.band ? [p.y, ...p.band] : [p.y])));
  // A log axis cannot show values ≤ 0 (FishLeg's auxiliary loss turns negative as Q learns): draw those linearly.
  const wantLog = chart.log && logAllowed(chart.metric, hasAccuracy);
  const log = wantLog && values.length > 0 && values.every((y) => y > 0);
  const logAxis = log ? logTicks(Math.min(...values), Math.max(...values)) : null;
  const yTickFormat = log ? formatLogTick : fmt;
  const yWidth = logAxis ? Math.max(60, 14 + 7 * Math.max(...logAxis.ticks.map((t) => formatLogTick(t).length))) : 60;
  const drawn = values.length;
  const label = metricGetters(chart.metric, hasAccuracy)[2];
  const marks = chart.x === 'step' ? chartMarks(runs, states) : [];
  return (
    <div
      className="chart"
      data-testid="loss-chart"
      data-points={drawn}
      data-zoom={zoom ? `${zoom[0]}-${zoom[1]}` : ''}
      data-log={log ? 'true' : 'false'}
      aria-label={`${label} against ${chart.x}`}
      role="img"
      onDoubleClick={() => setZoom(null)}
    >
      <div className="chart-note" role="note">
        {wantLog && !log && drawn > 0 ? 'linear axis: some values are ≤ 0 ' : ''}
        {zoom ? (
          <span className="zoom-note">
            {chart.x === 'step' ? 'steps' : 'seconds'} {fmt(zoom[0])}–{fmt(zoom[1])}{' '}
            <button type="button" className="link-button" data-testid="zoom-reset" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          </span>
        ) : drawn > 0 ? (
          <span className="zoom-hint">drag across the chart to zoom</span>
        ) : null}
      </div>
      {drawn === 0 && !zoom ? (
        <div className="chart-empty">Waiting for the first evaluation…</div>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          {/* Keyed by the zoom: a new range starts without the old range's hover state (its tooltip index). */}
          <ComposedChart key={zoom ? zoom.join('-') : 'all'} margin={{ top: 18, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis
              dataKey="x"
              type="number"
              domain={zoom ?? [0, 'dataMax']}
              {...(zoom ? { ticks: linearTicks(zoom[0], zoom[1]) } : {})}
              allowDataOverflow
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
              domain={logAxis ? logAxis.domain : ['auto', 'auto']}
              {...(logAxis ? { ticks: logAxis.ticks } : {})}
              allowDataOverflow
              tickFormatter={yTickFormat}
              tick={{ fontSize: 12 }}
              width={yWidth}
              label={{ value: label, angle: -90, position: 'insideLeft', fontSize: 12 }}
            />
            <Tooltip formatter={fmt} labelFormatter={(x: unknown) => `${chart.x} ${fmt(x)}`} />
            {series
              .filter((s) => s.band)
              .map((s) => (
                <Area
                  key={`${s.key} band`}
                  className="seed-band"
                  data={s.data}
                  dataKey="band"
                  name={`${s.name} range`}
                  stroke="none"
                  fill={s.colour}
                  fillOpacity={s.ghost ? 0.08 : 0.18}
                  legendType="none"
                  tooltipType="none"
                  activeDot={false}
                  isAnimationActive={false}
                />
              ))}
            {series.map((s) => (
              <Line
                key={s.key}
                data={s.data}
                dataKey="y"
                name={s.name}
                stroke={s.colour}
                strokeWidth={s.ghost ? 1.25 : s.dashed ? 1.5 : 2}
                strokeOpacity={s.ghost ? 0.45 : 1}
                strokeDasharray={s.dashed ? '5 4' : undefined}
                dot={false}
                isAnimationActive={false}
              />
            ))}
            <MarkLayer marks={marks} />
            <ZoomLayer onZoom={onZoom} />
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
