/** The image-net views' pure pieces: filter planes, channel extraction, tile sizes, the colour scale and the probability rows. */
import { describe, expect, it } from 'vitest';
import { divergingColour } from './colour.ts';
import {
  channelPlane,
  diagramBlocks,
  filterPlanes,
  filterRange,
  filterRgba,
  normalisePlane,
  probabilityRows,
  stepExample,
  tileScale,
} from './image-net.ts';

describe('image-net pieces', () => {
  const f = { count: 2, channels: 3, h: 2, w: 2, values: Float32Array.from({ length: 24 }, (_, i) => i - 10) };

  it('splits filters into one plane per output and input channel, filter by filter', () => {
    const planes = filterPlanes(f);
    expect(planes.map((p) => [p.filter, p.channel])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(Array.from(planes[4]!.values)).toEqual([6, 7, 8, 9]);
    // A short buffer yields only its whole planes.
    expect(filterPlanes({ ...f, values: f.values.subarray(0, 9) })).toHaveLength(2);
  });

  it('draws filters on one scale symmetric around 0: ±max|w| at the ends, 0 in the middle', () => {
    const range = filterRange(f);
    expect(range).toBe(13);
    const plane = { filter: 0, channel: 0, values: Float32Array.from([-13, 0, 13, 6.5]) };
    const rgba = filterRgba(plane, 2, 2, range);
    const px = (i: number) => Array.from(rgba.subarray(4 * i, 4 * i + 3));
    expect(px(0)).toEqual([...divergingColour(-1, 1)]);
    expect(px(1)).toEqual([...divergingColour(0, 1)]);
    expect(px(2)).toEqual([...divergingColour(1, 1)]);
    expect(px(0)).not.toEqual(px(2));
  });

  it('reads one channel of an NHWC map and refuses a channel it does not have', () => {
    const maps = { h: 2, w: 2, c: 3 };
    const v = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(channelPlane(v, maps, 1))).toEqual([1, 4, 7, 10]);
    expect(() => channelPlane(v, maps, 3)).toThrow(/channel 3 is outside 0…2/);
  });

  it('rescales a map to [0, 1] by its own range; a flat map is all 0', () => {
    const n = normalisePlane([2, 4, 6, NaN]);
    expect([n.lo, n.hi]).toEqual([2, 6]);
    expect(Array.from(n.values.subarray(0, 3))).toEqual([0, 0.5, 1]);
    expect(n.values[3]).toBeNaN();
    expect(Array.from(normalisePlane([3, 3]).values)).toEqual([0, 0]);
  });

  it('sizes tiles from the image, not a fixed side', () => {
    expect(tileScale(8, 8, 48)).toBe(6);
    expect(tileScale(28, 28, 48)).toBe(2);
    expect(tileScale(3, 5, 36)).toBe(7);
    expect(tileScale(100, 100, 48)).toBe(1);
  });

  it('marks the true and the predicted class; probabilities stay in [0, 1]', () => {
    const rows = probabilityRows([0.2, 0.7, 0.1], 3, 0);
    expect(rows.map((r) => [r.k, r.truth, r.predicted])).toEqual([
      [0, true, false],
      [1, false, true],
      [2, false, false],
    ]);
    expect(rows.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 6);
    expect(probabilityRows([NaN, 2], 2, -1).map((r) => r.p)).toEqual([0, 1]);
  });

  it('steps through the examples, wrapping both ways', () => {
    expect(stepExample(0, -1, 6)).toBe(5);
    expect(stepExample(5, 1, 6)).toBe(0);
    expect(stepExample(2, 9, 6)).toBe(5);
    expect(stepExample(0, 1, 0)).toBe(0);
  });

  it('lays out an image net as map stacks, a flatten block and unit columns; a dense net gets none', () => {
    const layers = [
      { size: 40, m: 4, label: 'conv', maps: { h: 8, w: 8, c: 4 }, inputMaps: { h: 8, w: 8, c: 1 } },
      { size: 0, m: 0, label: 'pool', maps: { h: 4, w: 4, c: 4 }, inputMaps: { h: 8, w: 8, c: 4 } },
      { size: 130, m: 2, label: '2×(64+1)' },
    ];
    expect(diagramBlocks(layers)).toEqual([
      { kind: 'maps', shape: { h: 8, w: 8, c: 1 }, label: 'input', learned: false },
      { kind: 'maps', shape: { h: 8, w: 8, c: 4 }, label: 'conv', learned: true },
      { kind: 'maps', shape: { h: 4, w: 4, c: 4 }, label: 'pool', learned: false },
      { kind: 'flatten', size: 64 },
      { kind: 'units', size: 2, label: '2×(64+1)' },
    ]);
    expect(diagramBlocks([{ size: 9, m: 3, label: '3×(2+1)' }])).toBeNull();
  });
});
