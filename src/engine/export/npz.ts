/**
 * numpy's file formats, written without numpy: .npy (format 1.0, little-endian, C order) and .npz (a zip of
 * .npy files, stored uncompressed, as np.savez writes it), and a plain stored zip for bundling several
 * downloads into one. Framework-free; the exported PyTorch script reads these with np.load.
 */

/** An array to write: float32, uint8 or int32 values with their shape (row-major). */
export interface NpyArray {
  readonly values: Float32Array | Uint8Array | Int32Array;
  readonly shape: readonly number[];
}

const DESCR = (v: NpyArray['values']): string =>
  v instanceof Float32Array ? '<f4' : v instanceof Int32Array ? '<i4' : '|u1';

/** One .npy file. */
export function npy(a: NpyArray): Uint8Array<ArrayBuffer> {
  const count = a.shape.reduce((p, d) => p * d, 1);
  if (count !== a.values.length) {
    throw new Error(`npy: shape (${a.shape.join(', ')}) holds ${count} values, the array ${a.values.length}`);
  }
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${DESCR(a.values)}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const bytes = a.values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(10 + header.length + bytes * a.values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  const v = a.values;
  if (v instanceof Float32Array) for (let i = 0; i < v.length; i++) view.setFloat32(4 * i, v[i]!, true);
  else if (v instanceof Int32Array) for (let i = 0; i < v.length; i++) view.setInt32(4 * i, v[i]!, true);
  else out.set(v, 10 + header.length);
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (the zip format's: polynomial 0xEDB88320, reflected). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of the given files, stored (no compression); names are ASCII. Up to 4 GiB in all. */
export function storedZip(files: readonly { name: string; data: Uint8Array }[]): Uint8Array<ArrayBuffer> {
  const names = files.map((f) => Uint8Array.from(f.name, (c) => c.charCodeAt(0)));
  const local = files.reduce((s, f, i) => s + 30 + names[i]!.length + f.data.length, 0);
  const central = files.reduce((s, _, i) => s + 46 + names[i]!.length, 0);
  if (local + central + 22 > 0xffffffff || files.length > 0xffff) throw new Error('zip: too large without zip64');
  const out = new Uint8Array(local + central + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  const crcs = files.map((f) => crc32(f.data));
  // 1980-01-01 00:00: a fixed time, so the same export gives the same bytes.
  const time = 0;
  const date = (0 << 9) | (1 << 5) | 1;
  files.forEach((f, i) => {
    offsets.push(at);
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 4, 20, true); // version needed: 2.0
    view.setUint16(at + 6, 0, true);
    view.setUint16(at + 8, 0, true); // stored
    view.setUint16(at + 10, time, true);
    view.setUint16(at + 12, date, true);
    view.setUint32(at + 14, crcs[i]!, true);
    view.setUint32(at + 18, f.data.length, true);
    view.setUint32(at + 22, f.data.length, true);
    view.setUint16(at + 26, names[i]!.length, true);
    view.setUint16(at + 28, 0, true);
    out.set(names[i]!, at + 30);
    out.set(f.data, at + 30 + names[i]!.length);
    at += 30 + names[i]!.length + f.data.length;
  });
  const cdStart = at;
  files.forEach((f, i) => {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, (3 << 8) | 20, true); // made by: Unix (so the attributes below apply), 2.0
    view.setUint16(at + 6, 20, true);
    view.setUint16(at + 8, 0, true);
    view.setUint16(at + 10, 0, true);
    view.setUint16(at + 12, time, true);
    view.setUint16(at + 14, date, true);
    view.setUint32(at + 16, crcs[i]!, true);
    view.setUint32(at + 20, f.data.length, true);
    view.setUint32(at + 24, f.data.length, true);
    view.setUint16(at + 28, names[i]!.length, true);
    // extra, comment, disk, internal attributes: 0; external attributes: a regular file, rw-r--r--.
    view.setUint32(at + 38, (0o100644 << 16) >>> 0, true);
    view.setUint32(at + 42, offsets[i]!, true);
    out.set(names[i]!, at + 46);
    at += 46 + names[i]!.length;
  });
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, at - cdStart, true);
  view.setUint32(at + 16, cdStart, true);
  return out;
}

/** An .npz file: each array as `<name>.npy` in a stored zip, as np.savez writes them. */
export function npz(arrays: Readonly<Record<string, NpyArray>>): Uint8Array<ArrayBuffer> {
  return storedZip(Object.entries(arrays).map(([name, a]) => ({ name: `${name}.npy`, data: npy(a) })));
}
