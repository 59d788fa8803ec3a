/**
 * CPU reference of shaders/optimizer.wgsl: fused SGD-momentum and Adam/AdamW updates over a flat
 * parameter buffer, hyperparameters read at run time from a device tensor, by field name from the layouts
 * the WGSL declares (structs SgdHyper / AdamHyper, engine/hyper.ts).
 *   sgd  (PyTorch SGD, dampening 0, no Nesterov), hyper {lr, μ, wd}:  g = ∇ + wd·θ;  m ← μ·m + g;  θ ← θ − lr·m.
 *   adam (Kingma & Ba; AdamW of Loshchilov & Hutter when decoupled ≠ 0),
 *     hyper {lr, β1, β2, ε, wd, decoupled, bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ}:
 *     Adam g = ∇ + wd·θ | AdamW θ ← θ − lr·wd·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *     θ ← θ − lr·(m/bc1)/(√(v/bc2) + ε).   The grad buffer is never written.
 */
import { ADAM_LAYOUT, SGD_LAYOUT } from '../hyper.ts';
import type { FloatArray } from './types.ts';

const S = SGD_LAYOUT.offset;
const A = ADAM_LAYOUT.offset;

/** One SGD-momentum step over n parameters. */
export function sgd(
  n: number,
  param: FloatArray,
  pOff: number,
  grad: FloatArray,
  gOff: number,
  mom: FloatArray,
  mOff: number,
  hyper: FloatArray,
  hOff: number,
): void {
  const lr = hyper[hOff + S.lr]!;
  const mu = hyper[hOff + S.momentum]!;
  const wd = hyper[hOff + S.weight_decay]!;
  for (let i = 0; i < n; i++) {
    const theta = param[pOff + i]!;
    const m = mu * mom[mOff + i]! + grad[gOff + i]! + wd * theta;
    mom[mOff + i] = m;
    param[pOff + i] = theta - lr * m;
  }
}

/** One Adam / AdamW step over n parameters. */
export function adam(
  n: number,
  param: FloatArray,
  pOff: number,
  grad: FloatArray,
  gOff: number,
  m: FloatArray,
  mOff: number,
  v: FloatArray,
  vOff: number,
  hyper: FloatArray,
  hOff: number,
): void {
  const lr = hyper[hOff + A.lr]!;
  const b1 = hyper[hOff + A.beta1]!;
  const b2 = hyper[hOff + A.beta2]!;
  const eps = hyper[hOff + A.eps]!;
  const wd = hyper[hOff + A.weight_decay]!;
  const decoupled = hyper[hOff + A.decoupled]! !== 0;
  const bc1 = hyper[hOff + A.bc1]!;
  const bc2 = hyper[hOff + A.bc2]!;
  for (let i = 0; i < n; i++) {
    let theta = param[pOff + i]!;
    let g = grad[gOff + i]!;
    if (decoupled) theta -= lr * wd * theta;
    else g += wd * theta;
    const mi = b1 * m[mOff + i]! + (1 - b1) * g;
    const vi = b2 * v[vOff + i]! + (1 - b2) * g * g;
    m[mOff + i] = mi;
    v[vOff + i] = vi;
    param[pOff + i] = theta - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
