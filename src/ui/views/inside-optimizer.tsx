/**
 * "Inside FishLeg": for one run and one small layer, how good FishLeg's step is — the cosine between its
 * preconditioned gradient Q·g and the exact natural gradient (F + γI)⁻¹g, next to the plain gradient's — the
 * auxiliary loss against its optimum, Q's spectrum in the Fisher's eigenbasis against 1/(λ + γ), and, for blocks
 * small enough, Q next to the exact (F + γI)⁻¹ as heat maps with their relative error. The explanations
 * (inside-explanations.tsx) say when each of these means what (docs/fishleg.md §1, §5).
 */
import { useId, useMemo, useState } from 'react';
import { symmetricRange } from './colour.ts';
import { HeatMap } from './heat-map.tsx';
import { InsideExplanations } from './inside-explanations.tsx';
import { LinesChart } from './lines-chart.tsx';
import { QHelpingSentence } from './q-helping-sentence.tsx';
import { cleanSeries } from '../downsample.ts';
import { difference, formatValue } from './numbers.ts';
import { auxEfficiency } from './spectrum.ts';
import { SpectrumChart } from './spectrum-chart.tsx';
import { Tex } from './tex-formula.tsx';
import type { InsideComparison, InsideFishLegProps, InsideMeasures } from './types.ts';
import './views.css';

const FISHLEG = '#7c3aed';
const NO_COMPARISONS: readonly InsideComparison[] = [];

const frobenius = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
};
const scaled = (a: ArrayLike<number>, k: number): Float64Array => Float64Array.from(a, (v) => v * k);
const GRADIENT = '#6b7280';

/** The headline: which way the step points, and how long it is, against the exact natural gradient. */
function Headline({ m, rows }: { m: InsideMeasures | null; rows: number | undefined }) {
  if (!m) {
    return (
      <p className="views-headline views-muted" data-testid="inside-headline">
        The step measures appear after the first training step (they need a gradient).
      </p>
    );
  }
  const eff = auxEfficiency(m.auxLoss, m.auxOptimum);
  return (
    <div className="views-headline" data-testid="inside-headline">
      <p>
        Direction of FishLeg&apos;s step on this layer: <Tex name="cosine" /> ={' '}
        <strong data-testid="inside-cos-fishleg">{formatValue(m.cosFishLeg)}</strong>; the plain gradient g (SGD&apos;s
        direction): <strong data-testid="inside-cos-gradient">{formatValue(m.cosGradient)}</strong>. 1 = exactly the
        natural gradient.
      </p>
      <p className="views-muted">
        Step length ‖Qg‖ / ‖(F + γI)⁻¹g‖ = {formatValue(m.lengthRatio)}. Auxiliary loss A = {formatValue(m.auxLoss)}{' '}
        against its optimum A* = {formatValue(m.auxOptimum)}
        {Number.isFinite(eff)
          ? eff < 0
            ? ' (above 0: along this gradient Q does worse than no step at all, Q = 0)'
            : ` (Q gets ${formatValue(100 * eff)} % of the best possible reduction)`
          : ''}
        .
        {m.whole
          ? ` Against the whole model's natural gradient (all layers' Fisher, cross terms included): FishLeg's whole step ${formatValue(m.whole.cosFishLeg)}, the plain gradient ${formatValue(m.whole.cosGradient)}; this layer's part of it ${formatValue(m.whole.layerCosFishLeg)} and ${formatValue(m.whole.layerCosGradient)}.`
          : ''}
        {rows !== undefined ? ` Exact Fisher on ${rows} training rows.` : ''}
      </p>
    </div>
  );
}

