/**
 * The exact Fisher block of ONE layer, without the whole model's Fisher. The layer's parameters are an m×p
 * matrix W̄ (layers/types.ts KronShape) applied at t positions per example (t = 1 for a dense layer, the output
 * pixels of a conv layer) to rows ā_it, so ∂μ/∂W̄_ab = Σ_t (∂μ/∂s_ta)·ā_tb, and with G_i = ∂μ_i/∂s_l
 * (k × t·m) and M_i = G_iᵀΛ_iG_i the block is F_ll = (1/B) Σ_i Σ_c z_ic z_icᵀ over a factor M_i = Σ_c w_c w_cᵀ,
 * z = Σ_t w_t ⊗ ā_it (row-major vec(W̄), index a·p + b).
 * A dense layer's G_i comes from m R-op passes with a unit tangent on one bias each (∂s_a/∂b_a = 1), against
 * one pass per parameter of the whole model for `exactFisher` (views.ts): the 16-unit layer of the MNIST
 * autoencoder costs 16 passes instead of ~10⁵. A conv layer's bias moves every position at once, so its G_i
 * comes from k backward passes from a unit output instead. The block is kept as the factor Z (F_ll = ZZᵀ) of
 * columns z, so its eigendecomposition can go through the smaller of ZZᵀ (d×d) and ZᵀZ (r×r).
 * Host float64; readbacks, so for views only.
 */
import type { FisherModel } from './views.ts';
import { kronPositions, kronShape } from '../layers/registry.ts';
import { backwardOps, forwardOps, gatherInputsOp, ropOps, Workspace, type DeviceSplit } from '../model/passes.ts';
import type { LayerLayout } from '../layers/types.ts';
import type { Likelihood } from '../ops.ts';
import { symmetricEigen } from './symeig.ts';
import { layerKronRows } from '../curvature/fisher.ts';

/**
 * F_ll = Z Zᵀ of one layer block on some rows; Z's column c is vec(Σ_t c_ct ⊗ ā_row(c),t) (row-major W̄ order).
 */
export interface LayerFisher {
  readonly m: number;
  readonly p: number;
  /** Block side, m·p. */
  readonly d: number;
  /** Columns of Z. */
  readonly r: number;
  /** Kronecker rows per example t (1 for a dense layer, the output pixels of a conv layer). */
  readonly positions: number;
  /** Row-major r×(t·m): the output-side parts c_ct of each column, position by position, 1/√B included. */
  readonly c: Float64Array;
  /** Row-major (rows·t)×p: the layer's Kronecker rows ā_it (ones column included), example by example. */
  readonly abar: Float64Array;
  /** The training row (0..rows−1) of each column. */
  readonly rowOf: Uint32Array;
  /** Rows averaged over. */
  readonly rows: number;
}

/** Thrown for a layer that has no Fisher block (no parameters, e.g. pooling). */
export class NoFisherBlockError extends RangeError {
  override readonly name = 'NoFisherBlockError';
}

/** M = Gᵀ Λ(μ) G for one example, G k×m row-major (∂μ_c/∂s_a at c·m + a), without forming the k×k Λ. */
export function outputSandwich(lik: Likelihood, mu: ArrayLike<number>, sigma: number, g: ArrayLike<number>, m: number) {
  const k = mu.length;
  const out = new Float64Array(m * m);
  // Λ is diagonal (weights w) for Gaussian and Bernoulli outputs; softmax's is diag(p) − ppᵀ.
  const w = new Float64Array(k);
  if (lik === 'gaussian') w.fill(1 / (sigma * sigma));
  else if (lik === 'bernoulli') {
    for (let c = 0; c < k; c++) {
      const p = 1 / (1 + Math.exp(-mu[c]!));
      w[c] = p * (1 - p);
    }
  } else {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, mu[c]!);
    let z = 0;
    for (let c = 0; c < k; c++) z += w[c] = Math.exp(mu[c]! - max);
    for (let c = 0; c < k; c++) w[c] = w[c]! / z;
  }
  for (let c = 0; c < k; c++) {
    const wc = w[c]!;
    if (wc === 0) continue;
    for (let a = 0; a < m; a++) {
      const ga = wc * g[c * m + a]!;
      if (ga === 0) continue;
      for (let b = 0; b < m; b++) out[a * m + b] = out[a * m + b]! + ga * g[c * m + b]!;
    }
  }
  if (lik === 'categorical') {
    const pg = new Float64Array(m);
    for (let c = 0; c < k; c++) for (let a = 0; a < m; a++) pg[a] = pg[a]! + w[c]! * g[c * m + a]!;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = out[a * m + b]! - pg[a]! * pg[b]!;
  }
  return out;
}

