/**
 * What an image classifier sees and learns, ConvNetJS-style: its first layer's filters as small images on one
 * scale symmetric around 0, one chosen test image's feature maps through every layer (channels as grey tiles,
 * flat layers as bars), and that image's class probabilities with the true class marked. The picker moves
 * among the task's fixed test images, whose activations the worker sends with each frame.
 */
import { useMemo, useState } from 'react';
import { parseHexOr, toHex } from './colour.ts';
import { legendGradient } from './heat-map.tsx';
import {
  channelPlane,
  filterPlanes,
  filterRange,
  filterRgba,
  normalisePlane,
  probabilityRows,
  stepExample,
  tileScale,
  type FilterSet,
  type MapShape,
} from './image-net.ts';
import { formatValue } from './numbers.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import { greyToRgba } from './raster.ts';
import type { ImageNetProps } from './types.ts';
import './views.css';

/** About this many CSS pixels on a filter tile's and a feature map's longer side. */
const FILTER_PX = 36;
const MAP_PX = 48;
const THUMB_PX = 32;
/** Units of a flat layer drawn as bars (wider layers show their first ones, and say so). */
const MAX_BARS = 64;

function Grey({
  values,
  shape,
  target,
  label,
}: {
  values: Float32Array;
  shape: MapShape;
  target: number;
  label: string;
}) {
  const { h, w } = shape;
  const rgba = useMemo(() => greyToRgba(values, w, h), [values, w, h]);
  const s = tileScale(h, w, target);
  return (
    <RasterCanvas
      rgba={rgba}
      pixelWidth={w}
      pixelHeight={h}
      width={w * s}
      height={h * s}
      label={label}
      className="views-canvas"
    />
  );
}

function Filters({ filters }: { filters: FilterSet }) {
  const planes = filterPlanes(filters);
  const range = filterRange(filters);
  const s = tileScale(filters.h, filters.w, FILTER_PX);
  return (
    <figure className="views-imagenet-block" data-testid="imagenet-filters">
      <figcaption>
        First-layer filters: {filters.count} × {filters.channels} channel{filters.channels > 1 ? 's' : ''} of{' '}
        {filters.h}×{filters.w}
      </figcaption>
      <div className="views-imagenet-tiles">
        {planes.map((p) => (
          <RasterCanvas
            key={`${p.filter}.${p.channel}`}
            rgba={filterRgba(p, filters.h, filters.w, range)}
            pixelWidth={filters.w}
            pixelHeight={filters.h}
            width={filters.w * s}
            height={filters.h * s}
            label={`filter ${p.filter + 1}${filters.channels > 1 ? `, input channel ${p.channel + 1}` : ''}`}
            className="views-canvas"
          />
        ))}
      </div>
      <div
        className="views-legend views-imagenet-legend"
        aria-label={`weights from ${formatValue(-range)} to ${formatValue(range)}`}
      >
        <div className="views-legend-bar" style={{ background: legendGradient(1) }} />
        <div className="views-legend-ticks">
          <span>{formatValue(-range)}</span>
          <span>0</span>
          <span>{formatValue(range)}</span>
        </div>
      </div>
    </figure>
  );
}

function FlatBars({ values, colour }: { values: Float32Array; colour: string }) {
  const shown = Math.min(values.length, MAX_BARS);
  let r = 0;
  for (let i = 0; i < shown; i++) if (Number.isFinite(values[i])) r = Math.max(r, Math.abs(values[i]!));
  const bw = 5;
  const h = 32;
  return (
    <svg
      width={shown * bw}
      height={h}
      className="views-imagenet-bars"
      role="img"
      aria-label={`${values.length} outputs`}
    >
      <line x1={0} x2={shown * bw} y1={h / 2} y2={h / 2} stroke="#ccc" />
      {Array.from({ length: shown }, (_, i) => {
        const v = Number.isFinite(values[i]) && r > 0 ? values[i]! / r : 0;
        const len = (Math.abs(v) * h) / 2;
        return <rect key={i} x={i * bw} y={v >= 0 ? h / 2 - len : h / 2} width={bw - 1} height={len} fill={colour} />;
      })}
    </svg>
  );
}

