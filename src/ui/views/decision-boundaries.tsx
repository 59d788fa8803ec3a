/**
 * Decision boundaries of a 2D classification task: one map per run, side by side, each showing the model's
 * class probabilities over the plane (class colours blended by probability, pale where it is unsure) with
 * the training points drawn on top in their true class colours; "show test data" adds the test points as rings.
 */
import { useCallback, useMemo, useState } from 'react';
import { classColour, parseHexOr, toHex } from './colour.ts';
import { RasterCanvas } from './raster-canvas.tsx';
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
  test,
  grid,
  name,
  colour,
  size,
}: {
  points: TaskPoints;
  /** Test points to draw (null: hidden). */
  test: TaskPoints | null;
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
      if (!test) return;
      // Test points are rings (a shape, not only a colour, tells them apart): dark edge, class-coloured band.
      const m = Math.min(test.labels.length, Math.floor(test.x.length / 2));
      for (let i = 0; i < m; i++) {
        const [px, py] = map(test.x[2 * i]!, test.x[2 * i + 1]!);
        if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
        ctx.beginPath();
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.lineWidth = 2.4;
        ctx.strokeStyle = '#374151';
        ctx.stroke();
        ctx.lineWidth = 1.2;
        ctx.strokeStyle = toHex(classColour(test.labels[i]!));
        ctx.stroke();
      }
    },
    [grid, points, test],
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
  const testAcc = test ? gridAccuracy(test, grid) : Number.NaN;
  const [x0, x1, y0, y1] = grid.extent;
  const label = `Decision boundary of ${name}: class probabilities over x from ${formatValue(x0)} to ${formatValue(x1)} and y from ${formatValue(y0)} to ${formatValue(y1)}, with ${points.labels.length} training points; ${Number.isFinite(acc) ? `${Math.round(100 * acc)}% of points on the right side` : 'accuracy unknown'}.`;
  return (
    <figure className="views-boundary">
      <figcaption className="views-title">
        <span className="views-swatch" style={{ background: swatch }} />
        {name}
        {Number.isFinite(acc) && <span className="views-muted"> · {Math.round(100 * acc)}% right</span>}
        {Number.isFinite(testAcc) && (
          <span className="views-muted" data-testid="test-accuracy">
            {' '}
            (test {Math.round(100 * testAcc)}%)
          </span>
        )}
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
export function DecisionBoundaries({
  points,
  runs,
  testPoints,
  mapSize = 220,
  showTest: shown,
  onShowTest,
}: DecisionBoundaryProps) {
  const [own, setOwn] = useState(false);
  const showTest = shown ?? own;
  const setShowTest = onShowTest ?? setOwn;
  if (runs.length === 0) return <div className="views-empty views-empty-wide">No runs to show yet.</div>;
  const test = showTest && testPoints ? testPoints : null;
  return (
    <section className="views-section" aria-label="Decision boundaries">
      {testPoints && (
        <label className="views-toggle">
          <input
            type="checkbox"
            data-testid="show-test"
            checked={showTest}
            onChange={(e) => setShowTest(e.target.checked)}
          />{' '}
          show test data ({testPoints.labels.length} points, drawn as rings)
        </label>
      )}
      <div className="views-row">
        {runs.map((r) => (
          <BoundaryMap
            key={r.id}
            points={points}
            test={test}
            grid={r.grid}
            name={r.name}
            colour={r.colour}
            size={mapSize}
          />
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
