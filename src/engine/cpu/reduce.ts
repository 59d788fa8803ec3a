/**
 * CPU reference of shaders/reduce.wgsl: out[0] (+)= scale·Σ x (sum), Σ x·y (dot) or Σ x² (sumsq).
 * Accumulates in float64 whatever the storage precision, so it is the accurate side of every comparison
 * with the GPU's f32 tree reduction.
 */
import type { FloatArray } from './types.ts';

/** The reduction's value, scale·Σ(...), over n elements. */
export function reduceValue(
  kind: 'sum' | 'dot' | 'sumsq',
  n: number,
  x: FloatArray,
  xOff: number,
  y: FloatArray | undefined,
  yOff: number,
  scale: number,
): number {
  let s = 0;
  if (kind === 'sum') {
    for (let i = 0; i < n; i++) s += x[xOff + i]!;
  } else if (kind === 'sumsq') {
    for (let i = 0; i < n; i++) {
      const v = x[xOff + i]!;
      s += v * v;
    }
  } else {
    if (!y) throw new TypeError('reduce: dot needs y');
    for (let i = 0; i < n; i++) s += x[xOff + i]! * y[yOff + i]!;
  }
  return scale * s;
}

/** out[outOff] = value, or out[outOff] + value when accumulating. */
export function reduceInto(value: number, accumulate: boolean, out: FloatArray, outOff: number): void {
  out[outOff] = accumulate ? out[outOff]! + value : value;
}
