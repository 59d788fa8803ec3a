/**
 * The network of a 2D task, as TF Playground draws it: every unit a small heat map of its value over the input
 * plane (inputs x₁ and x₂, each hidden unit's activation, each output's class probability or, for a regression
 * toy, its predicted value), edges coloured by the
 * weight's sign and sized by its magnitude. Hover (or tap) a unit to see it large. One run at a time, chosen with a
 * selector; layers wider than the worker draws (MAX_NETWORK_UNITS) show their first units and say how many more.
 * Cheap by construction: one canvas for the edges, one 40×40 canvas per unit, redrawn when a frame arrives.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { parseHexOr, toHex } from './colour.ts';
import {
  edgeStyle,
  fieldToRgba,
  NET,
  networkLayout,
  networkProblem,
  inputLabel,
  unitField,
  type UnitPlace,
} from './network.ts';
import { legendGradient } from './heat-map.tsx';
import { formatValue } from './numbers.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import type { NetworkData, NetworkDiagramProps, ProbabilityGrid } from './types.ts';
import './views.css';

const pct = (v: number, of: number) => `${(100 * v) / of}%`;

/** A unit's heat map at the grid's own resolution; CSS scales it. */
function UnitCanvas({ rgba, size, label }: { rgba: Uint8ClampedArray; size: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), size, size), 0, 0);
  }, [rgba, size]);
  return <canvas ref={ref} width={size} height={size} role="img" aria-label={label} className="views-net-canvas" />;
}

/** A column's title in two short lines (a phone's columns are narrow). */
function columnTitle(net: NetworkData, col: number): [string, string] {
  const last = net.shown.length - 1;
  if (col === 0) return ['inputs', `${net.widths[0]}`];
  if (col === last) return ['outputs', `${net.widths[last]}`];
  return [`layer ${col}`, `${net.widths[col]} ${net.acts[col - 1] ?? ''}`];
}

function unitName(net: NetworkData, col: number, unit: number, regression: boolean): string {
  const last = net.shown.length - 1;
  if (col === 0) return `input ${inputLabel(net, unit)}`;
  if (col === last && regression) return net.widths[last] === 1 ? 'output: predicted value' : `output ${unit + 1}`;
  if (col === last) return net.widths[last] === 1 ? 'output: probability of class 1' : `output: class ${unit}`;
  return `layer ${col} (${net.acts[col - 1] ?? ''}), unit ${unit + 1}`;
}