/** The Inside-FishLeg view. */
export function InsideFishLeg(props: InsideFishLegProps) {
  const { runName, layer, q, fInv, errorHistory, auxLossHistory, damping, mapSize = 240, explanations = true } = props;
  const { measures = null, measureHistory = [], fisherRows, relError = null, comparisons = NO_COMPARISONS } = props;
  const { control = null, qFrozen = false, beyond } = props;
  const [stretch, setStretch] = useState(false);
  const stretchId = useId();
  const d = layer.size;
  const sizeOk = (a: ArrayLike<number> | null): a is ArrayLike<number> => a !== null && a.length === d * d;
  const qOk = sizeOk(q) ? q : null;
  const fOk = sizeOk(fInv) ? fInv : null;
  const diff = useMemo(() => (qOk && fOk ? difference(qOk, fOk) : null), [qOk, fOk]);
  // The worker's figure (views-data.ts), computed once on the matrices themselves.
  const current = qOk && fOk && relError !== null ? relError : Number.NaN;
  const others = useMemo(
    () => comparisons.filter((c) => c.matrix.length === d * d && c.exact.length === d * d),
    [comparisons, d],
  );
  const range = symmetricRange(qOk ?? [], fOk ?? []);
  // Side by side, every matrix in units of the Frobenius norm of the exact inverse it approximates: runs damp by
  // different γ (K-FAC's 1e-3 against FishLeg's 0.3 gives entries 100× larger), and one colour scale over raw
  // entries would leave all but the largest blank.
  const side = useMemo(() => {
    if (!qOk || !fOk || others.length === 0) return null;
    const pairs = [
      {
        key: 'fishleg',
        title: `FishLeg Q, rel. error ${formatValue(current)}`,
        m: qOk,
        exact: fOk,
        exactTitle: `FishLeg: exact (F + γI)⁻¹, γ = ${formatValue(damping)}`,
      },
      ...others.map((c) => ({
        key: c.runName,
        title: `${c.runName}: ${c.label}, rel. error ${formatValue(c.relError)}`,
        m: c.matrix,
        exact: c.exact,
        exactTitle: `${c.runName}: exact (F + γI)⁻¹, γ = ${formatValue(c.damping)}`,
      })),
    ].map((p) => {
      const n = frobenius(p.exact) || 1;
      return { ...p, m: scaled(p.m, 1 / n), exact: scaled(p.exact, 1 / n) };
    });
    return { pairs, range: symmetricRange(...pairs.flatMap((p) => [p.m, p.exact])) };
  }, [qOk, fOk, others, current, damping]);
  const errors = useMemo(() => cleanSeries(errorHistory, (p) => p.relError), [errorHistory]);
  const aux = useMemo(() => cleanSeries(auxLossHistory, (p) => p.auxLoss), [auxLossHistory]);
  const history = useMemo(() => cleanSeries(measureHistory, (p) => p.cosFishLeg), [measureHistory]);
  const whole = history.some((p) => p.wholeCosFishLeg !== null);
  // Cosines live in [−1, 1]; show from 0 unless a step pointed backwards.
  const lowest = Math.min(0, ...history.flatMap((p) => [p.cosFishLeg, p.cosGradient]));
  const cosDomain: [number, number] = [Math.floor(lowest * 10) / 10, 1];
  const heatMaps = q !== null || fInv !== null;
  const gamma = stretch ? 0.5 : 1;
  const mapProps = { rows: d, cols: d, range, gamma, rowLabel: 'row i', colLabel: 'column j', size: mapSize };

  return (
    <section className="views-section views-inside" aria-label="Inside FishLeg">
      <header className="views-inside-head">
        <h3>
          {others.length > 0 ? 'Inside the optimizers' : 'Inside FishLeg'} — {runName || 'no run selected'}, layer{' '}
          {layer.index + 1} ({layer.label} ⇒ d = {d} parameters), γ = {formatValue(damping)}
        </h3>
        {beyond === undefined ? (
          <>
            <QHelpingSentence measures={measures} control={control} qFrozen={qFrozen} />
            <Headline m={measures} rows={fisherRows} />
          </>
        ) : (
          <p className="views-headline views-muted" data-testid="inside-headline">
            No step measures for this layer: {beyond}. Pick a smaller layer to see them.
          </p>
        )}
        {heatMaps && (
          <p className="views-muted">
            Relative error now: <strong data-testid="inside-rel-error">{formatValue(current)}</strong>{' '}
            <Tex name="relError" /> — read it with the spectrum below: once F is far below γ it mostly measures
            directions the step never uses.
          </p>
        )}
      </header>
      {(q && !qOk) || (fInv && !fOk) ? (
        <p className="views-error" role="alert">
          Matrix size mismatch: expected {d}×{d} = {d * d} values for a {layer.label} layer, got Q {q?.length ?? 0} and
          F⁻¹ {fInv?.length ?? 0}.
        </p>
      ) : null}
      <div className="views-row">
        {beyond === undefined && (
          <>
            <LinesChart
              title="direction: cosine with the exact natural gradient"
              data={history}
              domain={cosDomain}
              series={[
                { key: 'cosFishLeg', name: 'FishLeg Q·g, this layer', colour: FISHLEG },
                { key: 'cosGradient', name: 'plain gradient g, this layer', colour: GRADIENT },
                ...(whole
                  ? [
                      { key: 'wholeCosFishLeg' as const, name: 'FishLeg, whole model', colour: FISHLEG, dashed: true },
                      {
                        key: 'wholeCosGradient' as const,
                        name: 'plain gradient, whole model',
                        colour: GRADIENT,
                        dashed: true,
                      },
                    ]
                  : []),
              ]}
            />
            <LinesChart
              title="auxiliary loss on this layer: A at the current Q and its optimum A*"
              data={history}
              series={[
                { key: 'auxLoss', name: 'A(Q)', colour: '#059669' },
                { key: 'auxOptimum', name: 'A* (Q = (F + γI)⁻¹)', colour: '#111827', dashed: true },
              ]}
            />
          </>
        )}
        {heatMaps && (
          <LinesChart
            title="relative error ‖Q − (F + γI)⁻¹‖ / ‖(F + γI)⁻¹‖"
            data={errors}
            series={[{ key: 'relError', name: 'relative error', colour: '#b45309' }]}
            log={errors.every((p) => p.relError > 0)}
          />
        )}
        <LinesChart
          title="auxiliary loss logged while training (whole model, random batches)"
          data={aux}
          series={[{ key: 'auxLoss', name: 'logged A', colour: '#0f766e' }]}
        />
      </div>
      <div className="views-row">
        {beyond === undefined && (
          <SpectrumChart spectrum={measures?.spectrum ?? null} damping={damping} size={mapSize} />
        )}
        {heatMaps && (
          <>
            <HeatMap values={qOk} title="Q(λ), learned" {...mapProps} />
            <HeatMap values={fOk} title="(F + γI)⁻¹, exact" {...mapProps} />
            <HeatMap values={diff} title="Q − (F + γI)⁻¹" {...mapProps} />
            <label htmlFor={stretchId} className="views-check">
              <input id={stretchId} type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} />
              stretch small entries (√ colour scale)
            </label>
          </>
        )}
      </div>
      {heatMaps && side && (
        <div data-testid="inside-compare">
          <p className="views-muted">
            The same layer&apos;s preconditioner in each run next to the exact (F + γI)⁻¹ it approximates (that
            run&apos;s weights and γ), each pair divided by ‖(F + γI)⁻¹‖ so that one colour scale serves all; the
            relative error is the same measure for every run.
          </p>
          {side.pairs.map((p) => (
            <div className="views-row" key={p.key}>
              <HeatMap {...mapProps} values={p.m} title={p.title} range={side.range} />
              <HeatMap {...mapProps} values={p.exact} title={p.exactTitle} range={side.range} />
            </div>
          ))}
        </div>
      )}
      {explanations && <InsideExplanations />}
    </section>
  );
}