/** Columns w_c of a factor of Λ(μ) = Σ_c w_c w_cᵀ (row-major k×k, row c is w_c), without an eigendecomposition. */
export function outputFactor(lik: Likelihood, mu: ArrayLike<number>, sigma: number): Float64Array {
  const k = mu.length;
  const out = new Float64Array(k * k);
  if (lik === 'gaussian') {
    for (let c = 0; c < k; c++) out[c * k + c] = 1 / sigma;
  } else if (lik === 'bernoulli') {
    for (let c = 0; c < k; c++) {
      const q = 1 / (1 + Math.exp(-mu[c]!));
      out[c * k + c] = Math.sqrt(q * (1 - q));
    }
  } else {
    // diag(q) − qqᵀ = Σ_c q_c (e_c − q)(e_c − q)ᵀ.
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, mu[c]!);
    const q = Array.from({ length: k }, (_, c) => Math.exp(mu[c]! - max));
    const z = q.reduce((x, y) => x + y, 0);
    for (let c = 0; c < k; c++) q[c] = q[c]! / z;
    for (let c = 0; c < k; c++) {
      const s = Math.sqrt(q[c]!);
      for (let j = 0; j < k; j++) out[c * k + j] = s * ((c === j ? 1 : 0) - q[j]!);
    }
  }
  return out;
}

/**
 * G_i = ∂μ_i/∂s_l per row i (k × M, M = the layer's outputs t·m, at c·M + o): M R-op passes with a unit bias
 * tangent for a dense layer, k backward passes from a unit output for a conv layer (its bias moves every position).
 */
async function outputJacobians(model: FisherModel, ws: Workspace, l: number, B: number): Promise<Float64Array[]> {
  const { backend, layout, params } = model;
  const layer = layout.layers[l]!;
  const { p } = kronShape(layer);
  const M = layer.m;
  const k = ws.outDim;
  const jac = Array.from({ length: B }, () => new Float64Array(k * M));
  if (kronPositions(layer) === 1) {
    const tangent = backend.alloc(layout.total, 'view.layerTangent');
    const rop = backend.record('view.layerRop', ropOps(ws, params, tangent, B));
    try {
      const bias = (a: number) => layer.offset + a * p + p - 1;
      for (let a = 0; a < M; a++) {
        if (a > 0) backend.write(tangent, [0], bias(a - 1));
        backend.write(tangent, [1], bias(a));
        backend.run(rop);
        const dmu = await backend.read(ws.dmu);
        for (let i = 0; i < B; i++) for (let c = 0; c < k; c++) jac[i]![c * M + a] = dmu[i * k + c]!;
      }
    } finally {
      backend.release(rop);
      backend.free(tangent);
    }
    return jac;
  }
  const grads = backend.alloc(layout.total, 'view.layerGrads');
  const none = new Set(layout.layers.map((_, j) => j));
  const back = backend.record('view.layerBackward', backwardOps(ws, params, grads, B, 1, 0, none));
  const e = layerKronRows(ws, l, B)!.e;
  try {
    for (let c = 0; c < k; c++) {
      const unit = new Float32Array(B * k);
      for (let i = 0; i < B; i++) unit[i * k + c] = 1;
      backend.write(ws.gout, unit);
      backend.run(back);
      const g = await backend.read(e);
      for (let i = 0; i < B; i++) jac[i]!.set(g.subarray(i * M, (i + 1) * M), c * M);
    }
  } finally {
    backend.release(back);
    backend.free(grads);
  }
  return jac;
}