function Diagram({
  net,
  grid,
  classes,
  largeSize,
  valueRange,
}: {
  net: NetworkData;
  grid: ProbabilityGrid;
  classes: number;
  largeSize: number;
  valueRange: number | undefined;
}) {
  const regression = valueRange !== undefined;
  const name = (col: number, unit: number) => unitName(net, col, unit, regression);
  const [focus, setFocus] = useState<{ col: number; unit: number } | null>(null);
  const { width, height, units } = useMemo(() => networkLayout(net.shown), [net.shown]);
  const fields = useMemo(
    () =>
      units.map((col) =>
        col.map((u) => {
          const f = unitField(net, grid, classes, u.col, u.unit, valueRange);
          return { ...f, rgba: fieldToRgba(f.values, grid.size, f.range) };
        }),
      ),
    [units, net, grid, classes, valueRange],
  );
  const edges = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = edges.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = Math.max(1, Math.min(2, window.devicePixelRatio || 1));
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    let maxAbs = 0;
    for (const w of net.weights) for (const v of w) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
    net.weights.forEach((w, l) => {
      const from = units[l]!;
      const to = units[l + 1]!;
      to.forEach((b, i) =>
        from.forEach((a, j) => {
          const s = edgeStyle(w[i * from.length + j]!, maxAbs);
          ctx.globalAlpha = s.alpha;
          ctx.strokeStyle = s.colour;
          ctx.lineWidth = s.width;
          ctx.beginPath();
          ctx.moveTo(a.cx + NET.node / 2, a.cy);
          ctx.lineTo(b.cx - NET.node / 2, b.cy);
          ctx.stroke();
        }),
      );
    });
    ctx.globalAlpha = 1;
  }, [net.weights, units, width, height]);

  const focused = focus && fields[focus.col]?.[focus.unit] ? focus : null;
  const big = focused ? fields[focused.col]![focused.unit]! : null;
  const unitBox = (u: UnitPlace) => ({
    left: pct(u.cx - NET.node / 2, width),
    top: pct(u.cy - NET.node / 2, height),
    width: pct(NET.node, width),
    height: pct(NET.node, height),
  });
  const hiddenCut = net.shown.some((s, i) => s < net.widths[i]!);
  return (
    <div className="views-net">
      <div className="views-net-box" style={{ maxWidth: width, aspectRatio: `${width} / ${height}` }}>
        <canvas ref={edges} className="views-net-edges" aria-hidden="true" />
        {net.shown.map((_, c) => (
          <div
            key={`t${c}`}
            className="views-net-col-title"
            style={{ left: pct(c * NET.colW, width), width: pct(NET.colW, width), top: 0 }}
          >
            {columnTitle(net, c)[0]}
            <br />
            {columnTitle(net, c)[1]}
          </div>
        ))}
        {net.shown.map((_, c) =>
          net.widths[c]! > net.shown[c]! ? (
            <div
              key={`m${c}`}
              className="views-net-more"
              data-testid="network-more"
              style={{ left: pct(c * NET.colW, width), width: pct(NET.colW, width), bottom: 0 }}
            >
              +{net.widths[c]! - net.shown[c]!} more
            </div>
          ) : null,
        )}
        {(units[0] ?? []).map((u) => (
          // TF Playground names each input beside it: with features the inputs are no longer just x₁ and x₂.
          <div
            key={`in${u.unit}`}
            className="views-net-input-label"
            data-testid="network-input-label"
            style={{ left: 0, width: pct(u.cx - NET.node / 2, width), top: pct(u.cy, height) }}
          >
            {inputLabel(net, u.unit)}
          </div>
        ))}
        {units.flatMap((col) =>
          col.map((u) => (
            <button
              key={`${u.col}.${u.unit}`}
              type="button"
              className={`views-net-unit${focused?.col === u.col && focused.unit === u.unit ? ' focused' : ''}`}
              data-testid="network-unit"
              data-col={u.col}
              data-unit={u.unit}
              style={unitBox(u)}
              aria-label={`show ${name(u.col, u.unit)} large`}
              onPointerEnter={(e) => e.pointerType === 'mouse' && setFocus({ col: u.col, unit: u.unit })}
              onFocus={() => setFocus({ col: u.col, unit: u.unit })}
              onClick={() => setFocus({ col: u.col, unit: u.unit })}
            >
              <UnitCanvas
                rgba={fields[u.col]![u.unit]!.rgba}
                size={grid.size}
                label={`${name(u.col, u.unit)} over the input plane`}
              />
            </button>
          )),
        )}
      </div>
      <div className="views-net-side">
        {big && focused ? (
          <figure
            className="views-net-large"
            data-testid="network-large"
            data-col={focused.col}
            data-unit={focused.unit}
          >
            <figcaption className="views-title">{name(focused.col, focused.unit)}</figcaption>
            <RasterCanvas
              rgba={big.rgba}
              pixelWidth={grid.size}
              pixelHeight={grid.size}
              width={largeSize}
              height={largeSize}
              smooth
              label={`${name(focused.col, focused.unit)} over the input plane, enlarged`}
              className="views-canvas"
            />
          </figure>
        ) : (
          <p className="views-muted" data-testid="network-hint">
            Hover or tap a unit to see it large.
          </p>
        )}
        <p className="views-muted views-net-key">
          {regression
            ? 'Each square is a unit’s value over the plane (red > 0, blue < 0; the output: the predicted value, on the scale below). '
            : 'Each square is a unit’s value over the plane (red > 0, blue < 0; outputs: likely / unlikely). '}
          Edges: red positive, blue negative weights, thicker = larger.
          {hiddenCut ? ' Wide layers show their first units only.' : ''}
        </p>
        {valueRange !== undefined && (
          <div className="views-legend" style={{ width: 160 }} aria-hidden="true" data-testid="network-legend">
            <div className="views-legend-bar" style={{ background: legendGradient(1) }} />
            <div className="views-legend-ticks">
              {[-1, 0, 1].map((t) => (
                <span key={t}>{formatValue(t * valueRange)}</span>
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** The network diagram of one run, with a run selector. */
export function NetworkDiagram({ runs, classes, largeSize = 200, valueRange }: NetworkDiagramProps) {
  const [chosen, setChosen] = useState<string | null>(null);
  if (runs.length === 0) return <div className="views-empty views-empty-wide">No runs to show yet.</div>;
  const run = runs.find((r) => r.id === chosen) ?? runs[0]!;
  const problem = networkProblem(run.grid?.network, run.grid, classes);
  return (
    <section className="views-section" aria-label="Network" data-testid="network-diagram">
      <label className="views-net-pick">
        <span className="views-swatch" style={{ background: toHex(parseHexOr(run.colour)) }} />
        <span>Run</span>
        <select data-testid="network-run" value={run.id} onChange={(e) => setChosen(e.target.value)}>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {problem !== null || !run.grid?.network ? (
        <div className="views-empty views-empty-wide">{problem ?? 'no data yet'}</div>
      ) : (
        <Diagram
          net={run.grid.network}
          grid={run.grid}
          classes={classes}
          largeSize={largeSize}
          valueRange={valueRange}
        />
      )}
    </section>
  );
}
