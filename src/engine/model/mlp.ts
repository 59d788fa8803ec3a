/**
 * A network's shape, its flat parameter layout and its seeded initialisation. Each layer's parameters sit at
 * an offset in one flat buffer, laid out as its kind declares (layers/<kind>/; a dense layer stores
 * W̄_l = [W_l | b_l], m×(n+1), docs/fishleg.md §2), so an optimizer updates every parameter in one dispatch.
 */
import { layerKind } from '../layers/registry.ts';
import type { ImageShape, LayerImage, LayerLayout } from '../layers/types.ts';
import type { Activation } from '../ops.ts';
import { Rng, Stream } from '../rng.ts';

export type { LayerLayout } from '../layers/types.ts';

export interface MlpSpec {
  /** Layer widths, input first: sizes.length = layers + 1. */
  readonly sizes: readonly number[];
  /** Activation after each layer: acts.length = layers. */
  readonly acts: readonly Activation[];
  /** Each layer's kind (layers/registry.ts); absent: every layer is dense. */
  readonly kinds?: readonly string[];
  /** The input image, when the data are images (architecture strings starting e.g. '28x28x1'). */
  readonly image?: ImageShape;
  /** Each layer's image geometry (null for a layer over flat features); absent: no layer reads images. */
  readonly images?: readonly (LayerImage | null)[];
}

export interface ParamLayout {
  readonly layers: readonly LayerLayout[];
  readonly total: number;
}

export function paramLayout(spec: MlpSpec): ParamLayout {
  if (spec.sizes.length < 2 || spec.acts.length !== spec.sizes.length - 1) {
    throw new RangeError(
      `an MLP needs at least one layer and one activation per layer (got sizes ${spec.sizes.join('-')})`,
    );
  }
  if (spec.kinds && spec.kinds.length !== spec.acts.length) {
    throw new RangeError(`${spec.acts.length} layers need ${spec.acts.length} kinds, got ${spec.kinds.length}`);
  }
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l < spec.acts.length; l++) {
    const kind = layerKind(spec.kinds?.[l] ?? 'dense');
    const n = spec.sizes[l]!;
    const m = spec.sizes[l + 1]!;
    const image = spec.images?.[l] ?? undefined;
    const size = kind.paramSize(n, m, image);
    layers.push({ kind: kind.kind, n, m, act: spec.acts[l]!, ...(image ? { image } : {}), offset, size });
    offset += size;
  }
  return { layers, total: offset };
}

/**
 * Each layer's parameters as its kind initialises them, drawn in flat-buffer order from (seed, Stream.init):
 * the same seed gives the same weights on every backend and for every optimizer.
 */
export function initParams(spec: MlpSpec, seed: number): Float32Array {
  const { layers, total } = paramLayout(spec);
  const out = new Float32Array(total);
  const rng = new Rng(seed, Stream.init);
  const uniform = () => rng.uniform();
  for (const layer of layers) layerKind(layer).init(layer, uniform, out);
  return out;
}
