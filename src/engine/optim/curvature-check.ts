/**
 * The one refusal of a curvature method (FishLeg, K-FAC, the natural gradient) on a net with a layer kind
 * whose curvature it does not read, so that such a net is refused at setup with the same message in the
 * CLI, the worker and the page, never trained with wrong factors.
 */
import { layerKind } from '../layers/registry.ts';
import type { LayerLayout } from '../layers/types.ts';
import { specOf, type OptimizerKind } from './config.ts';

/** Why `optimizer` cannot train `layers`, or undefined when it can. */
export function curvatureRefusal(
  optimizer: OptimizerKind,
  layers: readonly Pick<LayerLayout, 'kind'>[],
): string | undefined {
  const spec = specOf(optimizer);
  if (!spec.curvature) return undefined;
  const kinds = [...new Set(layers.map((l) => l.kind).filter((k) => !layerKind(k).curvature))];
  if (kinds.length === 0) return undefined;
  const label = spec.labels[optimizer] ?? optimizer;
  return (
    `${label} does not support ${kinds.join(' or ')} layers yet: it reads no curvature for them; ` +
    `train this net with SGD, Adam or AdamW, or use other layer kinds`
  );
}
