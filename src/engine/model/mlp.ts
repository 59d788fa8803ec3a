/**
 * A multilayer perceptron's shape, its flat parameter layout and its seeded initialisation.
 * Each dense layer l stores W̄_l = [W_l | b_l] (m×(n+1), bias last, row-major, docs/fishleg.md §2) at an
 * offset in one flat buffer, so an optimizer updates every parameter in one dispatch.
 */
import type { Activation } from '../ops.ts';
import { Rng, Stream } from '../rng.ts';

export interface MlpSpec {
  /** Layer widths, input first: sizes.length = layers + 1. */
  readonly sizes: readonly number[];
  /** Activation after each layer: acts.length = layers. */
  readonly acts: readonly Activation[];
}

export interface LayerLayout {
  /** Inputs (without the bias input). */
  readonly n: number;
  /** Outputs. */
  readonly m: number;
  readonly act: Activation;
  /** Element offset of W̄ in the flat parameter buffer; W̄ is m×(n+1). */
  readonly offset: number;
  readonly size: number;
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
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l < spec.acts.length; l++) {
    const n = spec.sizes[l]!;
    const m = spec.sizes[l + 1]!;
    const size = m * (n + 1);
    layers.push({ n, m, act: spec.acts[l]!, offset, size });
    offset += size;
  }
  return { layers, total: offset };
}

/**
 * W and b ~ U(−1/√fan_in, +1/√fan_in) (docs/benchmarks.md), drawn in flat-buffer order from
 * (seed, Stream.init): the same seed gives the same weights on every backend and for every optimizer.
 */
export function initParams(spec: MlpSpec, seed: number): Float32Array {
  const { layers, total } = paramLayout(spec);
  const out = new Float32Array(total);
  const rng = new Rng(seed, Stream.init);
  for (const layer of layers) {
    const bound = 1 / Math.sqrt(layer.n);
    for (let i = 0; i < layer.size; i++) out[layer.offset + i] = (2 * rng.uniform() - 1) * bound;
  }
  return out;
}

/** Widest row any activation buffer needs (n + 1 over all layers, and every m). */
export function maxWidth(spec: MlpSpec): number {
  return Math.max(...spec.sizes.map((s) => s + 1));
}
