/**
 * A 2D regression toy as heat maps over the plane: the task's target, then each run's prediction, all on one
 * diverging scale (blue negative, white zero, red positive) with its legend; the training points are drawn on
 * the target in their own values' colours.
 */
import { useMemo } from 'react';
import { divergingColour, regressionRange, toHex } from './colour.ts';
import { legendGradient } from './heat-map.tsx';
import { fieldToRgba } from './network.ts';
import { formatValue } from './numbers.ts';
import { RasterCanvas, type Overlay } from './raster-canvas.tsx';
import type { RunRef } from './types.ts';

export interface RegressionMapsProps {
  readonly size: number;
  readonly extent: readonly [number, number, number, number];
  /** size² cells, row 0 at y = ymin. */
  readonly target: Float32Array;
  readonly points: { readonly x: Float32Array; readonly y: Float32Array };
  readonly runs: readonly (RunRef & { readonly colour: string; readonly values: Float32Array | null })[];
  /** CSS pixels per map side. */
  readonly mapSize: number;
}

const TICKS = [0, 0.5, 1];

function FieldMap({
  title,
  values,
  size,
  range,
  px,
  overlay,
  testId,
}: {
  title: string;
  values: Float32Array | null;
  size: number;
  range: number;
  px: number;
  overlay?: Overlay;
  testId: string;
}) {
  const rgba = useMemo(() => (values ? fieldToRgba(values, size, range) : null), [values, size, range]);
  return (
    <figure className="views-regression-map" data-testid={testId} style={{ width: px }}>
      <figcaption className="views-title" title={title}>
        {title}
      </figcaption>
      {rgba ? (
        <RasterCanvas
          rgba={rgba}
          pixelWidth={size}
          pixelHeight={size}
          width={px}
          height={px}
          label={`${title} over the plane, colour scale ±${formatValue(range)}`}
          className="views-canvas"
          {...(overlay ? { overlay } : {})}
        />
      ) : (
        <div className="views-empty" style={{ width: px, height: px }}>
          no data yet
        </div>
      )}
    </figure>
  );
}

export function RegressionMaps({ size, extent, target, points, runs, mapSize }: RegressionMapsProps) {
  // One scale for every map, set by the target (and the data's noise), so a prediction reads against it.
  const range = regressionRange(target, points.y);
  const overlay: Overlay = (ctx, w, h) => {
    const [x0, x1, y0, y1] = extent;
    for (let i = 0; i < points.y.length; i++) {
      const cx = ((points.x[2 * i]! - x0) / (x1 - x0)) * w;
      const cy = (1 - (points.x[2 * i + 1]! - y0) / (y1 - y0)) * h;
      ctx.beginPath();
      ctx.arc(cx, cy, 1.6, 0, 2 * Math.PI);
      ctx.fillStyle = toHex(divergingColour(points.y[i]!, range));
      ctx.fill();
      ctx.lineWidth = 0.4;
      ctx.strokeStyle = '#111827';
      ctx.stroke();
    }
  };
  return (
    <div className="views-regression" data-testid="regression-maps">
      <div className="views-regression-row">
        <FieldMap
          title="target"
          values={target}
          size={size}
          range={range}
          px={mapSize}
          overlay={overlay}
          testId="regression-target"
        />
        {runs.map((r) => (
          <FieldMap
            key={r.id}
            title={r.name}
            values={r.values}
            size={size}
            range={range}
            px={mapSize}
            testId={`regression-${r.id}`}
          />
        ))}
      </div>
      <div className="views-legend" style={{ width: 160 }} aria-hidden="true" data-testid="regression-legend">
        <div className="views-legend-bar" style={{ background: legendGradient(1) }} />
        <div className="views-legend-ticks">
          {TICKS.map((t) => (
            <span key={t}>{formatValue((2 * t - 1) * range)}</span>
          ))}
        </div>
      </div>
    </div>
  );
}
