// Fused optimizer updates over a flat parameter buffer, one dispatch each; mirrors
// src/engine/cpu/optimizer.ts. Hyperparameters are read from a device tensor the host rewrites each step.
//   sgd  (hyper = [lr, momentum, wd]):  g = grad + wd·θ;  mom = μ·mom + g;  θ = θ − lr·mom
//   adam (hyper = [lr, β1, β2, eps, wd, decoupled, bc1, bc2]):  Adam: g = grad + wd·θ;  AdamW: θ = θ − lr·wd·θ;
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

fn hyper(k: u32) -> f32 {
  return ld(hyper_slot, P.hyper_off + k);
}

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
  let lr = hyper(0u);
  let mu = hyper(1u);
  let wd = hyper(2u);
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
  let lr = hyper(0u);
  let b1 = hyper(1u);
  let b2 = hyper(2u);
  let eps = hyper(3u);
  let wd = hyper(4u);
  let decoupled = hyper(5u) != 0.0;
  let bc1 = hyper(6u);
  let bc2 = hyper(7u);
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