/**
 * The factor Z of layer l's exact Fisher block on rows `idx` of a split. Per row, the output side is M_i's
 * eigenvectors (M_i is m×m for a dense layer; t·m square for a conv layer where that is at most k) or G_iᵀ
 * times the k columns of Λ_i's factor (a conv layer with t·m > k): layerFisherColumns counts them.
 */
export async function layerFisher(
  model: FisherModel,
  split: DeviceSplit,
  idx: readonly number[],
  l: number,
): Promise<LayerFisher> {
  const { backend, layout, params, likelihood, sigma } = model;
  const layer = layout.layers[l];
  if (!layer) throw new RangeError(`layer ${l} does not exist (the model has ${layout.layers.length})`);
  if (layer.size === 0)
    throw new NoFisherBlockError(`layer ${l} (${layer.kind}) has no parameters, so no Fisher block`);
  const { m, p } = kronShape(layer);
  const t = kronPositions(layer);
  const M = layer.m;
  const d = m * p;
  const B = idx.length;
  const ws = new Workspace(backend, layout, B, 'view.layerFisher');
  const k = ws.outDim;
  const fwd = backend.record('view.layerForward', [gatherInputsOp(ws, split.x, B), ...forwardOps(ws, params, B)]);
  try {
    backend.write(ws.idx, idx);
    backend.run(fwd);
    const mu = Float64Array.from(await backend.read(ws.mu)).subarray(0, B * k);
    const abar = Float64Array.from(await backend.read(layerKronRows(ws, l, B)!.a)).slice(0, B * t * p);
    const jac = await outputJacobians(model, ws, l, B);
    const cs: number[] = [];
    const rowOf: number[] = [];
    for (let i = 0; i < B; i++) {
      const mui = mu.subarray(i * k, (i + 1) * k);
      if (t === 1 || M <= k) {
        // M_i = C_i C_iᵀ from its eigenpairs; each kept column of C_i, over √B, gives a column of Z.
        const { values, vectors } = symmetricEigen(outputSandwich(likelihood, mui, sigma, jac[i]!, M), M);
        const top = Math.max(0, values[M - 1]!);
        for (let j = 0; j < M; j++) {
          // Softmax's Λ is singular, so is M: drop its null directions (and rounding below zero).
          if (!(values[j]! > 1e-12 * top)) continue;
          const s = Math.sqrt(values[j]! / B);
          for (let a = 0; a < M; a++) cs.push(s * vectors[j * M + a]!);
          rowOf.push(i);
        }
      } else {
        // M_i = Σ_c (G_iᵀw_c)(G_iᵀw_c)ᵀ over the columns w_c of Λ_i's factor.
        const w = outputFactor(likelihood, mui, sigma);
        const g = jac[i]!;
        for (let c = 0; c < k; c++) {
          const col = new Float64Array(M);
          for (let j = 0; j < k; j++) {
            const wj = w[c * k + j]! / Math.sqrt(B);
            if (wj !== 0) for (let a = 0; a < M; a++) col[a] = col[a]! + wj * g[j * M + a]!;
          }
          if (col.every((x) => x === 0)) continue;
          cs.push(...col);
          rowOf.push(i);
        }
      }
    }
    return {
      m,
      p,
      d,
      r: rowOf.length,
      positions: t,
      c: Float64Array.from(cs),
      abar,
      rowOf: Uint32Array.from(rowOf),
      rows: B,
    };
  } finally {
    backend.release(fwd);
    ws.dispose();
  }
}

/** Columns of Z one training row adds at most for `layer` with k network outputs (layerFisher's choice). */
export function layerFisherColumns(layer: LayerLayout, k: number, lik: Likelihood): number {
  const rankLambda = lik === 'categorical' ? k - 1 : k;
  const M = layer.m;
  if (kronPositions(layer) === 1 || M <= k) return Math.max(1, Math.min(M, rankLambda));
  return k;
}

