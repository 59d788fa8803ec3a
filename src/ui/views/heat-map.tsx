/**
 * A signed matrix as a heat map: diverging blue–white–red scale on a symmetric range (white = 0), labelled
 * axes, a colour legend, and an aria-label summary for screen readers. Several maps can share one range
 * (pass `range`) so they are comparable cell by cell.
 */
import { useMemo } from 'react';
import { divergingColour, divergingValueAt, symmetricRange, toHex } from './colour.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import { hasFinite, matrixToRgba } from './raster.ts';
import { formatValue } from './numbers.ts';
import './views.css';

/** Props of `HeatMap`. */
export interface HeatMapProps {
  /** Row-major rows×cols values; null or all-NaN shows "no data yet". */
  values: ArrayLike<number> | null;
  rows: number;
  cols: number;
  title: string;
  /** Symmetric colour range ±range; defaults to the largest |value|. */
  range?: number;
  /** < 1 stretches small magnitudes (see colour.ts); the legend follows. */
  gamma?: number;
  rowLabel?: string;
  colLabel?: string;
  /** Size of the longer side in CSS pixels (default 240). */
  size?: number;
}

/** Where the legend shows tick values, as positions along the bar. */
const LEGEND_TICKS = [0, 0.25, 0.5, 0.75, 1];

/** CSS gradient of the diverging scale between −range and range, under `gamma`. */
export function legendGradient(gamma: number): string {
  const stops = Array.from({ length: 21 }, (_, i) => {
    const t = i / 20;
    return `${toHex(divergingColour(divergingValueAt(t, 1, gamma), 1, gamma))} ${(100 * t).toFixed(0)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Min and max of the finite entries, for the summary. */
function finiteExtent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

/** The heat map with its legend. */
export function HeatMap(props: HeatMapProps) {
  const { values, rows, cols, title, gamma = 1, rowLabel = 'row', colLabel = 'column', size = 240 } = props;
  const ok = values !== null && rows > 0 && cols > 0 && values.length === rows * cols && hasFinite(values);
  const range = props.range ?? (values ? symmetricRange(values) : 0);
  const rgba = useMemo(
    () => (ok && values ? matrixToRgba(values, rows, cols, range, gamma) : null),
    [ok, values, rows, cols, range, gamma],
  );
  const scale = size / Math.max(rows, cols, 1);
  const w = Math.max(1, Math.round(cols * scale));
  const h = Math.max(1, Math.round(rows * scale));

  if (!ok || !values) {
    return (
      <figure className="views-heatmap">
        <figcaption className="views-title">{title}</figcaption>
        <div className="views-empty" style={{ width: size, height: size }}>
          {values && values.length !== rows * cols && values.length > 0
            ? `expected ${rows}×${cols} values, got ${values.length}`
            : 'no data yet'}
        </div>
      </figure>
    );
  }
  const [lo, hi] = finiteExtent(values);
  const summary = `${title}: ${rows}×${cols} matrix, values from ${formatValue(lo)} to ${formatValue(hi)}, colour scale ±${formatValue(range)} (blue negative, white zero, red positive)`;
  return (
    <figure className="views-heatmap">
      <figcaption className="views-title">{title}</figcaption>
      <div className="views-heatmap-body">
        <div className="views-axis-y" style={{ height: h }}>
          <span>1</span>
          <span className="views-axis-name">{rowLabel}</span>
          <span>{rows}</span>
        </div>
        <div>
          <RasterCanvas
            rgba={rgba}
            pixelWidth={cols}
            pixelHeight={rows}
            width={w}
            height={h}
            label={summary}
            className="views-canvas"
          />
          <div className="views-axis-x" style={{ width: w }}>
            <span>1</span>
            <span className="views-axis-name">{colLabel}</span>
            <span>{cols}</span>
          </div>
        </div>
      </div>
      <div className="views-legend" style={{ width: Math.max(w, 160) }} aria-hidden="true">
        <div className="views-legend-bar" style={{ background: legendGradient(gamma) }} />
        <div className="views-legend-ticks">
          {LEGEND_TICKS.map((t) => (
            <span key={t}>{formatValue(divergingValueAt(t, range, gamma))}</span>
          ))}
        </div>
      </div>
    </figure>
  );
}
