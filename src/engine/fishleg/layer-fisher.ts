/**
 * The exact Fisher block of ONE layer, without the whole model's Fisher: for W̄_l (m×p, p = n + 1) the output
 * Jacobian factors as ∂μ/∂W̄_ab = (∂μ/∂s_a)·ā_b, so with G_i = ∂μ_i/∂s_l (k×m) and M_i = G_iᵀΛ_iG_i (m×m)
 *   F_ll = (1/B) Σ_i M_i ⊗ ā_i ā_iᵀ   (row-major vec(W̄), index a·p + b).
 * G_i comes from m R-op passes with a unit tangent on one bias each (∂s_a/∂b_a = 1), against one pass per
 * parameter of the whole model for `exactFisher` (views.ts): the 16-unit layer of the MNIST autoencoder costs
 * 16 passes instead of ~10⁵. The block is kept as a factor Z (F_ll = ZZᵀ) whose columns are c ⊗ ā_i, one per
 * row i and nonzero eigenvalue of M_i = Σ_c c cᵀ, so its eigendecomposition can go through the smaller of ZZᵀ
 * (d×d) and ZᵀZ (r×r), and products with Z cost m + p per column instead of d = m·p.
 * A conv layer has T output positions per example, each with its patch ā_it and its own ∂μ_i/∂s_it, so its
 * columns are Σ_t c_t ⊗ ā_it (docs/kfac.md §6): they come from one backward pass per network output (the
 * bias tangents of the R-op would sum the positions) and the eigenpairs of each Λ_i.
 * Host float64; readbacks, so for views only.
 */
import { outputFisher, type FisherModel } from './views.ts';
import { layerErrors } from '../curvature/fisher.ts';
import { kronShape, layerKind } from '../layers/registry.ts';
import { backwardOps, forwardOps, gatherInputsOp, ropOps, Workspace, type DeviceSplit } from '../model/passes.ts';
import type { Likelihood } from '../ops.ts';
import type { Tensor } from '../tensor.ts';
import { symmetricEigen } from './symeig.ts';

