/**
 * Every layer kind, by name. A new kind is one folder (layers/<kind>/) and one line here; the architecture
 * grammar, the model's layout, the passes, the curvature methods, the cost floor, the memory estimate, the
 * views and the export find it through `layerKind`.
 */
import { conv2d } from './conv2d/index.ts';
import { dense } from './dense/index.ts';
import { pool } from './pool/index.ts';
import type { KronShape, LayerInfo, LayerKind, LayerLayout } from './types.ts';

export const LAYER_KINDS: readonly LayerKind[] = [dense, conv2d, pool];

const BY_NAME: ReadonlyMap<string, LayerKind> = new Map(LAYER_KINDS.map((k) => [k.kind, k]));

/** The kind a layer token is written in, or undefined when no kind claims it. */
export function kindOfToken(token: string): LayerKind | undefined {
  return LAYER_KINDS.find((k) => k.grammar.claims(token));
}

/** The descriptor of a layer (or of a kind's name). */
export function layerKind(layer: Pick<LayerLayout, 'kind'> | string): LayerKind {
  const name = typeof layer === 'string' ? layer : layer.kind;
  const kind = BY_NAME.get(name);
  if (!kind) throw new RangeError(`unknown layer kind '${name}' (known: ${[...BY_NAME.keys()].join(', ')})`);
  return kind;
}

/** A layer as the views describe it (the worker sends it to the page). */
export function layerInfo(layer: LayerLayout): LayerInfo {
  const kind = layerKind(layer);
  const maps = kind.view.maps?.(layer);
  return {
    kind: kind.kind,
    ...kind.kron(layer),
    size: layer.size,
    label: kind.view.label(layer),
    ...(maps ? { maps } : {}),
    ...(layer.image ? { inputMaps: layer.image.input } : {}),
  };
}

/** The Kronecker factor sides of a layer (layers/types.ts KronShape). */
export function kronShape(layer: LayerLayout): KronShape {
  return layerKind(layer).kron(layer);
}

/** Kronecker rows per example of a layer (layers/types.ts KronRows.positions; 0 for a layer without parameters). */
export function kronPositions(layer: LayerLayout): number {
  return layerKind(layer).kronPositions(layer);
}