/** Column `col` of Z: Σ_t c_ct ⊗ ā_row,t (length d). */
function zColumn(f: LayerFisher, col: number, out = new Float64Array(f.d)): Float64Array {
  const { m, p, positions: t, c, abar, rowOf } = f;
  out.fill(0);
  const row = rowOf[col]!;
  for (let pos = 0; pos < t; pos++) {
    const a0 = (row * t + pos) * p;
    const c0 = (col * t + pos) * m;
    for (let a = 0; a < m; a++) {
      const ca = c[c0 + a]!;
      if (ca === 0) continue;
      for (let b = 0; b < p; b++) out[a * p + b] = out[a * p + b]! + ca * abar[a0 + b]!;
    }
  }
  return out;
}

/** F_ll as a dense d×d matrix: Σ_c z_c z_cᵀ over the columns of Z. */
export function denseLayerFisher(f: LayerFisher): Float64Array {
  const { d, r } = f;
  const out = new Float64Array(d * d);
  const z = new Float64Array(d);
  for (let col = 0; col < r; col++) {
    zColumn(f, col, z);
    for (let i = 0; i < d; i++) {
      const zi = z[i]!;
      if (zi === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! + zi * z[j]!;
    }
  }
  return out;
}

/** ZᵀZ (r×r) from the columns themselves: positions > 1 make the factored form below cost t² times more. */
function columnGram(f: LayerFisher): Float64Array {
  const { d, r } = f;
  const z = new Float64Array(r * d);
  for (let col = 0; col < r; col++) zColumn(f, col, z.subarray(col * d, (col + 1) * d));
  const out = new Float64Array(r * r);
  for (let x = 0; x < r; x++) {
    for (let y = 0; y <= x; y++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += z[x * d + i]! * z[y * d + i]!;
      out[x * r + y] = s;
      out[y * r + x] = s;
    }
  }
  return out;
}

/** ZᵀZ (r×r): (c_c · c_c′)(ā_row(c) · ā_row(c′)) for one position per row. */
function gram(f: LayerFisher): Float64Array {
  if (f.positions > 1) return columnGram(f);
  const { m, p, r, c, abar, rowOf, rows } = f;
  const aa = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += abar[i * p + b]! * abar[j * p + b]!;
      aa[i * rows + j] = s;
      aa[j * rows + i] = s;
    }
  }
  const out = new Float64Array(r * r);
  for (let x = 0; x < r; x++) {
    for (let y = 0; y <= x; y++) {
      let s = 0;
      for (let a = 0; a < m; a++) s += c[x * m + a]! * c[y * m + a]!;
      const v = s * aa[rowOf[x]! * rows + rowOf[y]!]!;
      out[x * r + y] = v;
      out[y * r + x] = v;
    }
  }
  return out;
}

/** Z v into `out` (length d): per Kronecker row (i, t), (Σ_c v_c c_ct) ⊗ ā_it over the columns of row i. */
function applyZ(f: LayerFisher, v: ArrayLike<number>, out: Float64Array): void {
  const { m, p, r, c, abar, rowOf, positions: t } = f;
  const rows = f.rows * t;
  const w = new Float64Array(rows * m);
  for (let col = 0; col < r; col++) {
    const vc = v[col]!;
    if (vc === 0) continue;
    const o = rowOf[col]! * t * m;
    for (let a = 0; a < t * m; a++) w[o + a] = w[o + a]! + vc * c[col * t * m + a]!;
  }
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < m; a++) {
      const wa = w[i * m + a]!;
      if (wa === 0) continue;
      for (let b = 0; b < p; b++) out[a * p + b] = out[a * p + b]! + wa * abar[i * p + b]!;
    }
  }
}

/**
 * Eigenpairs of F_ll with eigenvalue above a relative cut, largest first. Directions not listed have eigenvalue 0
 * (to rounding): in the d − r dimensions Z does not span, and along M_i's null directions.
 */
