/**
 * The network diagram of an image net: the input and each conv or pooling layer as a stack of maps labelled
 * C×H×W (drawn larger for larger maps), a flatten block where flat layers begin, and dense layers as columns of
 * units. Drawn from the layers' descriptions alone; a dense net keeps NetworkDiagram.
 */
import { diagramBlocks, type DiagramBlock, type DiagramLayer } from './image-net.ts';
import './views.css';

/** Map stacks drawn: more channels show as these many sheets and say how many. */
const MAX_SHEETS = 6;
const MAX_UNITS = 8;
const MIN_SIDE = 14;
const MAX_SIDE = 56;
const OFFSET = 4;

function Block({ block, side }: { block: DiagramBlock; side: number }) {
  if (block.kind === 'maps') {
    const { c, h, w } = block.shape;
    const sheets = Math.min(c, MAX_SHEETS);
    const sw = Math.max(MIN_SIDE, (side * w) / Math.max(h, w));
    const sh = Math.max(MIN_SIDE, (side * h) / Math.max(h, w));
    const width = sw + OFFSET * (sheets - 1) + 2;
    const height = sh + OFFSET * (sheets - 1) + 2;
    const fill = block.learned ? '#dbe8f6' : block.label === 'input' ? '#f3f4f6' : '#e9f5e4';
    return (
      <figure className="views-imagenet-node">
        <svg width={width} height={height} aria-hidden="true">
          {Array.from({ length: sheets }, (_, k) => (
            <rect
              key={k}
              x={1 + OFFSET * (sheets - 1 - k)}
              y={1 + OFFSET * k}
              width={sw}
              height={sh}
              fill={fill}
              stroke="#555"
              strokeWidth={1}
            />
          ))}
        </svg>
        <figcaption>
          <strong>
            {c}×{h}×{w}
          </strong>
          <br />
          {block.label}
        </figcaption>
      </figure>
    );
  }
  if (block.kind === 'flatten') {
    return (
      <figure className="views-imagenet-node">
        <svg width={8} height={MAX_SIDE} aria-hidden="true">
          <rect x={1} y={1} width={6} height={MAX_SIDE - 2} fill="#fff4d6" stroke="#555" />
        </svg>
        <figcaption>
          <strong>flatten</strong>
          <br />
          {block.size}
        </figcaption>
      </figure>
    );
  }
  const shown = Math.min(block.size, MAX_UNITS);
  const r = 4;
  return (
    <figure className="views-imagenet-node">
      <svg width={2 * r + 2} height={shown * (2 * r + 3)} aria-hidden="true">
        {Array.from({ length: shown }, (_, k) => (
          <circle key={k} cx={r + 1} cy={r + 1 + k * (2 * r + 3)} r={r} fill="#fff" stroke="#555" />
        ))}
      </svg>
      <figcaption>
        <strong>{block.size}</strong>
        {block.size > shown ? ` (${shown} drawn)` : ''}
        <br />
        dense {block.label}
      </figcaption>
    </figure>
  );
}

/** The diagram, or null for a net whose first layer reads no image. */
export function ImageNetDiagram({ layers }: { readonly layers: readonly DiagramLayer[] }) {
  const blocks = diagramBlocks(layers);
  if (!blocks) return null;
  const largest = Math.max(...blocks.map((b) => (b.kind === 'maps' ? Math.max(b.shape.h, b.shape.w) : 0)));
  const summary = blocks
    .map((b) =>
      b.kind === 'maps' ? `${b.shape.c}×${b.shape.h}×${b.shape.w}` : b.kind === 'flatten' ? 'flatten' : `${b.size}`,
    )
    .join(' → ');
  return (
    <div
      className="views-imagenet-diagram"
      role="img"
      aria-label={`network: ${summary}`}
      data-testid="imagenet-diagram"
    >
      {blocks.map((b, i) => {
        const side =
          b.kind === 'maps' ? MIN_SIDE + ((MAX_SIDE - MIN_SIDE) * Math.max(b.shape.h, b.shape.w)) / largest : 0;
        return (
          <div key={i} className="views-imagenet-step">
            {i > 0 && (
              <span className="views-imagenet-arrow" aria-hidden="true">
                →
              </span>
            )}
            <Block block={b} side={side} />
          </div>
        );
      })}
    </div>
  );
}
