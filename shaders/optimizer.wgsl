// Fused optimizer updates over a flat parameter buffer, one dispatch each; mirrors
// src/engine/cpu/optimizer.ts. Hyperparameters are read from a device tensor the host rewrites each step,
// laid out as the structs SgdHyper and AdamHyper below (the one declaration of those layouts: the CPU kernels
// and the optimizers read the offsets from here by name, src/engine/hyper.ts).
//   sgd  (SgdHyper):  g = grad + wd·θ;  mom = μ·mom + g;  θ = θ − lr·mom
//   adam (AdamHyper, bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ):  Adam: g = grad + wd·θ;  AdamW: θ = θ − lr·wd·θ;
//        m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  θ = θ − lr·(m / bc1) / (√(v / bc2) + eps)
// Bindings: P; tensors param, grad, m (sgd: the momentum), v, hyper in slots param_slot, grad_slot,
// m_slot, v_slot, hyper_slot. One invocation per parameter on a 2-D grid of `wg`-sized workgroups.

//!include bindings.wgsl

struct Params {
  n: u32,
  param_off: u32,
  grad_off: u32,
  m_off: u32,
  v_off: u32,
  hyper_off: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

override param_slot: u32 = 0u;
override grad_slot: u32 = 1u;
override m_slot: u32 = 2u;
override v_slot: u32 = 3u;
override hyper_slot: u32 = 4u;
override wg: u32 = 256u;

// The hyper tensor of each op, f32 fields in order.
struct SgdHyper {
  lr: f32,
  momentum: f32,
  weight_decay: f32,
}

struct AdamHyper {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  // 0: Adam (L2 in the gradient); otherwise AdamW (decoupled decay).
  decoupled: f32,
  bc1: f32,
  bc2: f32,
}

// Each line becomes fn load_<Struct>(off: u32) -> <Struct>, reading every field at its offset (gpu/shaders.ts).
//!hyper-loader SgdHyper
//!hyper-loader AdamHyper

@compute @workgroup_size(wg)
fn sgd(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.n) {
    return;
  }
  let h = load_SgdHyper(P.hyper_off);
  let lr = h.lr;
  let mu = h.momentum;
  let wd = h.weight_decay;
  let theta = ld(param_slot, P.param_off + i);
  let g = ld(grad_slot, P.grad_off + i) + wd * theta;
  let m = mu * ld(m_slot, P.m_off + i) + g;
  st(m_slot, P.m_off + i, m);
  st(param_slot, P.param_off + i, theta - lr * m);
}

@compute @workgroup_size(wg)
fn adam(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.n) {
    return;
  }
  let h = load_AdamHyper(P.hyper_off);
  let lr = h.lr;
  let b1 = h.beta1;
  let b2 = h.beta2;
  let eps = h.eps;
  let wd = h.weight_decay;
  let decoupled = h.decoupled != 0.0;
  let bc1 = h.bc1;
  let bc2 = h.bc2;
  var theta = ld(param_slot, P.param_off + i);
  var g = ld(grad_slot, P.grad_off + i);
  if (decoupled) {
    theta -= lr * wd * theta;
  } else {
    g += wd * theta;
  }
  let m = b1 * ld(m_slot, P.m_off + i) + (1.0 - b1) * g;
  let v = b2 * ld(v_slot, P.v_off + i) + (1.0 - b2) * g * g;
  st(m_slot, P.m_off + i, m);
  st(v_slot, P.v_off + i, v);
  st(param_slot, P.param_off + i, theta - lr * (m / bc1) / (sqrt(v / bc2) + eps));
}
