/**
 * Two-parameter teaching demo: the loss contours of a linear regression with weights (w1, w2) on a fixed,
 * ill-conditioned dataset, and the paths of plain gradient descent and natural-gradient descent (exact damped
 * 2×2 Fisher) from the same start, stepped or animated by the user. The plain gradient starts at its best
 * learning rate on its slider's grid (two-param.test.ts checks that, and that it zig-zags while the natural
 * gradient goes straight and arrives sooner); sliders set both rates and the damping γ. Click the map to move
 * the start.
 */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { KIND_HUES } from '../colours.ts';
import { sequentialColour } from './colour.ts';
import { contourLevels, marchingSquares, type Segment } from './contour.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import { dataToPixel } from './raster.ts';
import { formatValue } from './numbers.ts';
import { Tex } from './tex-formula.tsx';
import { DEMO, descend, lossGrid, makeDemoData, minimiser, stepsToTarget, type Path, type Vec2 } from './two-param.ts';
import type { TwoParamDemoProps } from './types.ts';
import './views.css';

const DEMO_EXTENT = DEMO.extent;
const DEMO_START = DEMO.start;
const GRID = 121;
// The page's colour convention (colours.ts): plain gradient in SGD's hue, natural gradient in its own.
const GD_COLOUR = KIND_HUES.sgd;
const NGD_COLOUR = KIND_HUES.natural;

// The dataset, the loss surface and its contours never change: compute them once per page.
const DATA = makeDemoData();
const OPTIMUM = minimiser(DATA);
let surface: { rgba: Uint8ClampedArray; contours: Segment[][] } | null = null;
function getSurface(): { rgba: Uint8ClampedArray; contours: Segment[][] } {
  if (surface) return surface;
  const field = lossGrid(DATA, DEMO_EXTENT, GRID, GRID);
  // Colour by log(L − L*) so the valley floor is not one flat colour; pale so the paths stand out.
  const lmin = Math.min(...field);
  const logField = field.map((v) => Math.log(v - lmin + 1e-3));
  const lo = Math.min(...logField);
  const hi = Math.max(...logField);
  const rgba = new Uint8ClampedArray(GRID * GRID * 4);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const col = sequentialColour(logField[r * GRID + c]!, lo, hi);
      const o = ((GRID - 1 - r) * GRID + c) * 4; // grid row 0 is w2 = min: the bottom of the picture
      rgba[o] = 255 + (col[0] - 255) * 0.45;
      rgba[o + 1] = 255 + (col[1] - 255) * 0.45;
      rgba[o + 2] = 255 + (col[2] - 255) * 0.45;
      rgba[o + 3] = 255;
    }
  }
  const contours = contourLevels(field, 12, 0.95).map((lv) => marchingSquares(field, GRID, GRID, lv));
  surface = { rgba, contours };
  return surface;
}

