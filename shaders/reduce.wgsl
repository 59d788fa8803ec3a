// Reductions to one scalar without float atomics (WGSL has none): two passes.
// Mirrors src/engine/cpu/reduce.ts. Term by override `kind`: 0 sum x_i, 1 dot x_i·y_i, 2 sumsq x_i².
//   reduce_partial: scratch[g] = Σ of the terms i ≡ (g·wg + t) mod (groups·wg), i < n: each workgroup g
//                   strides over the input, then a tree in workgroup memory. Grid: (groups, 1, 1).
//   reduce_final:   out[out_off] = scale·Σ_g scratch[g] (+ out[out_off] when accumulate ≠ 0).
//                   One workgroup: a strided sum of the partials, then the same tree. Grid: (1, 1, 1).
// Bindings: P; tensors x, y, out in slots x_slot, y_slot, out_slot; the partial sums in scratch.
// `wg` must be a power of two (the tree halves it).

//!include bindings.wgsl

struct Params {
  n: u32,
  groups: u32,
  x_off: u32,
  y_off: u32,
  out_off: u32,
  accumulate: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

override x_slot: u32 = 0u;
override y_slot: u32 = 1u;
override out_slot: u32 = 2u;
override kind: u32 = 0u;
override wg: u32 = 256u;

var<workgroup> tree: array<f32, wg>;

fn term(i: u32) -> f32 {
  let x = ld(x_slot, P.x_off + i);
  switch kind {
    case 1u: { return x * ld(y_slot, P.y_off + i); }
    case 2u: { return x * x; }
    default: { return x; }
  }
}

/** Sums tree[0..wg) into tree[0]; every invocation of the workgroup must call it. */
fn tree_sum(t: u32, v: f32) -> f32 {
  tree[t] = v;
  workgroupBarrier();
  for (var half = wg / 2u; half > 0u; half /= 2u) {
    if (t < half) {
      tree[t] += tree[t + half];
    }
    workgroupBarrier();
  }
  return tree[0];
}

@compute @workgroup_size(wg)
fn reduce_partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var i = wid.x * wg + t; i < P.n; i += P.groups * wg) {
    s += term(i);
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    scratch[wid.x] = total;
  }
}

@compute @workgroup_size(wg)
fn reduce_final(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var g = t; g < P.groups; g += wg) {
    s += scratch[g];
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    var v = P.scale * total;
    if (P.accumulate != 0u) {
      v += ld(out_slot, P.out_off);
    }
    st(out_slot, P.out_off, v);
  }
}
