/**
 * Q in the eigenbasis of the layer's Fisher: for each eigen-direction u of F_l, Q's value uᵀQu (up) against the
 * exact (F_l + γI)⁻¹ value 1/(λ + γ) (across), on log axes with the diagonal where the two agree. Dot area is
 * the gradient's share along u, so the dots that matter for the step are the big ones; the diamond stands for
 * every direction not listed (their means). A small SVG rather than recharts: recharts' log scatter cannot draw
 * the diagonal across the whole square.
 */
import { formatValue } from './numbers.ts';
import { decadeExtent, decadeTicks, spectrumPoints } from './spectrum.ts';
import type { InsideSpectrum } from './types.ts';
import './views.css';

const PAD = { left: 46, right: 10, top: 8, bottom: 34 };

/** Props of `SpectrumChart`. */
export interface SpectrumChartProps {
  spectrum: InsideSpectrum | null;
  damping: number;
  /** Plot side in CSS pixels (default 240). */
  size?: number;
}

export function SpectrumChart({ spectrum, damping, size = 240 }: SpectrumChartProps) {
  const title = 'Q along the eigen-directions of F';
  const points = spectrum ? spectrumPoints(spectrum, damping) : [];
  if (points.length === 0) {
    return (
      <figure className="views-small-chart views-spectrum">
        <figcaption className="views-title">{title}</figcaption>
        <div className="views-empty">no data yet</div>
      </figure>
    );
  }
  // One extent for both axes, so the diagonal runs corner to corner at 45°.
  const [lo, hi] = decadeExtent([...points.flatMap((p) => [p.target, p.q]), 1 / damping]);
  const ticks = decadeTicks(lo, hi);
  const w = size + PAD.left + PAD.right;
  const h = size + PAD.top + PAD.bottom;
  const pos = (v: number) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  const x = (v: number) => PAD.left + size * pos(v);
  const y = (v: number) => PAD.top + size * (1 - pos(v));
  const onDiagonal = points.filter((p) => !p.rest && Math.abs(Math.log10(p.q / p.target)) < Math.log10(2));
  const weight = points.filter((p) => !p.rest).reduce((s, p) => s + p.share, 0);
  const label =
    `${title}: ${points.length} points; ${onDiagonal.length} within a factor 2 of the exact value, ` +
    `carrying ${formatValue(100 * onDiagonal.reduce((s, p) => s + p.share, 0))} % of the gradient ` +
    `(listed directions carry ${formatValue(100 * weight)} %).`;
  return (
    <figure className="views-small-chart views-spectrum">
      <figcaption className="views-title">{title}</figcaption>
      <svg width={w} height={h} role="img" aria-label={label} className="views-spectrum-svg">
        <rect x={PAD.left} y={PAD.top} width={size} height={size} className="views-spectrum-frame" />
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={PAD.top} y2={PAD.top + size} className="views-spectrum-grid" />
            <line x1={PAD.left} x2={PAD.left + size} y1={y(t)} y2={y(t)} className="views-spectrum-grid" />
            <text x={x(t)} y={PAD.top + size + 13} textAnchor="middle" className="views-spectrum-tick">
              {formatValue(t)}
            </text>
            <text x={PAD.left - 4} y={y(t) + 4} textAnchor="end" className="views-spectrum-tick">
              {formatValue(t)}
            </text>
          </g>
        ))}
        <line x1={x(lo)} y1={y(lo)} x2={x(hi)} y2={y(hi)} className="views-spectrum-diagonal" />
        <line
          x1={x(1 / damping)}
          x2={x(1 / damping)}
          y1={PAD.top}
          y2={PAD.top + size}
          className="views-spectrum-gamma"
        />
        {points.map((p, i) => {
          const r = 2.5 + 9 * Math.sqrt(p.share);
          const cx = x(p.target);
          const cy = y(p.q);
          return p.rest ? (
            <path
              key={i}
              d={`M${cx},${cy - r - 2}L${cx + r + 2},${cy}L${cx},${cy + r + 2}L${cx - r - 2},${cy}Z`}
              className="views-spectrum-rest"
            >
              <title>{`other directions: mean uᵀQu ${formatValue(p.q)}, mean exact ${formatValue(p.target)}, gradient share ${formatValue(100 * p.share)} %`}</title>
            </path>
          ) : (
            <circle key={i} cx={cx} cy={cy} r={r} className="views-spectrum-dot">
              <title>{`uᵀQu ${formatValue(p.q)}, exact 1/(λ+γ) ${formatValue(p.target)}, gradient share ${formatValue(100 * p.share)} %`}</title>
            </circle>
          );
        })}
        <text x={PAD.left + size / 2} y={h - 4} textAnchor="middle" className="views-spectrum-axis">
          exact 1/(λ + γ) (dashed: 1/γ)
        </text>
        <text
          x={12}
          y={PAD.top + size / 2}
          textAnchor="middle"
          transform={`rotate(-90 12 ${PAD.top + size / 2})`}
          className="views-spectrum-axis"
        >
          Q: uᵀQu
        </text>
      </svg>
    </figure>
  );
}
