/**
 * The one refusal of a curvature method (FishLeg, K-FAC, the natural gradient) on a net with a layer kind
 * whose curvature it does not read, so that such a net is refused at setup with the same message in the
 * CLI, the worker and the page, never trained with wrong factors.
 */
import { layerKind } from '../layers/registry.ts';
import type { LayerLayout } from '../layers/types.ts';
import { specOf, type OptimizerKind } from './config.ts';

/** Layer kinds a curvature method does not read yet although the kind offers its Kronecker rows. */
const NOT_YET: Partial<Readonly<Record<OptimizerKind, readonly string[]>>> = {
  // K-FAC's factors over conv patches (KFC) are still to come.
  kfac: ['conv2d', 'pool'],
};

/** Why `optimizer` cannot train `layers`, or undefined when it can. */
export function curvatureRefusal(
  optimizer: OptimizerKind,
  layers: readonly Pick<LayerLayout, 'kind'>[],
): string | undefined {
  const spec = specOf(optimizer);
  if (!spec.curvature) return undefined;
  const missing = NOT_YET[optimizer] ?? [];
  const cannot = (k: string) => !layerKind(k).curvature || missing.includes(k);
  const kinds = [...new Set(layers.map((l) => l.kind).filter(cannot))];
  if (kinds.length === 0) return undefined;
  const label = spec.labels[optimizer] ?? optimizer;
  return (
    `${label} does not support ${kinds.join(' or ')} layers yet: its curvature is carried for dense layers only; ` +
    `train this net with SGD, Adam, AdamW or FishLeg, or use an architecture of dense layers`
  );
}
