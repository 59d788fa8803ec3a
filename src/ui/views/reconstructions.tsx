/**
 * Autoencoder reconstructions: the original images in the first row and, below, each run's reconstruction
 * of the same images, with the row's mean squared error, so runs can be compared at a glance.
 */
import { useMemo } from 'react';
import { parseHexOr, toHex } from './colour.ts';
import { RasterCanvas } from './raster-canvas.tsx';
import { greyToRgba, hasFinite } from './raster.ts';
import { formatValue } from './numbers.ts';
import type { ReconstructionsProps } from './types.ts';
import './views.css';

const GAP = 1; // image pixels between tiles

/** RGBA strip of `images` side by side (gap columns left white). */
export function tileRow(images: readonly Float32Array[], w: number, h: number, logits: boolean): Uint8ClampedArray {
  const stripW = images.length * (w + GAP) - GAP;
  const out = new Uint8ClampedArray(Math.max(0, stripW) * h * 4).fill(255);
  images.forEach((img, k) => {
    const px = greyToRgba(img, w, h, logits);
    for (let y = 0; y < h; y++) out.set(px.subarray(y * w * 4, (y + 1) * w * 4), (y * stripW + k * (w + GAP)) * 4);
  });
  return out;
}

/** Mean squared error between reconstructions (probabilities) and originals over all finite pixels. */
export function meanSquaredError(
  recon: readonly Float32Array[],
  originals: readonly Float32Array[],
  logits: boolean,
): number {
  let s = 0;
  let n = 0;
  for (let k = 0; k < Math.min(recon.length, originals.length); k++) {
    const r = recon[k]!;
    const o = originals[k]!;
    for (let i = 0; i < Math.min(r.length, o.length); i++) {
      const p = logits ? 1 / (1 + Math.exp(-r[i]!)) : r[i]!;
      const d = p - o[i]!;
      if (Number.isFinite(d)) {
        s += d * d;
        n++;
      }
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

function Row({
  label,
  colour,
  images,
  w,
  h,
  logits,
  scale,
  note,
}: {
  label: string;
  colour: string | null;
  images: readonly Float32Array[];
  w: number;
  h: number;
  logits: boolean;
  scale: number;
  note?: string;
}) {
  const rgba = useMemo(() => tileRow(images, w, h, logits), [images, w, h, logits]);
  const ready = images.length > 0 && images.some((im) => hasFinite(im));
  const stripW = images.length * (w + GAP) - GAP;
  return (
    <tr>
      <th scope="row">
        {colour && <span className="views-swatch" style={{ background: toHex(parseHexOr(colour)) }} />}
        {label}
        {note && <div className="views-muted">{note}</div>}
      </th>
      <td>
        {ready ? (
          <RasterCanvas
            rgba={rgba}
            pixelWidth={stripW}
            pixelHeight={h}
            width={stripW * scale}
            height={h * scale}
            label={`${label}: ${images.length} images of ${w}×${h} pixels`}
            className="views-canvas"
          />
        ) : (
          <div className="views-empty" style={{ width: stripW * scale, height: h * scale }}>
            no data yet
          </div>
        )}
      </td>
    </tr>
  );
}

/** Originals above each run's reconstructions. */
export function Reconstructions({ width, height, originals, runs, logits = false, scale = 3 }: ReconstructionsProps) {
  const valid = (ims: readonly Float32Array[]): Float32Array[] => ims.filter((im) => im.length === width * height);
  if (!(width > 0 && height > 0) || valid(originals).length === 0) {
    return <div className="views-empty views-empty-wide">No images to reconstruct yet.</div>;
  }
  const orig = valid(originals);
  return (
    <section className="views-section views-scroll-x" aria-label="Reconstructions">
      <table className="views-recon">
        <tbody>
          <Row label="original" colour={null} images={orig} w={width} h={height} logits={false} scale={scale} />
          {runs.map((r) => {
            const mse = meanSquaredError(r.recon, orig, logits);
            return (
              <Row
                key={r.id}
                label={r.name}
                colour={r.colour}
                images={valid(r.recon).slice(0, orig.length)}
                w={width}
                h={height}
                logits={logits}
                scale={scale}
                note={Number.isFinite(mse) ? `MSE ${formatValue(mse)}` : undefined}
              />
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
