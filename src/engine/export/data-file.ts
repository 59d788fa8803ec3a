/**
 * The race's exact splits as the .npz written beside an exported script (docs/pytorch-export.md §2), so the
 * script trains on the playground's own rows, bit for bit, with no download. Inputs that take at most 256
 * distinct values (MNIST: the playground's 3-decimal pixels) are stored as a value table and one byte per
 * value; class targets as their label; an autoencoder's targets are its inputs and are not stored twice.
 */
import { labelsOf, type Dataset } from '../data/dataset.ts';
import { npz, type NpyArray } from './npz.ts';

/** The arrays of the file, by name (the script's load_exported reads the same names). */
export function dataArrays(ds: Dataset): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  const d = ds.inputDim;
  const table = valueTable([ds.train.x, ds.test.x]);
  for (const which of ['train', 'test'] as const) {
    const s = ds[which];
    if (table) {
      const codes = new Uint8Array(s.x.length);
      for (let i = 0; i < s.x.length; i++) codes[i] = table.code.get(s.x[i]!)!;
      out[`${which}_x_codes`] = { values: codes, shape: [s.n, d] };
    } else {
      out[`${which}_x`] = { values: s.x, shape: [s.n, d] };
    }
    if (ds.kind === 'classification') {
      out[`${which}_labels`] = { values: Int32Array.from(labelsOf(s.y, ds.outputDim)), shape: [s.n] };
    } else if (ds.kind === 'regression') {
      out[`${which}_y`] = { values: s.y, shape: [s.n, ds.outputDim] };
    }
  }
  if (table) out['x_values'] = { values: table.values, shape: [table.values.length] };
  return out;
}

/** The distinct values of the arrays when there are at most 256, with each one's code; else null. */
function valueTable(arrays: readonly Float32Array[]): { values: Float32Array; code: Map<number, number> } | null {
  const seen = new Set<number>();
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      // -0 and 0 are one Map key but two float32 bit patterns: keep such data as float32.
      if (Object.is(a[i], -0)) return null;
      seen.add(a[i]!);
      if (seen.size > 256) return null;
    }
  }
  const values = Float32Array.from([...seen].sort((p, q) => p - q));
  return { values, code: new Map([...values].map((v, i) => [v, i])) };
}

/** The .npz bytes of a dataset's splits. */
export function dataFile(ds: Dataset): Uint8Array<ArrayBuffer> {
  return npz(dataArrays(ds));
}
