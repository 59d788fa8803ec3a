/**
 * Shared types of the CPU reference kernels: the typed arrays behind storages and the run-time context a
 * compiled op closure receives. Kept apart so that every kernel file can import them without cycles.
 */

/** Float storage: Float32Array on the 'f32' backend, Float64Array on the 'f64' one (gradient checks). */
export type FloatArray = Float32Array | Float64Array;

/** Any storage's data: floats, or Uint32Array for 'u32' tensors (indices, RNG counters). */
export type StorageArray = FloatArray | Uint32Array;

/** A compiled op: all operands resolved at record time, run many times. */
export type Kernel = () => void;

/** Grows-on-demand scratch memory shared by the kernels of one backend (single-threaded, so no races). */
export class Scratch {
  private f64 = new Float64Array(0);
  private f = new Float64Array(0) as FloatArray;

  constructor(private readonly precision: 'f32' | 'f64') {}

  /** A Float64Array of at least n elements; contents are undefined. */
  float64(n: number): Float64Array {
    if (this.f64.length < n) this.f64 = new Float64Array(n);
    return this.f64;
  }

  /** An array of the backend's float type with at least n elements; contents are undefined. */
  float(n: number): FloatArray {
    if (this.f.length < n) this.f = this.precision === 'f32' ? new Float32Array(n) : new Float64Array(n);
    return this.f;
  }
}
