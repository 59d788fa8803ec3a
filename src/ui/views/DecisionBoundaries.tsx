/**
 * Decision boundaries of a 2D classification task: one map per run, side by side, each showing the model's
 * class probabilities over the plane (class colours blended by probability, pale where it is unsure) with
 * the training points drawn on top in their true class colours.
 */
import { useCallback, useMemo } from 'react';
import { classColour, parseHexOr, toHex } from './colour.ts';
import { RasterCanvas } from './RasterCanvas.tsx';
import { dataToPixel, gridProblem, paddedExtent, probGridToRgba } from './raster.ts';
import { formatValue } from './numbers.ts';
import type { DecisionBoundaryProps, ProbabilityGrid, TaskPoints } from './types.ts';
import './views.css';

/** Share of points whose true class is the grid's most probable class at the nearest cell. */
export function gridAccuracy(points: TaskPoints, grid: ProbabilityGrid): number {
  const n = Math.min(points.labels.length, Math.floor(points.x.length / 2));
  const { size, extent, probs } = grid;
  const k = points.classes;
  const [x0, x1, y0, y1] = extent;
  let correct = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.round(((points.x[2 * i]! - x0) / (x1 - x0)) * (size - 1));
    const r = Math.round(((points.x[2 * i + 1]! - y0) / (y1 - y0)) * (size - 1));
    if (!(c >= 0 && c < size && r >= 0 && r < size)) continue;
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[(r * size + c) * k + j]! > probs[(r * size + c) * k + best]!) best = j;
    counted++;
    if (best === points.labels[i]) correct++;
  }
  return counted > 0 ? correct / counted : Number.NaN;
}

function BoundaryMap({
  points,
  grid,
  name,
  colour,
  size,
}: {
  points: TaskPoints;
  grid: ProbabilityGrid | null;
  name: string;
  colour: string;
  size: number;
}) {
  const problem = gridProblem(grid, points.classes);
  const rgba = useMemo(
    () => (grid && problem === null ? probGridToRgba(grid, points.classes) : null),
    [grid, problem, points.classes],
  );
  const overlay = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number) => {
      if (!grid) return;
      const map = dataToPixel(paddedExtent(grid), w, h);
      const n = Math.min(points.labels.length, Math.floor(points.x.length / 2));
      // Small points for big datasets so the boundary stays visible.
      const radius = n > 600 ? 2 : 3;
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#fff';
      for (let i = 0; i < n; i++) {
        const [px, py] = map(points.x[2 * i]!, points.x[2 * i + 1]!);
        if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
        ctx.fillStyle = toHex(classColour(points.labels[i]!));
        ctx.beginPath();
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    },
    [grid, points],
  );
  const swatch = toHex(parseHexOr(colour));
  if (!grid || problem !== null) {
    return (
      <figure className="views-boundary">
        <figcaption className="views-title">
          <span className="views-swatch" style={{ background: swatch }} />
          {name}
        </figcaption>
        <div className="views-empty" style={{ width: size, height: size }}>
          {problem ?? 'no data yet'}
        </div>
      </figure>
    );
  }
  const acc = gridAccuracy(points, grid);
  const [x0, x1, y0, y1] = grid.extent;
  const label = `Decision boundary of ${name}: class probabilities over x from ${formatValue(x0)} to ${formatValue(x1)} and y from ${formatValue(y0)} to ${formatValue(y1)}, with ${points.labels.length} training points; ${Number.isFinite(acc) ? `${Math.round(100 * acc)}% of points on the right side` : 'accuracy unknown'}.`;
  return (
    <figure className="views-boundary">
      <figcaption className="views-title">
        <span className="views-swatch" style={{ background: swatch }} />
        {name}
        {Number.isFinite(acc) && <span className="views-muted"> · {Math.round(100 * acc)}% right</span>}
      </figcaption>
      <div className="views-heatmap-body">
        <div className="views-axis-y" style={{ height: size }}>
          <span>{formatValue(y1)}</span>
          <span className="views-axis-name">x₂</span>
          <span>{formatValue(y0)}</span>
        </div>
        <div>
          <RasterCanvas
            rgba={rgba}
            pixelWidth={grid.size}
            pixelHeight={grid.size}
            width={size}
            height={size}
            smooth
            overlay={overlay}
            label={label}
            className="views-canvas"
          />
          <div className="views-axis-x" style={{ width: size }}>
            <span>{formatValue(x0)}</span>
            <span className="views-axis-name">x₁</span>
            <span>{formatValue(x1)}</span>
          </div>
        </div>
      </div>
    </figure>
  );
}

/** The decision-boundary maps of all runs, with a class legend. */
export function DecisionBoundaries({ points, runs, mapSize = 220 }: DecisionBoundaryProps) {
  if (runs.length === 0) return <div className="views-empty views-empty-wide">No runs to show yet.</div>;
  return (
    <section className="views-section" aria-label="Decision boundaries">
      <div className="views-row">
        {runs.map((r) => (
          <BoundaryMap key={r.id} points={points} grid={r.grid} name={r.name} colour={r.colour} size={mapSize} />
        ))}
      </div>
      <ul className="views-class-legend" aria-label="Class colours">
        {Array.from({ length: Math.max(0, Math.min(points.classes, 10)) }, (_, k) => (
          <li key={k}>
            <span className="views-dot" style={{ background: toHex(classColour(k)) }} /> class {k}
          </li>
        ))}
      </ul>
    </section>
  );
}
