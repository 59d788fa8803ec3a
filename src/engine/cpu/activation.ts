/**
 * CPU reference of shaders/activation.wgsl: actForward (out = f(s), plus the ones column that multiplies
 * the bias) and actBackward (out = d ∘ f'(s)), for identity / relu / tanh / sigmoid.
 * Derivatives are taken from the pre-activation s: relu'(s) = 1 if s > 0 else 0 (so relu'(0) = 0),
 * tanh' = 1 − tanh(s)², sigmoid' = σ(s)(1 − σ(s)). sigmoid is evaluated without overflow for either sign.
 */
import type { Activation } from '../ops.ts';
import type { FloatArray } from './types.ts';

/** Logistic sigmoid, stable for large |x| (exp of a non-positive number only). */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** f(x) per activation. */
export const ACT_FORWARD: Readonly<Record<Activation, (x: number) => number>> = {
  identity: (x) => x,
  relu: (x) => (x > 0 ? x : 0),
  tanh: Math.tanh,
  sigmoid,
};

/** f'(x) per activation, as a function of the pre-activation x. */
export const ACT_DERIVATIVE: Readonly<Record<Activation, (x: number) => number>> = {
  identity: () => 1,
  relu: (x) => (x > 0 ? 1 : 0),
  tanh: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
  sigmoid: (x) => {
    const p = sigmoid(x);
    return p * (1 - p);
  },
};

/** out[i·ldOut + j] = f(s[i·cols + j]) for j < cols; out[i·ldOut + cols] = 1 when ldOut > cols. */
export function actForward(
  act: Activation,
  rows: number,
  cols: number,
  s: FloatArray,
  sOff: number,
  out: FloatArray,
  outOff: number,
  ldOut: number,
): void {
  // Without a ones column the rows are contiguous: one long row (a conv layer's are its output pixels, a few
  // channels each, where the per-row work would dominate).
  if (ldOut === cols && rows > 1) return actForward(act, 1, rows * cols, s, sOff, out, outOff, ldOut * rows);
  const f = ACT_FORWARD[act];
  for (let i = 0; i < rows; i++) {
    const si = sOff + i * cols;
    const oi = outOff + i * ldOut;
    // relu and identity inline: a call through the table per element costs several times the work (conv
    // layers' outputs are the largest arrays a step touches).
    if (act === 'relu') {
      for (let j = 0; j < cols; j++) {
        const v = s[si + j]!;
        out[oi + j] = v > 0 ? v : 0;
      }
    } else if (act === 'identity') {
      for (let j = 0; j < cols; j++) out[oi + j] = s[si + j]!;
    } else {
      for (let j = 0; j < cols; j++) out[oi + j] = f(s[si + j]!);
    }
    if (ldOut > cols) out[oi + cols] = 1;
  }
}

/** out[i·ldOut + j] = d[i·ldD + j]·f'(s[i·cols + j]) for j < cols; out[i·ldOut + cols] = extra when ldOut > cols. */
export function actBackward(
  act: Activation,
  rows: number,
  cols: number,
  d: FloatArray,
  dOff: number,
  ldD: number,
  s: FloatArray,
  sOff: number,
  out: FloatArray,
  outOff: number,
  ldOut: number,
  extra: number,
): void {
  if (ldOut === cols && ldD === cols && rows > 1) {
    return actBackward(act, 1, rows * cols, d, dOff, ldD * rows, s, sOff, out, outOff, ldOut * rows, extra);
  }
  const df = ACT_DERIVATIVE[act];
  for (let i = 0; i < rows; i++) {
    const di = dOff + i * ldD;
    const si = sOff + i * cols;
    const oi = outOff + i * ldOut;
    if (act === 'relu') {
      for (let j = 0; j < cols; j++) out[oi + j] = d[di + j]! * (s[si + j]! > 0 ? 1 : 0);
    } else if (act === 'identity') {
      for (let j = 0; j < cols; j++) out[oi + j] = d[di + j]!;
    } else {
      for (let j = 0; j < cols; j++) out[oi + j] = d[di + j]! * df(s[si + j]!);
    }
    if (ldOut > cols) out[oi + cols] = extra;
  }
}
