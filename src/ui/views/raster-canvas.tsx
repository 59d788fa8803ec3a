/**
 * A canvas that shows an RGBA pixel buffer scaled to a CSS size (crisp or smoothed), sharp on high-DPI
 * screens, with an optional overlay drawn on top in CSS pixels (data points, contour lines, paths).
 */
import { useEffect, useRef } from 'react';

/** Draws extra marks over the raster; coordinates are CSS pixels of the canvas. */
export type Overlay = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;

/** Props of `RasterCanvas`. */
export interface RasterCanvasProps {
  /** pixelWidth×pixelHeight×4 bytes, row 0 at the top; null draws only the overlay on white. */
  rgba: Uint8ClampedArray | null;
  pixelWidth: number;
  pixelHeight: number;
  /** Drawn size in CSS pixels. */
  width: number;
  height: number;
  /** Smooth interpolation (probability fields) or crisp blocks (matrices, digits). */
  smooth?: boolean;
  overlay?: Overlay;
  /** Accessible description of the picture. */
  label: string;
  className?: string;
  onClick?: (x: number, y: number) => void;
}

/** The canvas; it redraws whenever a prop changes. */
export function RasterCanvas(props: RasterCanvasProps) {
  const { rgba, pixelWidth, pixelHeight, width, height, smooth = false, overlay, label, className, onClick } = props;
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    if (rgba && pixelWidth > 0 && pixelHeight > 0 && rgba.length === pixelWidth * pixelHeight * 4) {
      const src = document.createElement('canvas');
      src.width = pixelWidth;
      src.height = pixelHeight;
      src.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(rgba), pixelWidth, pixelHeight), 0, 0);
      ctx.imageSmoothingEnabled = smooth;
      ctx.drawImage(src, 0, 0, width, height);
    }
    overlay?.(ctx, width, height);
  }, [rgba, pixelWidth, pixelHeight, width, height, smooth, overlay]);

  return (
    <canvas
      ref={ref}
      role="img"
      aria-label={label}
      className={className}
      style={{ width, height }}
      width={width}
      height={height}
      onClick={
        onClick
          ? (e) => {
              const r = e.currentTarget.getBoundingClientRect();
              onClick(e.clientX - r.left, e.clientY - r.top);
            }
          : undefined
      }
    />
  );
}
