/** The architecture grammar over images: conv2d, pooling and flatten tokens, their shapes and their errors. */
import { describe, expect, it } from 'vitest';
import { ArchError, archKinds, formatArch, paramCount, parseArch } from '../../src/engine/data/arch.ts';
import { layerInfo } from '../../src/engine/layers/registry.ts';
import { paramLayout } from '../../src/engine/model/mlp.ts';

describe('image architectures', () => {
  it('parses the authors’ MNIST CNN: sizes per example, kinds, images and parameter counts', () => {
    const arch = parseArch('28x28x1-c16k5p2r-mp2-f-10');
    expect(arch.sizes).toEqual([784, 28 * 28 * 16, 14 * 14 * 16, 10]);
    expect(arch.acts).toEqual(['relu', 'identity', 'identity']);
    expect(archKinds(arch)).toEqual(['conv2d', 'pool', 'dense']);
    expect(arch.image).toEqual({ h: 28, w: 28, c: 1 });
    expect(arch.images![0]!.output).toEqual({ h: 28, w: 28, c: 16 });
    expect(arch.images![1]).toMatchObject({ pool: 'max', output: { h: 14, w: 14, c: 16 } });
    expect(arch.images![2]).toBeNull();
    // PyTorch's count: Conv2d(1, 16, 5) 16·25 + 16, Linear(3136, 10) 31360 + 10.
    expect(paramCount(arch)).toBe(416 + 31370);
    expect(paramLayout(arch).total).toBe(paramCount(arch));
  });

  it('formats what it parses (strides, paddings, average pooling, activations, case and spaces)', () => {
    for (const text of [
      '28x28x1-c16k5p2r-mp2-f-10',
      '8x8x1-c4k3s2t-ap2s1-f-6s-2',
      '12x10x3-c8k3-c2k1r-mp3s2-f-2',
      '5x5x2-mp5-f-3',
    ]) {
      expect(formatArch(parseArch(text))).toBe(text);
    }
    expect(formatArch(parseArch(' 8X8X1 - C4K3P1R - MP2 - F - 2 '))).toBe('8x8x1-c4k3p1r-mp2-f-2');
    expect(formatArch(parseArch('784-128r-10'))).toBe('784-128r-10');
  });

  it('lays out conv layers as C_out × (c·k·k + 1) and pooling with no parameters', () => {
    const layers = paramLayout(parseArch('6x6x2-c3k3p1t-mp2-f-4')).layers;
    expect(layers.map((l) => [l.kind, l.n, l.m, l.size])).toEqual([
      ['conv2d', 72, 108, 3 * 19],
      ['pool', 108, 27, 0],
      ['dense', 27, 4, 4 * 28],
    ]);
    expect(layerInfo(layers[0]!)).toEqual({
      kind: 'conv2d',
      m: 3,
      p: 19,
      size: 57,
      label: 'conv 3×(2·3·3+1) → 6×6×3',
      inputMaps: { c: 2, h: 6, w: 6 },
      maps: { c: 3, h: 6, w: 6 },
    });
    expect(layerInfo(layers[1]!).label).toBe('max pool 2×2 → 3×3×3');
  });

  const refused: [string, RegExp][] = [
    [
      '784-c16k5r-10',
      /layer 1 'c16k5r' is a conv2d layer, which reads images, but its input is 784 features; start the architecture with an image shape such as 28x28x1/,
    ],
    [
      '28x28x1-c16k5r-10',
      /layer 2 '10' is a dense layer, which reads features, but its input is a 24×24×16 image; write 'f' before it to flatten the image into 9216 features/,
    ],
    [
      '4x4x1-c2k5r-f-2',
      /layer 1 'c2k5r' \(conv2d 5×5, stride 1, padding 0\) does not fit its 4×4×1 input: a 5×5 window does not fit a 4×4 image/,
    ],
    ['4x4x1-c2k7p1r-f-2', /does not fit its 4×4×1 input: a 7×7 window does not fit a 4×4 image padded by 1×1 \(6×6\)/],
    ['8x8x1-c2k3r-mp7-f-2', /layer 2 'mp7' \(max pooling 7×7, stride 7\) does not fit its 6×6×2 input/],
    ['8x8x1-c2x3-f-2', /layer 1 'c2x3' is not a conv layer/],
    ['8x8x1-c2k3q-f-2', /layer 1 'c2k3q' has unknown activation 'q'/],
    ['8x8x1-mpx-f-2', /layer 1 'mpx' is not a pooling layer/],
    ['64-f-2', /'f' before layer 1 flattens images, but its input is already 64 features/],
    ['8x8x1-f', /has no layers/],
    ['8x8x1-c0k3-f-2', /layer 1 \(conv channels\) has size 0/],
    ['8x8x1-c2k3s0-f-2', /layer 1 \(conv stride\) has size 0/],
    ['300x300x1-c1k1-f-2', /the input image 300×300×1 has 90000 values, more than 65536/],
    ['8x8x1-c2000k1-f-2', /outputs 8×8×2000 = 128000 values per example, more than the 65536/],
  ];
  it.each(refused)("refuses '%s' naming the layer, its sizes and why", (text, message) => {
    expect(() => parseArch(text)).toThrow(ArchError);
    expect(() => parseArch(text)).toThrow(message);
  });

  it('checks the image against the data’s widths', () => {
    expect(() => parseArch('28x28x1-c2k3-f-10', 784, 10)).not.toThrow();
    expect(() => parseArch('8x8x1-c2k3-f-10', 784, 10)).toThrow(/takes 64 inputs, but the data has 784 features/);
  });
});
