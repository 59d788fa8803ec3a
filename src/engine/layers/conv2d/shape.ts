/** A conv2d or pooling layer's geometry as the op builders (model/conv-passes.ts) take it, for `rows` examples. */
import type { Conv2dShape, PoolShape } from '../../model/conv-passes.ts';
import type { LayerImage, LayerLayout } from '../types.ts';

export function imageOfLayer(layer: LayerLayout): LayerImage {
  if (!layer.image) throw new RangeError(`a ${layer.kind} layer needs its image geometry`);
  return layer.image;
}

export function convShape(layer: LayerLayout, rows: number): Conv2dShape {
  const im = imageOfLayer(layer);
  return { batch: rows, ...im.input, ...im.window, cOut: im.output.c };
}

export function poolShape(layer: LayerLayout, rows: number): PoolShape {
  const im = imageOfLayer(layer);
  return { batch: rows, ...im.input, ...im.window, kind: im.pool ?? 'max' };
}
