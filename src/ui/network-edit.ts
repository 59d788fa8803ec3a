/**
 * Editing the hidden layers from the network diagram (TF Playground's +/− buttons): pure edits of the
 * hidden-layer string, within the bounds the diagram offers (a teaching network, not the setup panel's full range).
 */
import { hiddenOf, layersOf } from './setup-panel.tsx';

/** The bounds of the diagram's buttons: widths 1..64, at most 6 hidden layers. */
export const DIAGRAM_BOUNDS = { minWidth: 1, maxWidth: 64, maxLayers: 6 } as const;

export type NetworkEdit =
  | { readonly kind: 'unit'; readonly layer: number; readonly delta: 1 | -1 }
  | { readonly kind: 'layer'; readonly delta: 1 | -1 };

/** The hidden-layer string after an edit, or null when the edit is out of bounds (the button is disabled). */
export function editHidden(hidden: string, edit: NetworkEdit): string | null {
  const layers = layersOf(hidden);
  if (edit.kind === 'unit') {
    const l = layers[edit.layer];
    if (!l) return null;
    const size = l.size + edit.delta;
    if (size < DIAGRAM_BOUNDS.minWidth || size > DIAGRAM_BOUNDS.maxWidth) return null;
    return hiddenOf(layers.map((x, i) => (i === edit.layer ? { ...x, size } : x)));
  }
  if (edit.delta === -1) return layers.length === 0 ? null : hiddenOf(layers.slice(0, -1));
  if (layers.length >= DIAGRAM_BOUNDS.maxLayers) return null;
  // A new layer copies the last one (TF Playground's default of 4 tanh units when there is none).
  const last = layers.at(-1) ?? { size: 4, act: 'tanh' as const };
  return hiddenOf([...layers, { ...last, size: Math.min(last.size, DIAGRAM_BOUNDS.maxWidth) }]);
}
