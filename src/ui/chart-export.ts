/**
 * The chart as a PNG that stands on its own: a title, the setup (task, model, one line per run with its
 * optimizer settings next to its colour), the chart itself (its SVG, with the axes' titles and the marks)
 * and the legend, composed on one canvas at 2×. The page's HTML legend is not part of the SVG, hence this.
 */
import { OPTIMIZER_LABELS, type PlaygroundConfig } from './config.ts';
import type { DataInfo } from '../worker/protocol.ts';
import { describeOptimizer } from './marks.ts';
import { seedLegend } from './seed-bands.ts';

/** What is drawn around the chart. */
export interface ExportFrame {
  readonly title: string;
  /** Lines about the task and model. */
  readonly setup: readonly string[];
  /** One entry per run: its colour, name and settings. */
  readonly runs: readonly { readonly colour: string; readonly name: string; readonly detail: string }[];
  readonly note: string;
}

/** The frame of the page's current chart. */
export function exportFrame(config: PlaygroundConfig, data: DataInfo | null, metric: string): ExportFrame {
  const x = config.chart.x === 'step' ? 'step' : 'training seconds';
  const task = data
    ? `Task: ${data.name} (${data.kind}, ${data.trainRows} train / ${data.testRows} test rows)`
    : `Task: ${config.data.task}`;
  const model = data
    ? `Model: ${data.arch} (${data.params} parameters), ${data.likelihood} likelihood, batch ${config.model.batch}, seed ${config.data.seed}`
    : `Model: hidden ${config.model.hidden || 'none'}, batch ${config.model.batch}, seed ${config.data.seed}`;
  return {
    title: `${metric} against ${x} — FishLeg Playground`,
    setup: [task, model],
    runs: config.runs.map((r) => {
      const kind = OPTIMIZER_LABELS[r.optimizer.kind];
      const settings = describeOptimizer(r.optimizer);
      // A run named after its optimizer need not say it twice.
      return { colour: r.colour, name: r.name, detail: r.name === kind ? settings : `${kind}: ${settings}` };
    }),
    note: `solid = train, dashed = test; dotted verticals mark live changes${
      (config.data.seeds ?? 1) > 1 ? `; ${seedLegend(config.data)}` : ''
    }`,
  };
}

const SCALE = 2;
const PAD = 14;
const TITLE_PX = 15;
const TEXT_PX = 12;
const LINE_PX = 17;
const SWATCH_W = 22;
const SWATCH_H = 10;

/** Splits text into lines no wider than `width` at spaces (a single long word keeps its own line). */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line === '' ? w : `${line} ${w}`;
    if (line !== '' && ctx.measureText(next).width > width) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Renders the chart's SVG with its frame to a PNG blob at 2× on a white background. */
export async function chartPng(svg: SVGSVGElement, frame: ExportFrame): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const family = getComputedStyle(svg).fontFamily || 'sans-serif';
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  // An SVG drawn as an image sees none of the page's CSS: give it the page's font.
  clone.setAttribute('font-family', family);
  clone.querySelectorAll('.zoom-layer').forEach((n) => n.remove());
  const text = new XMLSerializer().serializeToString(clone);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be rendered to an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    const measure = canvas.getContext('2d');
    if (!measure) throw new Error('no 2D canvas to draw the chart on');
    const textWidth = width - 2 * PAD;
    measure.font = `${TEXT_PX}px ${family}`;
    const setup = frame.setup.flatMap((l) => wrap(measure, l, textWidth));
    const legend = frame.runs.map((r) => wrap(measure, `${r.name} — ${r.detail}`, textWidth - SWATCH_W - 8));
    const note = wrap(measure, frame.note, textWidth);
    measure.font = `bold ${TITLE_PX}px ${family}`;
    const title = wrap(measure, frame.title, textWidth);
    const headH = PAD + title.length * (TITLE_PX + 6) + setup.length * LINE_PX + 6;
    const legendLines = legend.reduce((n, l) => n + l.length, 0) + note.length;
    const totalH = headH + height + 8 + legendLines * LINE_PX + PAD;
    canvas.width = Math.ceil(SCALE * width);
    canvas.height = Math.ceil(SCALE * totalH);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(SCALE, SCALE);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, totalH);
    ctx.textBaseline = 'alphabetic';
    let y = PAD;
    ctx.fillStyle = '#111827';
    ctx.font = `bold ${TITLE_PX}px ${family}`;
    for (const l of title) {
      y += TITLE_PX;
      ctx.fillText(l, PAD, y);
      y += 6;
    }
    ctx.font = `${TEXT_PX}px ${family}`;
    ctx.fillStyle = '#374151';
    for (const l of setup) {
      y += LINE_PX;
      ctx.fillText(l, PAD, y - 4);
    }
    y = headH;
    ctx.drawImage(img, 0, y, width, height);
    y += height + 8;
    frame.runs.forEach((r, i) => {
      ctx.fillStyle = r.colour;
      ctx.fillRect(PAD, y + (LINE_PX - SWATCH_H) / 2 - 2, SWATCH_W, SWATCH_H);
      ctx.fillStyle = '#111827';
      for (const l of legend[i]!) {
        y += LINE_PX;
        ctx.fillText(l, PAD + SWATCH_W + 8, y - 4);
      }
    });
    ctx.fillStyle = '#6b7280';
    for (const l of note) {
      y += LINE_PX;
      ctx.fillText(l, PAD, y - 4);
    }
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
