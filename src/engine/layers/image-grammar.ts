/**
 * What the grammars of the layers over images (conv2d, pooling) share: the image shape as the architecture
 * string writes it (28x28x1), and the check that a window fits the image it slides over.
 */
import type { WindowGeometry } from '../ops.ts';
import { windowMisfit, windowOutput } from '../window.ts';
import { ArchError, MAX_LAYER_SIZE } from './grammar.ts';
import type { ImageShape, LayerInput } from './types.ts';

/** 'h×w×c', as messages and labels print an image. */
export const formatImage = (s: ImageShape): string => `${s.h}×${s.w}×${s.c}`;

/** The input image of a layer over images (arch.ts gives these kinds only image inputs). */
export function imageOf(input: LayerInput): ImageShape {
  if (!input.image) throw new ArchError(`a layer over images needs an image input, got ${input.size} features`);
  return input.image;
}

/**
 * The output grid of `window` over `image`; throws ArchError naming the layer, its input and why when the window
 * does not fit (`pool`: padding at most half the window) or the output would be larger than any layer may be.
 */
export function fitWindow(
  what: string,
  image: ImageShape,
  window: WindowGeometry,
  outChannels: number,
  pool: boolean,
): ImageShape {
  const g = { batch: 1, ...image, ...window };
  const misfit = windowMisfit(g, pool);
  if (misfit) throw new ArchError(`${what} does not fit its ${formatImage(image)} input: ${misfit}`);
  const { oh, ow } = windowOutput(g);
  const out = { h: oh, w: ow, c: outChannels };
  if (oh * ow * outChannels > MAX_LAYER_SIZE) {
    throw new ArchError(
      `${what} outputs ${formatImage(out)} = ${oh * ow * outChannels} values per example, more than the ${MAX_LAYER_SIZE} a layer may have`,
    );
  }
  return out;
}