/** F_ll = Z Zᵀ of one layer block on some rows; Z's column c is vec(c_c ⊗ ā_row(c)) (row-major W̄ order). */
export interface LayerFisher {
  readonly m: number;
  readonly p: number;
  /** Block side, m·p. */
  readonly d: number;
  /** Columns of Z. */
  readonly r: number;
  /** Row-major r×(T·m): the output-side parts c_ct of each column, position by position, 1/√B included. */
  readonly c: Float64Array;
  /** Row-major (rows·T)×p: the layer's Kronecker rows ā_it (ones column included), T consecutive per row. */
  readonly abar: Float64Array;
  /** T, the Kronecker rows per example (layers/types.ts KronRows.positions); 1 when absent (a dense layer). */
  readonly positions?: number;
  /** The training row (0..rows−1) of each column. */
  readonly rowOf: Uint32Array;
  /** Rows averaged over. */
  readonly rows: number;
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

/** The factor Z of layer l's exact Fisher block on rows `idx` of a split: m R-op passes, m + 2 readbacks. */
export async function layerFisher(
  model: FisherModel,
  split: DeviceSplit,
  idx: readonly number[],
  l: number,
): Promise<LayerFisher> {
  const { backend, layout, params, likelihood, sigma } = model;
  const layer = layout.layers[l];
  if (!layer) throw new RangeError(`layer ${l} does not exist (the model has ${layout.layers.length})`);
  // The layer's parameters as its Kronecker sides see them: an m×p matrix, the bias in the last column.
  const { m, p } = kronShape(layer);
  const { offset } = layer;
  const n = p - 1;
  const d = m * p;
  const B = idx.length;
  const ws = new Workspace(backend, layout, B, 'view.layerFisher');
  const k = ws.outDim;
  const fwd = backend.record('view.layerForward', [gatherInputsOp(ws, split.x, B), ...forwardOps(ws, params, B)]);
  try {
    backend.write(ws.idx, idx);
    backend.run(fwd);
    const rows = layerKind(layer).kronRows(layer, B, ws.a[l]!, layerErrors(ws, l), ws.scratch[l]!);
    if (!rows) throw new RangeError(`layer ${l} (${layer.kind}) has no parameters, so no Fisher block`);
    const T = rows.positions;
    const mu = Float64Array.from(await backend.read(ws.mu)).subarray(0, B * k);
    const abar = Float64Array.from(await backend.read(rows.a)).subarray(0, B * T * p);
    const block = { m, p, d, abar: Float64Array.from(abar), rows: B };
    if (T > 1) return { ...block, positions: T, ...(await positionColumns(model, ws, mu, rows.e, T * m)) };
    // jac[i][c·m + a] = ∂μ_ic/∂s_a: the bias tangent of unit a (bias = last column of W̄'s row a).
    const tangent = backend.alloc(layout.total, 'view.layerTangent');
    const rop = backend.record('view.layerRop', ropOps(ws, params, tangent, B));
    const jac = Array.from({ length: B }, () => new Float64Array(k * m));
    try {
      for (let a = 0; a < m; a++) {
        if (a > 0) backend.write(tangent, [0], offset + (a - 1) * p + n);
        backend.write(tangent, [1], offset + a * p + n);
        backend.run(rop);
        const dmu = await backend.read(ws.dmu);
        for (let i = 0; i < B; i++) for (let c = 0; c < k; c++) jac[i]![c * m + a] = dmu[i * k + c]!;
      }
    } finally {
      backend.release(rop);
      backend.free(tangent);
    }
    // M_i = C_i C_iᵀ from its eigenpairs; each kept column of C_i, over √B, gives a column of Z with ā_i.
    const cs: number[] = [];
    const rowOf: number[] = [];
    for (let i = 0; i < B; i++) {
      const M = outputSandwich(likelihood, mu.subarray(i * k, (i + 1) * k), sigma, jac[i]!, m);
      const { values, vectors } = symmetricEigen(M, m);
      const top = Math.max(0, values[m - 1]!);
      for (let j = 0; j < m; j++) {
        // Softmax's Λ is singular, so is M: drop its null directions (and rounding below zero).
        if (!(values[j]! > 1e-12 * top)) continue;
        const s = Math.sqrt(values[j]! / B);
        for (let a = 0; a < m; a++) cs.push(s * vectors[j * m + a]!);
        rowOf.push(i);
      }
    }
    return { ...block, r: rowOf.length, c: Float64Array.from(cs), rowOf: Uint32Array.from(rowOf) };
  } finally {
    backend.release(fwd);
    ws.dispose();
  }
}

/**
 * The columns of a layer with T > 1 positions: per row i and eigenpair (λ, u) of Λ_i, c = √(λ/B) Σ_o u_o ∂μ_io/∂S_i
 * (T·m values, position by position), the derivatives from one backward pass per output o with ∂nll/∂μ = e_o.
 */
async function positionColumns(
  model: FisherModel,
  ws: Workspace,
  mu: Float64Array,
  errors: Tensor,
  width: number,
): Promise<{ r: number; c: Float64Array; rowOf: Uint32Array }> {
  const { backend, layout, params, likelihood, sigma } = model;
  const B = ws.rows;
  const k = ws.outDim;
  // Only the errors are read: every layer skips its weight gradient, so the gradient buffer is never written.
  const unused = backend.alloc(1, 'view.layerUnusedGrads');
  const back = backend.record(
    'view.layerBackward',
    backwardOps(ws, params, unused, B, 1, 0, new Set(layout.layers.map((_, l) => l))),
  );
  try {
    const jac: Float64Array[] = [];
    for (let o = 0; o < k; o++) {
      const unit = new Float32Array(B * k);
      for (let i = 0; i < B; i++) unit[i * k + o] = 1;
      backend.write(ws.gout, unit);
      backend.run(back);
      jac.push(Float64Array.from(await backend.read(errors)).subarray(0, B * width));
    }
    const cs: number[] = [];
    const rowOf: number[] = [];
    for (let i = 0; i < B; i++) {
      const { values, vectors } = symmetricEigen(outputFisher(likelihood, mu.subarray(i * k, (i + 1) * k), sigma), k);
      const top = Math.max(0, values[k - 1]!);
      for (let j = 0; j < k; j++) {
        if (!(values[j]! > 1e-12 * top)) continue;
        const s = Math.sqrt(values[j]! / B);
        const col = new Float64Array(width);
        for (let o = 0; o < k; o++) {
          const w = s * vectors[j * k + o]!;
          if (w === 0) continue;
          const g = jac[o]!;
          for (let q = 0; q < width; q++) col[q] = col[q]! + w * g[i * width + q]!;
        }
        cs.push(...col);
        rowOf.push(i);
      }
    }
    return { r: rowOf.length, c: Float64Array.from(cs), rowOf: Uint32Array.from(rowOf) };
  } finally {
    backend.release(back);
    backend.free(unused);
  }
}

/** Z's columns as d-vectors (r×d): Σ_t c_ct ⊗ ā_row(c),t, for a layer with T > 1 positions. */
function explicitColumns(f: LayerFisher, T: number): Float64Array {
  const { m, p, d, r, c, abar, rowOf } = f;
  const z = new Float64Array(r * d);
  for (let col = 0; col < r; col++) {
    for (let t = 0; t < T; t++) {
      const a0 = (rowOf[col]! * T + t) * p;
      for (let a = 0; a < m; a++) {
        const ca = c[(col * T + t) * m + a]!;
        if (ca === 0) continue;
        const base = col * d + a * p;
        for (let b = 0; b < p; b++) z[base + b] = z[base + b]! + ca * abar[a0 + b]!;
      }
    }
  }
  return z;
}

/** F_ll as a dense d×d matrix: Σ_c (c_c c_cᵀ) ⊗ (ā āᵀ), by rows of W̄ (Σ_c z_c z_cᵀ for a layer with positions). */
export function denseLayerFisher(f: LayerFisher): Float64Array {
  const { m, p, d, r, c, abar, rowOf } = f;
  const out = new Float64Array(d * d);
  const T = f.positions ?? 1;
  if (T > 1) {
    const z = explicitColumns(f, T);
    for (let col = 0; col < r; col++)
      for (let i = 0; i < d; i++) {
        const x = z[col * d + i]!;
        if (x === 0) continue;
        for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! + x * z[col * d + j]!;
      }
    return out;
  }
  for (let col = 0; col < r; col++) {
    const a0 = rowOf[col]! * p;
    for (let a = 0; a < m; a++) {
      const ca = c[col * m + a]!;
      if (ca === 0) continue;
      for (let b = 0; b < p; b++) {
        const x = ca * abar[a0 + b]!;
        if (x === 0) continue;
        const row = (a * p + b) * d;
        for (let a2 = 0; a2 < m; a2++) {
          const y = x * c[col * m + a2]!;
          const base = row + a2 * p;
          for (let b2 = 0; b2 < p; b2++) out[base + b2] = out[base + b2]! + y * abar[a0 + b2]!;
        }
      }
    }
  }
  return out;
}

/** ZᵀZ (r×r): (c_c · c_c′)(ā_row(c) · ā_row(c′)), or from the explicit columns of a layer with positions. */
function gram(f: LayerFisher): Float64Array {
  const { m, p, r, c, abar, rowOf, rows } = f;
  const T = f.positions ?? 1;
  if (T > 1) {
    const { d } = f;
    const z = explicitColumns(f, T);
    const g = new Float64Array(r * r);
    for (let x = 0; x < r; x++)
      for (let y = 0; y <= x; y++) {
        let v = 0;
        for (let i = 0; i < d; i++) v += z[x * d + i]! * z[y * d + i]!;
        g[x * r + y] = v;
        g[y * r + x] = v;
      }
    return g;
  }
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

/** Z v into `out` (length d): per row i, (Σ_c v_c c_c) ⊗ ā_i over the columns of that row (or from explicit columns). */
function applyZ(f: LayerFisher, v: ArrayLike<number>, out: Float64Array): void {
  const { m, p, r, c, abar, rowOf, rows } = f;
  const T = f.positions ?? 1;
  if (T > 1) {
    const { d } = f;
    const z = explicitColumns(f, T);
    for (let col = 0; col < r; col++) {
      const vc = v[col]!;
      if (vc === 0) continue;
      for (let i = 0; i < d; i++) out[i] = out[i]! + vc * z[col * d + i]!;
    }
    return;
  }
  const w = new Float64Array(rows * m);
  for (let col = 0; col < r; col++) {
    const vc = v[col]!;
    if (vc === 0) continue;
    const o = rowOf[col]! * m;
    for (let a = 0; a < m; a++) w[o + a] = w[o + a]! + vc * c[col * m + a]!;
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
