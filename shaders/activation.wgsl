// Activations after a dense layer; mirrors src/engine/cpu/activation.ts (actForward, actBackward).
//   act_forward:  out[i·ld_out + j] = f(s[i·cols + j]) for j < cols; out[i·ld_out + cols] = 1 when ld_out > cols
//   act_backward: out[i·ld_out + j] = d[i·ld_d + j]·f'(s[i·cols + j]) for j < cols;
//                 out[i·ld_out + cols] = extra when ld_out > cols
// f by override `act`: 0 identity, 1 relu, 2 tanh, 3 sigmoid; f' from the pre-activation s
// (relu'(0) = 0, tanh' = 1 − tanh², sigmoid' = σ(1 − σ)). tanh and sigmoid only exponentiate
// non-positive numbers, so large |s| cannot overflow to inf/inf.
// Bindings: P, tensors s, d, out in slots s_slot, d_slot, out_slot. One invocation per element of the
// rows × width output (width = cols + 1 when the extra column is written); 1-D problem on a 2-D grid of
// workgroups of `wg` invocations (flat_index).

//!include bindings.wgsl

struct Params {
  rows: u32,
  cols: u32,
  width: u32,
  ld_out: u32,
  ld_d: u32,
  s_off: u32,
  d_off: u32,
  out_off: u32,
  extra: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

override s_slot: u32 = 0u;
override d_slot: u32 = 1u;
override out_slot: u32 = 2u;
override act: u32 = 0u;
override wg: u32 = 256u;

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn tanh_stable(x: f32) -> f32 {
  // The builtin computes (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) on some drivers, which is NaN for |x| > ~89.
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

fn act_f(x: f32) -> f32 {
  switch act {
    case 1u: { return max(x, 0.0); }
    case 2u: { return tanh_stable(x); }
    case 3u: { return sigmoid(x); }
    default: { return x; }
  }
}

fn act_df(x: f32) -> f32 {
  switch act {
    case 1u: { return select(0.0, 1.0, x > 0.0); }
    case 2u: {
      let t = tanh_stable(x);
      return 1.0 - t * t;
    }
    case 3u: {
      let p = sigmoid(x);
      return p * (1.0 - p);
    }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(wg)
fn act_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.rows * P.width) {
    return;
  }
  let i = e / P.width;
  let j = e % P.width;
  var v = 1.0;
  if (j < P.cols) {
    v = act_f(ld(s_slot, P.s_off + i * P.cols + j));
  }
  st(out_slot, P.out_off + i * P.ld_out + j, v);
}

@compute @workgroup_size(wg)
fn act_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.rows * P.width) {
    return;
  }
  let i = e / P.width;
  let j = e % P.width;
  var v = P.extra;
  if (j < P.cols) {
    v = ld(d_slot, P.d_off + i * P.ld_d + j) * act_df(ld(s_slot, P.s_off + i * P.cols + j));
  }
  st(out_slot, P.out_off + i * P.ld_out + j, v);
}
