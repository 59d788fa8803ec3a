// Elementwise vector ops over n elements; mirrors src/engine/cpu/elementwise.ts.
//   axpby:    out[i] = a·x[i] (+ b·y[i] when has_y ≠ 0)       (out may be x or y itself)
//   hadamard: out[i] = a·x[i]·y[i]                            (out may be x or y itself)
//   fill:     out[i] = value
//   copy_ref: scratch[ref_dst] = x[x_off]: one device scalar of a Coef, one invocation.
// Coefficients (ops.ts Coef): a = a_c·Π refs, b = b_c·Π refs, each ref r < n_refs being scratch[r]
// raised to a power. The refs are copied into scratch by copy_ref dispatches first, so that they may
// live in any storage. ref_codes holds 4 bits per ref: bits 0–1 the power (0: t, 1: 1/t, 2: √t, 3: 1/√t),
// bit 2 the coefficient (0: a, 1: b).
// Bindings: P; tensors x, y, out in slots x_slot, y_slot, out_slot; Coef scalars in scratch.
// One invocation per element on a 2-D grid of `wg`-sized workgroups (flat_index).

//!include bindings.wgsl

struct Params {
  n: u32,
  x_off: u32,
  y_off: u32,
  out_off: u32,
  has_y: u32,
  n_refs: u32,
  ref_codes: u32,
  ref_dst: u32,
  a_c: f32,
  b_c: f32,
  value: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

override x_slot: u32 = 0u;
override y_slot: u32 = 1u;
override out_slot: u32 = 2u;
override wg: u32 = 256u;

/** Coefficient `which` (0: a, 1: b) with its device-scalar refs applied. */
fn coef(which: u32) -> f32 {
  var v = select(P.a_c, P.b_c, which == 1u);
  for (var r = 0u; r < P.n_refs; r++) {
    let code = (P.ref_codes >> (4u * r)) & 0xfu;
    if ((code >> 2u) != which) {
      continue;
    }
    let t = scratch[r];
    switch code & 3u {
      case 0u: { v *= t; }
      case 1u: { v /= t; }
      case 2u: { v *= sqrt(t); }
      default: { v /= sqrt(t); }
    }
  }
  return v;
}

@compute @workgroup_size(wg)
fn axpby(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.n) {
    return;
  }
  var v = coef(0u) * ld(x_slot, P.x_off + i);
  if (P.has_y != 0u) {
    v += coef(1u) * ld(y_slot, P.y_off + i);
  }
  st(out_slot, P.out_off + i, v);
}

@compute @workgroup_size(wg)
fn hadamard(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.n) {
    return;
  }
  st(out_slot, P.out_off + i, coef(0u) * ld(x_slot, P.x_off + i) * ld(y_slot, P.y_off + i));
}

@compute @workgroup_size(wg)
fn fill(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(wid, nwg, lid, wg);
  if (i >= P.n) {
    return;
  }
  st(out_slot, P.out_off + i, P.value);
}

@compute @workgroup_size(1)
fn copy_ref() {
  scratch[P.ref_dst] = ld(x_slot, P.x_off);
}
