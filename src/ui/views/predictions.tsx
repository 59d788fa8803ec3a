/**
 * Classification predictions: each digit with, per run, the predicted class and its probability, plus a
 * small bar chart of all class probabilities (the true class's bar outlined), and a tick or cross when the
 * true label is known.
 */
import { useMemo } from 'react';
import { parseHexOr, toHex } from './colour.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import { argmax, greyToRgba, hasFinite } from './raster.ts';
import type { PredictionsProps } from './types.ts';
import './views.css';

const BAR_W = 6;
const BAR_H = 22;

function Bars({
  probs,
  classes,
  colour,
  truth,
}: {
  probs: Float32Array;
  classes: number;
  colour: string;
  truth: number;
}) {
  return (
    <svg width={classes * (BAR_W + 1)} height={BAR_H} aria-hidden="true" className="views-bars">
      {Array.from({ length: classes }, (_, k) => {
        const p = Math.min(1, Math.max(0, Number.isFinite(probs[k]) ? probs[k]! : 0));
        return (
          <g key={k}>
            <rect x={k * (BAR_W + 1)} y={0} width={BAR_W} height={BAR_H} fill="#f1f3f5" />
            <rect x={k * (BAR_W + 1)} y={BAR_H * (1 - p)} width={BAR_W} height={BAR_H * p} fill={colour} />
            {k === truth && (
              <rect x={k * (BAR_W + 1) + 0.5} y={0.5} width={BAR_W - 1} height={BAR_H - 1} fill="none" stroke="#111" />
            )}
          </g>
        );
      })}
    </svg>
  );
}

function Digit({
  image,
  w,
  h,
  scale,
  label,
}: {
  image: Float32Array;
  w: number;
  h: number;
  scale: number;
  label: string;
}) {
  const rgba = useMemo(() => greyToRgba(image, w, h), [image, w, h]);
  return (
    <RasterCanvas
      rgba={rgba}
      pixelWidth={w}
      pixelHeight={h}
      width={w * scale}
      height={h * scale}
      label={label}
      className="views-canvas"
    />
  );
}

/** One card per image. */
export function Predictions({ width, height, images, labels, classes, runs, scale = 2 }: PredictionsProps) {
  const shown = images.filter((im) => im.length === width * height);
  if (shown.length === 0 || !(classes > 0))
    return <div className="views-empty views-empty-wide">No predictions yet.</div>;
  return (
    <section className="views-section" aria-label="Predictions">
      <ul className="views-predictions">
        {images.map((img, i) => {
          if (img.length !== width * height) return null;
          const truth = labels && i < labels.length ? labels[i]! : -1;
          return (
            <li key={i} className="views-card">
              <Digit
                image={img}
                w={width}
                h={height}
                scale={scale}
                label={`image ${i + 1}${truth >= 0 ? `, a ${truth}` : ''}`}
              />
              {truth >= 0 && <div className="views-muted">true {truth}</div>}
              {runs.map((r) => {
                const p = r.probs[i];
                const colour = toHex(parseHexOr(r.colour));
                if (!p || p.length < classes || !hasFinite(p)) {
                  return (
                    <div key={r.id} className="views-pred views-muted">
                      <span className="views-swatch" style={{ background: colour }} /> –
                    </div>
                  );
                }
                const k = argmax(p, 0, classes);
                const right = truth < 0 ? null : k === truth;
                return (
                  <div
                    key={r.id}
                    className="views-pred"
                    title={`${r.name}: predicts ${k} with probability ${(100 * p[k]!).toFixed(0)}%`}
                  >
                    <span className="views-swatch" style={{ background: colour }} />
                    <span className={right === false ? 'views-wrong' : undefined}>
                      {k} <small>{(100 * p[k]!).toFixed(0)}%</small>
                      {right !== null && <span aria-label={right ? 'right' : 'wrong'}>{right ? ' ✓' : ' ✗'}</span>}
                    </span>
                    <Bars probs={p} classes={classes} colour={colour} truth={truth} />
                  </div>
                );
              })}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
