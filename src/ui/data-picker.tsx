/**
 * The 2D data sets as thumbnails, as TF Playground shows them: each drawn from the real generator
 * (engine/data/toy.ts) with the seed and noise on the page, so the picture is the data the race trains on.
 */
import { memo, useEffect, useRef } from 'react';
import { toyDataset, TOY_TASKS, type ToyTask, labelsOf } from '../engine/page.ts';
import { TASK_LABELS } from './config.ts';
import { classColour, divergingColour, toHex } from './views/colour.ts';

/** Points drawn per thumbnail: enough for the shape, cheap to generate on every noise change. */
const THUMB_POINTS = 240;
/** Labels short enough for a quarter of the side panel (the full name is the tooltip). */
const SHORT: Readonly<Record<ToyTask, string>> = {
  spiral: 'Spiral',
  circles: 'Circles',
  xor: 'XOR',
  gaussians: 'Blobs',
  plane: 'Plane',
  bumps: 'Bumps',
};
/** CSS pixels per side. */
const THUMB_SIZE = 50;

const Thumb = memo(function Thumb({ task, noise, seed }: { task: ToyTask; noise: number; seed: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = Math.max(1, Math.min(2, window.devicePixelRatio || 1));
    canvas.width = THUMB_SIZE * dpr;
    canvas.height = THUMB_SIZE * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, THUMB_SIZE, THUMB_SIZE);
    const d = toyDataset(task, { n: THUMB_POINTS, noise, seed, testFraction: 0 });
    // Classes in their colours; a regression target on the diverging scale (blue negative, red positive).
    const k = d.numClasses;
    const labels = k !== undefined ? labelsOf(d.train.y, k) : null;
    const colour = (i: number) => toHex(labels ? classColour(labels[i]!) : divergingColour(d.train.y[i]!, 1));
    // The generators' points lie in about [-1, 1]²; noise beyond that is clipped by the frame, as on the page.
    const half = THUMB_SIZE / 2;
    const scale = half / 1.2;
    for (let i = 0; i < d.train.n; i++) {
      ctx.fillStyle = colour(i);
      ctx.fillRect(half + d.train.x[2 * i]! * scale - 1.25, half - d.train.x[2 * i + 1]! * scale - 1.25, 2.5, 2.5);
    }
  }, [task, noise, seed]);
  return <canvas ref={ref} aria-hidden="true" style={{ width: THUMB_SIZE, height: THUMB_SIZE }} />;
});

export interface DataPickerProps {
  /** The task on the page (thumbnails mark it when it is a toy). */
  readonly task: string;
  readonly noise: number;
  readonly seed: number;
  readonly onPick: (task: ToyTask) => void;
}

/** One button per 2D data set, each a thumbnail of its points. */
export function DataPicker({ task, noise, seed, onPick }: DataPickerProps) {
  return (
    <div className="data-picker" role="group" aria-label="2D data sets" data-testid="data-picker">
      {TOY_TASKS.map((t) => (
        <button
          key={t}
          type="button"
          className="data-thumb"
          data-testid={`data-${t}`}
          aria-pressed={task === t}
          title={TASK_LABELS[t]}
          onClick={() => onPick(t)}
        >
          <Thumb task={t} noise={noise} seed={seed} />
          <span>{SHORT[t]}</span>
        </button>
      ))}
    </div>
  );
}