/** The filters, the picker, the chosen image's maps through the layers, and its class probabilities. */
export function ImageNet({ width, height, images, labels, classes, runs }: ImageNetProps) {
  const [at, setAt] = useState(0);
  const [runAt, setRunAt] = useState(0);
  const withData = runs.filter((r) => r.conv);
  const run = withData[Math.min(runAt, withData.length - 1)];
  const count = images.length;
  const i = Math.min(at, Math.max(0, count - 1));
  if (!run?.conv || count === 0) return <div className="views-empty views-empty-wide">No feature maps yet.</div>;
  const conv = run.conv;
  const truth = labels && i < labels.length ? labels[i]! : -1;
  const colour = toHex(parseHexOr(run.colour));
  const rows = probabilityRows(run.probs[i] ?? [], classes, truth);
  return (
    <section className="views-section views-imagenet" aria-label="Filters and feature maps">
      {withData.length > 1 && (
        <label className="views-muted">
          Run{' '}
          <select value={runAt} onChange={(e) => setRunAt(Number(e.target.value))} data-testid="imagenet-run">
            {withData.map((r, k) => (
              <option key={r.id} value={k}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {conv.filters && <Filters filters={conv.filters} />}
      <div className="views-imagenet-picker" data-testid="imagenet-picker">
        <button type="button" onClick={() => setAt(stepExample(i, -1, count))} aria-label="previous test image">
          ‹
        </button>
        <button type="button" onClick={() => setAt(stepExample(i, 1, count))} aria-label="next test image">
          ›
        </button>
        <button
          type="button"
          onClick={() => setAt(stepExample(i, 1 + Math.floor(Math.random() * Math.max(1, count - 1)), count))}
        >
          random
        </button>
        <span className="views-muted" data-testid="imagenet-example">
          test image {i + 1} of {count}
          {truth >= 0 ? `, class ${truth}` : ''}
        </span>
        <div className="views-imagenet-thumbs">
          {images.map((img, k) => (
            <button
              key={k}
              type="button"
              className={k === i ? 'views-imagenet-thumb is-on' : 'views-imagenet-thumb'}
              aria-pressed={k === i}
              aria-label={`test image ${k + 1}`}
              onClick={() => setAt(k)}
            >
              <Grey
                values={img}
                shape={{ h: height, w: width, c: 1 }}
                target={THUMB_PX}
                label={`test image ${k + 1}`}
              />
            </button>
          ))}
        </div>
      </div>
      <div className="views-imagenet-layers" data-testid="imagenet-maps">
        <figure className="views-imagenet-block">
          <figcaption>
            input {conv.input.c}×{conv.input.h}×{conv.input.w}
          </figcaption>
          <Grey values={images[i]!} shape={{ h: height, w: width, c: 1 }} target={MAP_PX} label="the input image" />
        </figure>
        {conv.layers.map((l, li) => {
          const v = l.values[i];
          if (!v) return null;
          const maps = l.maps;
          return (
            <figure key={li} className="views-imagenet-block">
              <figcaption>
                {li + 1}. {l.label}
                {!maps && v.length > MAX_BARS ? ` (first ${MAX_BARS} of ${v.length})` : ''}
              </figcaption>
              {maps ? (
                <div className="views-imagenet-tiles">
                  {Array.from({ length: maps.c }, (_, ch) => (
                    <Grey
                      key={ch}
                      values={normalisePlane(channelPlane(v, maps, ch)).values}
                      shape={maps}
                      target={MAP_PX}
                      label={`layer ${li + 1}, channel ${ch + 1}`}
                    />
                  ))}
                </div>
              ) : (
                <FlatBars values={v} colour={colour} />
              )}
            </figure>
          );
        })}
      </div>
      <figure className="views-imagenet-block" data-testid="imagenet-probs">
        <figcaption>Class probabilities ({run.name})</figcaption>
        <ul className="views-imagenet-probs">
          {rows.map((r) => (
            <li key={r.k} className={r.truth ? 'is-truth' : undefined}>
              <span className="views-imagenet-class">
                {r.k}
                {r.truth ? ' (true)' : ''}
              </span>
              <span className="views-imagenet-track">
                <span style={{ width: `${100 * r.p}%`, background: colour }} />
              </span>
              <span className="views-imagenet-p">{(100 * r.p).toFixed(r.p < 0.995 && r.p > 0.005 ? 0 : 1)}%</span>
            </li>
          ))}
        </ul>
      </figure>
    </section>
  );
}