function drawPath(
  ctx: CanvasRenderingContext2D,
  map: (x: number, y: number) => [number, number],
  p: Path,
  k: number,
  colour: string,
) {
  const pts = p.points.slice(0, k + 1).map((w) => map(w[0], w[1]));
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  pts.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.stroke();
  for (const [x, y] of pts) {
    ctx.beginPath();
    ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  const last = pts.at(-1);
  if (last) {
    ctx.beginPath();
    ctx.arc(last[0], last[1], 5, 0, 2 * Math.PI);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
    ctx.fill();
  }
}

/** The demo, with its own controls. */
export function TwoParamDemo({
  gdRate = DEMO.gdRate,
  ngdRate = DEMO.ngdRate,
  damping = DEMO.damping,
  steps = DEMO.steps,
  size = 380,
}: TwoParamDemoProps) {
  const [start, setStart] = useState<Vec2>(DEMO_START);
  const [k, setK] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [gdEta, setGdEta] = useState(gdRate);
  const [eta, setEta] = useState(ngdRate);
  const [gamma, setGamma] = useState(damping);
  const gdEtaId = useId();
  const etaId = useId();
  const gammaId = useId();
  const gd = useMemo(() => descend(DATA, start, { kind: 'gd', lr: gdEta }, steps), [start, gdEta, steps]);
  const ngd = useMemo(
    () => descend(DATA, start, { kind: 'ngd', lr: eta, damping: gamma }, steps),
    [start, eta, gamma, steps],
  );
  const arrival = (p: Path): string => {
    const k = stepsToTarget(p.points, OPTIMUM, 0.05);
    return k === null ? `not within ${steps} steps` : `step ${k}`;
  };
  const last = Math.max(gd.points.length, ngd.points.length) - 1;

  useEffect(() => {
    if (!playing) return;
    const id = window.setInterval(() => setK((s) => Math.min(s + 1, last)), 120);
    return () => window.clearInterval(id);
  }, [playing, last]);
  // Stop the animation at the end of the paths.
  if (playing && k >= last) setPlaying(false);

  const overlay = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number) => {
      const { contours } = getSurface();
      // Grid coordinates (column, row) → pixels; row 0 is the bottom.
      const sx = w / (GRID - 1);
      const sy = h / (GRID - 1);
      ctx.strokeStyle = 'rgba(30, 41, 59, 0.45)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const segs of contours) {
        for (const [x1, y1, x2, y2] of segs) {
          ctx.moveTo(x1 * sx, h - y1 * sy);
          ctx.lineTo(x2 * sx, h - y2 * sy);
        }
      }
      ctx.stroke();
      const map = dataToPixel(DEMO_EXTENT, w, h);
      const [ox, oy] = map(OPTIMUM[0], OPTIMUM[1]);
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(ox - 6, oy - 6);
      ctx.lineTo(ox + 6, oy + 6);
      ctx.moveTo(ox + 6, oy - 6);
      ctx.lineTo(ox - 6, oy + 6);
      ctx.stroke();
      drawPath(ctx, map, gd, k, GD_COLOUR);
      drawPath(ctx, map, ngd, k, NGD_COLOUR);
    },
    [gd, ngd, k],
  );

  const onClick = useCallback(
    (x: number, y: number) => {
      const [x0, x1, y0, y1] = DEMO_EXTENT;
      setStart([x0 + (x / size) * (x1 - x0), y1 - (y / size) * (y1 - y0)]);
      setK(0);
      setPlaying(false);
    },
    [size],
  );

  const at = (p: Path): { loss: number; dist: number } => {
    const i = Math.min(k, p.points.length - 1);
    const w = p.points[i]!;
    return { loss: p.losses[i]!, dist: Math.hypot(w[0] - OPTIMUM[0], w[1] - OPTIMUM[1]) };
  };
  const g = at(gd);
  const n = at(ngd);
  const [x0, x1, y0, y1] = DEMO_EXTENT;

  return (
    <section className="views-section views-twoparam" aria-label="Two-parameter natural-gradient demo">
      <h3>Gradient vs natural gradient on two parameters</h3>
      <div className="views-row">
        <div>
          <div className="views-heatmap-body">
            <div className="views-axis-y" style={{ height: size }}>
              <span>{y1}</span>
              <span className="views-axis-name">w₂</span>
              <span>{y0}</span>
            </div>
            <div>
              <RasterCanvas
                rgba={getSurface().rgba}
                pixelWidth={GRID}
                pixelHeight={GRID}
                width={size}
                height={size}
                smooth
                overlay={overlay}
                onClick={onClick}
                className="views-canvas views-clickable"
                label={`Loss contours over w1 from ${x0} to ${x1} and w2 from ${y0} to ${y1}. Step ${k}: gradient descent at loss ${formatValue(g.loss)}, natural gradient at loss ${formatValue(n.loss)}; minimum marked with a cross.`}
              />
              <div className="views-axis-x" style={{ width: size }}>
                <span>{x0}</span>
                <span className="views-axis-name">w₁</span>
                <span>{x1}</span>
              </div>
            </div>
          </div>
        </div>
        <div className="views-twoparam-side">
          <div className="views-buttons">
            <button type="button" onClick={() => setK((s) => Math.min(s + 1, last))} disabled={k >= last}>
              Step
            </button>
            <button type="button" onClick={() => setPlaying((p) => !p)} disabled={k >= last && !playing}>
              {playing ? 'Pause' : 'Play'}
            </button>
            <button
              type="button"
              onClick={() => {
                setK(0);
                setPlaying(false);
                setStart(DEMO_START);
              }}
            >
              Reset
            </button>
          </div>
          <div className="views-sliders">
            <label htmlFor={gdEtaId}>
              <span>
                gradient rate η = <strong>{formatValue(gdEta)}</strong>
              </span>
              <input
                id={gdEtaId}
                type="range"
                {...DEMO.gdRates}
                value={gdEta}
                onChange={(e) => setGdEta(Number(e.target.value))}
              />
            </label>
            <label htmlFor={etaId}>
              <span>
                natural-gradient rate η = <strong>{formatValue(eta)}</strong>
              </span>
              <input
                id={etaId}
                type="range"
                {...DEMO.ngdRates}
                value={eta}
                onChange={(e) => setEta(Number(e.target.value))}
              />
            </label>
            <label htmlFor={gammaId}>
              <span>
                damping γ = <strong>{formatValue(gamma)}</strong>
              </span>
              <input
                id={gammaId}
                type="range"
                {...DEMO.logDamping}
                value={Math.log10(gamma)}
                onChange={(e) => setGamma(Number((10 ** Number(e.target.value)).toPrecision(2)))}
              />
            </label>
          </div>
          <table className="views-readout" aria-live="polite">
            <thead>
              <tr>
                <th scope="col">step {k}</th>
                <th scope="col">loss</th>
                <th scope="col">distance to min</th>
                <th scope="col">within 5%</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">
                  <span className="views-swatch" style={{ background: GD_COLOUR }} />
                  gradient
                </th>
                <td>{formatValue(g.loss)}</td>
                <td>{formatValue(g.dist)}</td>
                <td data-testid="gd-arrival">{arrival(gd)}</td>
              </tr>
              <tr>
                <th scope="row">
                  <span className="views-swatch" style={{ background: NGD_COLOUR }} />
                  natural gradient (γ = {formatValue(gamma)})
                </th>
                <td>{formatValue(n.loss)}</td>
                <td>{formatValue(n.dist)}</td>
                <td data-testid="ngd-arrival">{arrival(ngd)}</td>
              </tr>
            </tbody>
          </table>
          <p>
            The two features are strongly correlated, so the loss is a long thin valley (a quadratic: linear regression
            with Gaussian noise). Even at its best rate, preset here, the plain gradient points across the valley: it
            bounces from side to side while creeping along the floor. The natural gradient rescales it by the inverse
            Fisher, which for this model is the same everywhere,
          </p>
          <Tex name="gaussianFisher" display />
          <p>and solves the damped 2×2 system in closed form:</p>
          <Tex name="ngdStep" display />
          <p className="views-muted">
            Every direction&apos;s error then shrinks by the same factor 1 − η, so the path is the straight line to the
            minimum (with η = 1 and γ → 0 it is Newton&apos;s step and arrives at once). Lower the gradient&apos;s rate
            and its zig-zag goes, but it crawls; raise it past 0.75 and it diverges. Raise γ and (F + γI)⁻¹ approaches
            I/γ: the natural gradient turns into the plain gradient — what happens inside FishLeg once a model is
            confident and its Fisher falls below γ. Click the map to start both from another point.
          </p>
        </div>
      </div>
    </section>
  );
}
