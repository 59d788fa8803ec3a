/**
 * CPU reference of shaders/elementwise.wgsl: axpby (out = a·x + b·y), hadamard (out = a·x∘y) and fill.
 * Coefficients are evaluated at run time from device scalars: value = c·Π t[0]^power, with power ±½ as
 * sqrt / 1/sqrt (as WGSL's sqrt and inverseSqrt), so recorded programs need no readback.
 * out may alias x or y exactly: each element is read before it is written.
 */
import type { Coef } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import type { FloatArray } from './types.ts';

/** Resolves a tensor to its array, as the backend does at record time. */
export type FloatResolver = (t: Tensor) => FloatArray;

/** Returns a function evaluating a Coef at run time (refs are read when called, not when recorded). */
export function compileCoef(coef: Coef, resolve: FloatResolver): () => number {
  const refs = (coef.refs ?? []).map((r) => ({ data: resolve(r.t), at: r.t.offset, power: r.power }));
  const c = coef.c;
  if (refs.length === 0) return () => c;
  return () => {
    let value = c;
    for (const { data, at, power } of refs) {
      const x = data[at]!;
      value *= power === 1 ? x : power === -1 ? 1 / x : power === 0.5 ? Math.sqrt(x) : 1 / Math.sqrt(x);
    }
    return value;
  };
}

/** out = a·x (y undefined) or a·x + b·y over n elements. */
export function axpby(
  n: number,
  a: number,
  x: FloatArray,
  xOff: number,
  b: number,
  y: FloatArray | undefined,
  yOff: number,
  out: FloatArray,
  outOff: number,
): void {
  if (y) {
    for (let i = 0; i < n; i++) out[outOff + i] = a * x[xOff + i]! + b * y[yOff + i]!;
  } else {
    for (let i = 0; i < n; i++) out[outOff + i] = a * x[xOff + i]!;
  }
}

/** out = a·x∘y over n elements. */
export function hadamard(
  n: number,
  a: number,
  x: FloatArray,
  xOff: number,
  y: FloatArray,
  yOff: number,
  out: FloatArray,
  outOff: number,
): void {
  for (let i = 0; i < n; i++) out[outOff + i] = a * x[xOff + i]! * y[yOff + i]!;
}

/** out[:n] = value. */
export function fill(n: number, value: number, out: FloatArray, outOff: number): void {
  out.fill(value, outOff, outOff + n);
}
