/**
 * "Inside FishLeg": for one run and one small layer, the learned Q(λ) next to the true inverse damped
 * Fisher F_γ⁻¹ (and their difference) on one colour scale, the relative error and the auxiliary loss over
 * time, and short explanations of the Fisher, natural gradient, the Legendre–Fenchel view and the
 * auxiliary loss with typeset formulas (docs/fishleg.md §1, §5).
 */
import { useId, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { symmetricRange } from './colour.ts';
import { HeatMap } from './HeatMap.tsx';
import { cleanSeries, difference, formatValue, relativeError } from './series.ts';
import { Tex } from './Tex.tsx';
import type { InsideFishLegProps } from './types.ts';
import './views.css';

const fmt = (v: unknown): string => (typeof v === 'number' ? formatValue(v) : String(v));

function SmallChart<T extends { step: number }>({
  title,
  data,
  dataKey,
  colour,
  log,
}: {
  title: string;
  data: T[];
  dataKey: keyof T & string;
  colour: string;
  log: boolean;
}) {
  return (
    <figure className="views-small-chart">
      <figcaption className="views-title">{title}</figcaption>
      {data.length === 0 ? (
        <div className="views-empty">no data yet</div>
      ) : (
        <div className="views-small-chart-body" aria-label={`${title}: ${data.length} points`} role="img">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 6, right: 24, bottom: 4, left: 4 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis
                dataKey="step"
                type="number"
                domain={['dataMin', 'dataMax']}
                allowDecimals={false}
                tick={{ fontSize: 11 }}
              />
              <YAxis
                scale={log ? 'log' : 'linear'}
                domain={['auto', 'auto']}
                allowDataOverflow
                tickFormatter={fmt}
                tick={{ fontSize: 11 }}
                width={52}
              />
              <Tooltip formatter={fmt} labelFormatter={(s: unknown) => `step ${fmt(s)}`} />
              <Line dataKey={dataKey} stroke={colour} strokeWidth={2} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

/** The Inside-FishLeg view. */
export function InsideFishLeg(props: InsideFishLegProps) {
  const { runName, layer, q, fInv, errorHistory, auxLossHistory, damping, mapSize = 240, explanations = true } = props;
  const [stretch, setStretch] = useState(false);
  const stretchId = useId();
  const d = layer.m * (layer.n + 1);
  const sizeOk = (a: ArrayLike<number> | null): a is ArrayLike<number> => a !== null && a.length === d * d;
  const qOk = sizeOk(q) ? q : null;
  const fOk = sizeOk(fInv) ? fInv : null;
  const diff = useMemo(() => (qOk && fOk ? difference(qOk, fOk) : null), [qOk, fOk]);
  const range = symmetricRange(qOk ?? [], fOk ?? []);
  const current = qOk && fOk ? relativeError(qOk, fOk) : Number.NaN;
  const errors = useMemo(() => cleanSeries(errorHistory, (p) => p.relError), [errorHistory]);
  const aux = useMemo(() => cleanSeries(auxLossHistory, (p) => p.auxLoss), [auxLossHistory]);
  const gamma = stretch ? 0.5 : 1;
  const mapProps = { rows: d, cols: d, range, gamma, rowLabel: 'row i', colLabel: 'column j', size: mapSize };

  return (
    <section className="views-section views-inside" aria-label="Inside FishLeg">
      <header className="views-inside-head">
        <h3>
          Inside FishLeg — {runName || 'no run selected'}, layer {layer.index + 1} ({layer.m}×({layer.n}+1) ⇒ d = {d}{' '}
          parameters), γ = {formatValue(damping)}
        </h3>
        <p className="views-muted">
          Relative error now: <strong data-testid="inside-rel-error">{formatValue(current)}</strong>{' '}
          <Tex name="relError" />
        </p>
        <label htmlFor={stretchId} className="views-check">
          <input id={stretchId} type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} />
          stretch small entries (√ colour scale)
        </label>
      </header>
      {(q && !qOk) || (fInv && !fOk) ? (
        <p className="views-error" role="alert">
          Matrix size mismatch: expected {d}×{d} = {d * d} values for a {layer.m}×{layer.n + 1} layer, got Q{' '}
          {q?.length ?? 0} and F⁻¹ {fInv?.length ?? 0}.
        </p>
      ) : null}
      <div className="views-row">
        <HeatMap values={qOk} title="Q(λ), learned" {...mapProps} />
        <HeatMap values={fOk} title="(F + γI)⁻¹, exact" {...mapProps} />
        <HeatMap values={diff} title="Q − (F + γI)⁻¹" {...mapProps} />
      </div>
      <div className="views-row">
        <SmallChart
          title="relative error ‖Q − (F + γI)⁻¹‖ / ‖(F + γI)⁻¹‖"
          data={errors}
          dataKey="relError"
          colour="#7c3aed"
          log={errors.every((p) => p.relError > 0)}
        />
        <SmallChart title="auxiliary loss A(λ)" data={aux} dataKey="auxLoss" colour="#059669" log={false} />
      </div>
      {explanations && (
        <div className="views-explain">
          <div>
            <h4>The Fisher matrix</h4>
            <p>
              How much the model&apos;s predictions change when the parameters move: the covariance of the gradient of
              the negative log-likelihood ℓ when the targets are drawn from the model itself.
            </p>
            <Tex name="fisher" display />
          </div>
          <div>
            <h4>Natural gradient</h4>
            <p>
              Steps measured in how much the predicted distribution changes rather than in raw parameter units.
              Directions the loss barely depends on get long steps, sensitive ones short steps. The damping γ keeps the
              inverse finite.
            </p>
            <Tex name="natural" display />
          </div>
          <div>
            <h4>The Legendre–Fenchel view</h4>
            <p>
              Let H be the loss expected under the model&apos;s own predictions after a move δ. The best move against a
              linear pull u is the gradient of H&apos;s convex conjugate, and its slope at u = 0 is exactly the inverse
              Fisher:
            </p>
            <Tex name="h" display />
            <Tex name="legendre" display />
            <Tex name="legendreSlope" display />
            <p>
              FishLeg never inverts F: it fits a cheap structured matrix Q(λ) (Kronecker factors per layer) to that map,{' '}
              <Tex name="approx" />.
            </p>
          </div>
          <div>
            <h4>The auxiliary loss</h4>
            <p>
              λ is learned with Adam on the auxiliary loss, which needs only Fisher–vector products. For a quadratic H
              its minimiser is the inverse damped Fisher — which is why Q approaches the exact map above and A keeps
              falling:
            </p>
            <Tex name="aux" display />
            <Tex name="auxMin" display />
            <p className="views-muted">
              Logged as <Tex name="logged" />, so it tends to −½ ûᵀ(F + γI)⁻¹û for the unit gradient direction û.
            </p>
          </div>
        </div>
      )}
    </section>
  );
}