export interface LayerFisherEigen {
  readonly d: number;
  /** Descending. */
  readonly values: Float64Array;
  /** Row-major q×d: row j is the unit eigenvector of values[j]. */
  readonly vectors: Float64Array;
}

/** Relative size below which an eigenvalue counts as zero (float32 R-op passes: ~1e-7 relative noise). */
const NULL_CUT = 1e-10;

/** The eigendecomposition of F_ll through ZZᵀ when d ≤ r, else through the r×r Gram ZᵀZ (u = Zv/√λ). */
export function layerFisherEigen(f: LayerFisher): LayerFisherEigen {
  const { d, r } = f;
  const dense = d <= r;
  const small = dense ? d : r;
  const { values, vectors } = symmetricEigen(dense ? denseLayerFisher(f) : gram(f), small);
  const top = Math.max(0, values[small - 1] ?? 0);
  const keep: number[] = [];
  for (let j = small - 1; j >= 0; j--) if (values[j]! > NULL_CUT * top) keep.push(j);
  const out = new Float64Array(keep.length * d);
  keep.forEach((j, q) => {
    const v = vectors.subarray(j * small, (j + 1) * small);
    if (dense) {
      out.set(v, q * d);
      return;
    }
    const u = out.subarray(q * d, (q + 1) * d);
    applyZ(f, v, u);
    const s = 1 / Math.sqrt(values[j]!);
    for (let i = 0; i < d; i++) u[i] = u[i]! * s;
  });
  return { d, values: Float64Array.from(keep, (j) => values[j]!), vectors: out };
}

/** Uᵀx: x's coordinates along the listed eigenvectors. */
function coords(e: LayerFisherEigen, x: ArrayLike<number>): Float64Array {
  const { d } = e;
  const q = e.values.length;
  const c = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += e.vectors[j * d + i]! * x[i]!;
    c[j] = s;
  }
  return c;
}

/** Σ_j u_j w_j(u_jᵀx) + w₀·x, with w_j = weight(λ_j) and w₀ = weight(0). */
function spectralApply(e: LayerFisherEigen, x: ArrayLike<number>, weight: (lambda: number) => number): Float64Array {
  const { d } = e;
  const w0 = weight(0);
  const out = Float64Array.from(x, (v) => w0 * v);
  const c = coords(e, x);
  for (let j = 0; j < c.length; j++) {
    const s = (weight(e.values[j]!) - w0) * c[j]!;
    if (s === 0) continue;
    for (let i = 0; i < d; i++) out[i] = out[i]! + s * e.vectors[j * d + i]!;
  }
  return out;
}

/** (F + γI)x. */
export function applyDampedFisher(e: LayerFisherEigen, gamma: number, x: ArrayLike<number>): Float64Array {
  return spectralApply(e, x, (lambda) => lambda + gamma);
}

/** (F + γI)⁻¹x. */
export function applyDampedInverse(e: LayerFisherEigen, gamma: number, x: ArrayLike<number>): Float64Array {
  return spectralApply(e, x, (lambda) => 1 / (lambda + gamma));
}

/** (F + γI)⁻¹ as a dense d×d matrix: I/γ minus the listed directions' share. */
export function denseDampedInverse(e: LayerFisherEigen, gamma: number): Float64Array {
  const { d } = e;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = 1 / gamma;
  for (let j = 0; j < e.values.length; j++) {
    const s = 1 / (e.values[j]! + gamma) - 1 / gamma;
    const u = e.vectors.subarray(j * d, (j + 1) * d);
    for (let a = 0; a < d; a++) {
      const sa = s * u[a]!;
      if (sa === 0) continue;
      for (let b = 0; b < d; b++) out[a * d + b] = out[a * d + b]! + sa * u[b]!;
    }
  }
  return out;
}

/** Uᵀx for the listed eigenvectors (exported for the spectrum view). */
export { coords as eigenCoordinates };
