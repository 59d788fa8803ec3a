// Output likelihoods (docs/fishleg.md §4, §8); mirrors src/engine/cpu/likelihood.ts. Dense rows × cols,
// mu = mean (gaussian) or logits; override `lik`: 0 gaussian, 1 bernoulli, 2 categorical.
//   nll_rows:       out[i] = Σ_j nll(y_ij | mu_ij): gaussian ½[log σ² + ((y−μ)/σ)²]; bernoulli μ(1−y) + softplus(−μ);
//                   categorical Σ_j y_j (lse(μ) − μ_j)                      (one invocation per row)
//   output_grad:    out = scale·∂nll/∂μ: gaussian (μ−y)/σ²; bernoulli σ(μ) − y   (per element)
//   output_grad_rows (categorical): out_ij = scale·((Σ_k y_ik)·softmax(μ_i)_j − y_ij)   (per row)
//   fisher_output:  out = scale·Λv: gaussian v/σ²; bernoulli p(1−p)v, p = σ(μ)       (per element)
//   fisher_output_rows (categorical): out_i = scale·(p ∘ v − p (pᵀv)), p = softmax(μ_i)   (per row)
//   draw:           gaussian μ + σ·normal; bernoulli 1[u < σ(μ)]                     (per element)
//   draw_rows (categorical): one-hot argmax_j (μ_j − log(−log u_j)), u_j ∈ (0, 1], ties and +∞ to the lowest j
// RNG: key (seed, stream), counter ((base + i·cols + j) mod 2³², 0), base = u0[ctr_off] (rng.wgsl).
// Bindings: P; tensors mu, y (y, or v for the Fisher), out in slots mu_slot, y_slot, out_slot; the draw
// counter in u0. 1-D problems (rows or rows·cols invocations) on a 2-D grid of `wg`-sized workgroups.

//!include bindings.wgsl
//!include rng.wgsl

struct Params {
  rows: u32,
  cols: u32,
  mu_off: u32,
  y_off: u32,
  out_off: u32,
  ctr_off: u32,
  seed: u32,
  stream: u32,
  sigma: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

override mu_slot: u32 = 0u;
override y_slot: u32 = 1u;
override out_slot: u32 = 2u;
override lik: u32 = 0u;
override wg: u32 = 256u;

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

fn mu_at(i: u32) -> f32 {
  return ld(mu_slot, P.mu_off + i);
}

fn y_at(i: u32) -> f32 {
  return ld(y_slot, P.y_off + i);
}

fn row_max(base: u32) -> f32 {
  var m = mu_at(base);
  for (var j = 1u; j < P.cols; j++) {
    m = max(m, mu_at(base + j));
  }
  return m;
}

/** Σ_j exp(μ_j − max) over one row. */
fn row_sum_exp(base: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var j = 0u; j < P.cols; j++) {
    s += exp(mu_at(base + j) - m);
  }
  return s;
}

@compute @workgroup_size(wg)
fn nll_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.rows) {
    return;
  }
  let base = i * P.cols;
  var total = 0.0;
  if (lik == 0u) {
    let log_var = log(P.sigma * P.sigma);
    for (var j = 0u; j < P.cols; j++) {
      let r = (y_at(base + j) - mu_at(base + j)) / P.sigma;
      total += 0.5 * (log_var + r * r);
    }
  } else if (lik == 1u) {
    for (var j = 0u; j < P.cols; j++) {
      let m = mu_at(base + j);
      total += m * (1.0 - y_at(base + j)) + softplus(-m);
    }
  } else {
    let m = row_max(base);
    let lse = m + log(row_sum_exp(base, m));
    for (var j = 0u; j < P.cols; j++) {
      total += y_at(base + j) * (lse - mu_at(base + j));
    }
  }
  st(out_slot, P.out_off + i, total);
}

@compute @workgroup_size(wg)
fn output_grad(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.rows * P.cols) {
    return;
  }
  var g: f32;
  if (lik == 0u) {
    g = (P.scale / (P.sigma * P.sigma)) * (mu_at(e) - y_at(e));
  } else {
    g = P.scale * (sigmoid(mu_at(e)) - y_at(e));
  }
  st(out_slot, P.out_off + e, g);
}

@compute @workgroup_size(wg)
fn output_grad_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.rows) {
    return;
  }
  let base = i * P.cols;
  let m = row_max(base);
  let s = row_sum_exp(base, m);
  var y_sum = 0.0;
  for (var j = 0u; j < P.cols; j++) {
    y_sum += y_at(base + j);
  }
  for (var j = 0u; j < P.cols; j++) {
    let p = exp(mu_at(base + j) - m) / s;
    st(out_slot, P.out_off + base + j, P.scale * (y_sum * p - y_at(base + j)));
  }
}

@compute @workgroup_size(wg)
fn fisher_output(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.rows * P.cols) {
    return;
  }
  var f: f32;
  if (lik == 0u) {
    f = (P.scale / (P.sigma * P.sigma)) * y_at(e);
  } else {
    let q = sigmoid(mu_at(e));
    f = P.scale * q * (1.0 - q) * y_at(e);
  }
  st(out_slot, P.out_off + e, f);
}

@compute @workgroup_size(wg)
fn fisher_output_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.rows) {
    return;
  }
  let base = i * P.cols;
  let m = row_max(base);
  let s = row_sum_exp(base, m);
  var pv = 0.0;
  for (var j = 0u; j < P.cols; j++) {
    pv += exp(mu_at(base + j) - m) / s * y_at(base + j);
  }
  for (var j = 0u; j < P.cols; j++) {
    let p = exp(mu_at(base + j) - m) / s;
    st(out_slot, P.out_off + base + j, P.scale * p * (y_at(base + j) - pv));
  }
}

/** The Threefry block of flat element e: counter (base + e) mod 2³², high word 0. */
fn block_at(e: u32) -> vec2<u32> {
  return threefry2x32(vec2<u32>(P.seed, P.stream), vec2<u32>(u0[P.ctr_off] + e, 0u));
}

@compute @workgroup_size(wg)
fn draw(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.rows * P.cols) {
    return;
  }
  let w = block_at(e);
  let m = mu_at(e);
  var v: f32;
  if (lik == 0u) {
    v = m + P.sigma * normal_from(w);
  } else {
    v = select(0.0, 1.0, to_uniform(w.x) < sigmoid(m));
  }
  st(out_slot, P.out_off + e, v);
}

@compute @workgroup_size(wg)
fn draw_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.rows) {
    return;
  }
  let base = i * P.cols;
  var best = 0.0;
  var arg = 0u;
  var found_inf = false;
  for (var j = 0u; j < P.cols; j++) {
    let w = block_at(base + j);
    // u = 1 gives a Gumbel of +∞: the first such logit wins whatever the others (log(0) is not
    // guaranteed to be -inf in WGSL, so it is handled here rather than by the arithmetic).
    if ((w.x >> 8u) == 0xffffffu) {
      if (!found_inf) {
        found_inf = true;
        arg = j;
      }
      continue;
    }
    let z = mu_at(base + j) - log(-log(to_uniform_open0(w.x)));
    if (!found_inf && (j == 0u || z > best)) {
      best = z;
      arg = j;
    }
  }
  for (var j = 0u; j < P.cols; j++) {
    st(out_slot, P.out_off + base + j, select(0.0, 1.0, j == arg));
  }
}
