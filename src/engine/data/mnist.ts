/**
 * MNIST from `public/mnist.bin` (format: scripts/build-mnist-asset.mjs): decoding with validation, the
 * train/test split of docs/benchmarks.md, and the two MNIST tasks, `mnist` (10-way classification) and
 * `mnist-ae` (the paper's autoencoder, target = input). Browser-safe: Node reads the file in mnist-node.ts.
 */
import type { Dataset } from './dataset.ts';

export const MNIST_MAGIC = 'MNST';
export const MNIST_VERSION = 1;
export const MNIST_CLASSES = 10;
export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
const TABLE_SIZE = 256;
const TABLE_OFFSET = 8 + 4 * MNIST_CLASSES;
export const MNIST_HEADER_BYTES = TABLE_OFFSET + 4 * TABLE_SIZE;

/** Thrown for a missing, truncated or corrupt asset; the message says how to rebuild it. */
export class MnistAssetError extends Error {
  override name = 'MnistAssetError';
  constructor(message: string) {
    super(`${message} (rebuild it with: node scripts/build-mnist-asset.mjs --force)`);
  }
}

/** The parsed asset, still compact: pixel i of digit d is table[indices[d * 784 + i]]. */
export interface MnistAsset {
  /** Digits per class, classes 0..9. */
  readonly counts: readonly number[];
  /** The 256 distinct pixel values, exactly as shipped (as float32). */
  readonly table: Float32Array;
  /** One table index per pixel, digits ordered class 0..9, then file order. */
  readonly indices: Uint8Array;
  /** The class of each digit. */
  readonly labels: Uint8Array;
  readonly n: number;
}

/** Checks and parses an asset (ArrayBuffer or bytes, e.g. a Node Buffer); throws MnistAssetError if bad. */
export function parseMnistAsset(data: ArrayBuffer | Uint8Array): MnistAsset {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < MNIST_HEADER_BYTES) {
    throw new MnistAssetError(
      `mnist.bin is truncated: ${bytes.byteLength} bytes, the header alone is ${MNIST_HEADER_BYTES}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== MNIST_MAGIC) throw new MnistAssetError(`mnist.bin has magic '${magic}', expected '${MNIST_MAGIC}'`);
  const version = view.getUint32(4, true);
  if (version !== MNIST_VERSION) {
    throw new MnistAssetError(`mnist.bin has format version ${version}, this code reads version ${MNIST_VERSION}`);
  }
  const counts: number[] = [];
  for (let c = 0; c < MNIST_CLASSES; c++) counts.push(view.getUint32(8 + 4 * c, true));
  const n = counts.reduce((a, b) => a + b, 0);
  const expected = MNIST_HEADER_BYTES + n * MNIST_PIXELS;
  if (n === 0 || bytes.byteLength !== expected) {
    throw new MnistAssetError(
      `mnist.bin is ${bytes.byteLength} bytes, but its header (${n} digits: ${counts.join(', ')}) implies ${expected}`,
    );
  }
  const table = new Float32Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) {
    const v = view.getFloat32(TABLE_OFFSET + 4 * i, true);
    // Pixels are intensities in [0, 1]; anything else means the table bytes are damaged.
    if (!(v >= 0 && v <= 1)) throw new MnistAssetError(`mnist.bin value table entry ${i} is ${v}, outside [0, 1]`);
    table[i] = v;
  }
  const labels = new Uint8Array(n);
  let o = 0;
  counts.forEach((k, c) => labels.fill(c, o, (o += k)));
  const indices = bytes.subarray(MNIST_HEADER_BYTES);
  return { counts, table, indices, labels, n };
}

/** All pixels of all digits as one n × 784 float32 array (31 MB: prefer `mnistDataset`, which copies once). */
export function decodeMnistPixels(asset: MnistAsset): Float32Array {
  const out = new Float32Array(asset.n * MNIST_PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = asset.table[asset.indices[i]!]!;
  return out;
}

/**
 * The split of docs/benchmarks.md: the k-th digit of each class (k from 0, file order) is test when
 * k % 5 == 4. Returns digit indices into the asset, each ascending (so class 0..9, then file order).
 */
export function mnistSplit(counts: readonly number[]): { train: Uint32Array; test: Uint32Array } {
  const n = counts.reduce((a, b) => a + b, 0);
  const nTest = counts.reduce((a, k) => a + Math.floor(k / 5), 0);
  const train = new Uint32Array(n - nTest);
  const test = new Uint32Array(nTest);
  let d = 0;
  let tr = 0;
  let te = 0;
  for (const k of counts) {
    for (let j = 0; j < k; j++, d++) {
      if (j % 5 === 4) test[te++] = d;
      else train[tr++] = d;
    }
  }
  return { train, test };
}

/** The two MNIST tasks. */
export type MnistTask = 'mnist' | 'mnist-ae';

/** Builds the `mnist` (x = pixels, y = one-hot of 10) or `mnist-ae` (y = x, same array) dataset. */
export function mnistDataset(asset: MnistAsset, task: MnistTask): Dataset {
  const { train, test } = mnistSplit(asset.counts);
  const split = (digits: Uint32Array) => {
    const x = new Float32Array(digits.length * MNIST_PIXELS);
    for (let r = 0; r < digits.length; r++) {
      const src = digits[r]! * MNIST_PIXELS;
      const dst = r * MNIST_PIXELS;
      for (let i = 0; i < MNIST_PIXELS; i++) x[dst + i] = asset.table[asset.indices[src + i]!]!;
    }
    if (task === 'mnist-ae') return { x, y: x, n: digits.length };
    const y = new Float32Array(digits.length * MNIST_CLASSES);
    for (let r = 0; r < digits.length; r++) y[r * MNIST_CLASSES + asset.labels[digits[r]!]!] = 1;
    return { x, y, n: digits.length };
  };
  const image = { width: MNIST_SIDE, height: MNIST_SIDE };
  return task === 'mnist-ae'
    ? {
        name: task,
        inputDim: MNIST_PIXELS,
        outputDim: MNIST_PIXELS,
        kind: 'autoencoder',
        image,
        train: split(train),
        test: split(test),
      }
    : {
        name: task,
        inputDim: MNIST_PIXELS,
        outputDim: MNIST_CLASSES,
        kind: 'classification',
        numClasses: MNIST_CLASSES,
        image,
        train: split(train),
        test: split(test),
      };
}

/** The asset's URL under Vite's base path (works in the page and in the worker). */
export function defaultMnistUrl(): string {
  const base = (import.meta.env?.BASE_URL as string | undefined) ?? '/';
  return `${base}mnist.bin`;
}

/** Fetches the asset (browser or worker); a missing file says how to build it. */
export async function fetchMnistAsset(url = defaultMnistUrl()): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new MnistAssetError(`could not fetch ${url}: ${String(e)}`);
  }
  if (!res.ok) throw new MnistAssetError(`fetching ${url} gave HTTP ${res.status}`);
  return res.arrayBuffer();
}
