// Max and average pooling of NHWC image batches, channel by channel, and their backward passes; mirrors
// src/engine/cpu/pool.ts (poolForward, poolBackward).
//   max_forward: y[y_off + b·ld_y + (oy·ow + ox)·c + ci] = max of x over the window's pixels inside the
//                image (window row ky, column kx at iy = oy·stride_h − pad_h + ky, ix likewise), and
//                u0[arg_off + b·oh·ow·c + (oy·ow + ox)·c + ci] = iy·w + ix of the first maximum (ky, kx order)
//   max_tangent: y[...] = x at the pixel u0[...] names (the forward pass's argmax, read): the R-op
//   avg_forward: y[...] = (Σ over the window's pixels inside the image) / (kh·kw)
//                all three write y[y_off + b·ld_y + oh·ow·c] = ones_value when width = oh·ow·c + 1 (the bias
//                input: 1, or 0 in a tangent)
//   max_backward: dx[x_off + b·ld_x + (iy·w + ix)·c + ci] = Σ dy over the windows holding (iy, ix) whose
//                 argmax is iy·w + ix (dy at y_off + b·ld_y + (oy·ow + ox)·c + ci)
//   avg_backward: dx[...] = (Σ dy over the windows holding (iy, ix)) / (kh·kw)
// The backward passes gather per input pixel over the windows that hold it (as col2im in conv.wgsl), so an
// argmax outside its window is ignored here (max_tangent reads 0 for one outside the image) where the CPU
// throws PoolIndexError.
// Bindings: P; tensors x and y (dx and dy backward) in slots x_slot, y_slot; argmax in u0. One invocation
// per element written (forward: batch × width; backward: batch·h·w·c), 1-D problems on a 2-D grid of
// workgroups of `wg` invocations (flat_index).

//!include bindings.wgsl
//!include window.wgsl

struct Params {
  batch: u32,
  h: u32,
  w: u32,
  c: u32,
  kh: u32,
  kw: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
  oh: u32,
  ow: u32,
  x_off: u32,
  ld_x: u32,
  y_off: u32,
  ld_y: u32,
  arg_off: u32,
  width: u32,
  ones_value: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

override x_slot: u32 = 0u;
override y_slot: u32 = 1u;
override wg: u32 = 256u;

const NONE: u32 = 0xffffffffu;

/** Forward: the output element of invocation e, or false past the end; writes the ones column itself. */
struct Out {
  b: u32,
  j: u32,
  oy: u32,
  ox: u32,
  ci: u32,
  live: bool,
}

fn forward_target(e: u32) -> Out {
  var o = Out(0u, 0u, 0u, 0u, 0u, false);
  if (e >= P.batch * P.width) {
    return o;
  }
  o.b = e / P.width;
  o.j = e % P.width;
  let per = P.oh * P.ow * P.c;
  if (o.j == per) {
    st(y_slot, P.y_off + o.b * P.ld_y + per, P.ones_value);
    return o;
  }
  o.ci = o.j % P.c;
  o.ox = (o.j / P.c) % P.ow;
  o.oy = o.j / (P.c * P.ow);
  o.live = true;
  return o;
}

@compute @workgroup_size(wg)
fn max_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = forward_target(flat_index(wid, nwg, lid, wg));
  if (!o.live) {
    return;
  }
  var best = 0.0;
  var at = NONE;
  for (var ky = 0u; ky < P.kh; ky++) {
    let py = o.oy * P.stride_h + ky;
    if (py < P.pad_h || py >= P.pad_h + P.h) {
      continue;
    }
    for (var kx = 0u; kx < P.kw; kx++) {
      let px = o.ox * P.stride_w + kx;
      if (px < P.pad_w || px >= P.pad_w + P.w) {
        continue;
      }
      let pos = (py - P.pad_h) * P.w + (px - P.pad_w);
      let v = ld(x_slot, P.x_off + o.b * P.ld_x + pos * P.c + o.ci);
      if (at == NONE || v > best) {
        best = v;
        at = pos;
      }
    }
  }
  st(y_slot, P.y_off + o.b * P.ld_y + o.j, best);
  u0[P.arg_off + o.b * P.oh * P.ow * P.c + o.j] = at;
}

@compute @workgroup_size(wg)
fn max_tangent(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = forward_target(flat_index(wid, nwg, lid, wg));
  if (!o.live) {
    return;
  }
  let pos = u0[P.arg_off + o.b * P.oh * P.ow * P.c + o.j];
  var v = 0.0;
  if (pos < P.h * P.w) {
    v = ld(x_slot, P.x_off + o.b * P.ld_x + pos * P.c + o.ci);
  }
  st(y_slot, P.y_off + o.b * P.ld_y + o.j, v);
}

@compute @workgroup_size(wg)
fn avg_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = forward_target(flat_index(wid, nwg, lid, wg));
  if (!o.live) {
    return;
  }
  var sum = 0.0;
  for (var ky = 0u; ky < P.kh; ky++) {
    let py = o.oy * P.stride_h + ky;
    if (py < P.pad_h || py >= P.pad_h + P.h) {
      continue;
    }
    for (var kx = 0u; kx < P.kw; kx++) {
      let px = o.ox * P.stride_w + kx;
      if (px < P.pad_w || px >= P.pad_w + P.w) {
        continue;
      }
      sum += ld(x_slot, P.x_off + o.b * P.ld_x + ((py - P.pad_h) * P.w + (px - P.pad_w)) * P.c + o.ci);
    }
  }
  st(y_slot, P.y_off + o.b * P.ld_y + o.j, sum / f32(P.kh * P.kw));
}

/**
 * Backward: Σ over the windows holding input element e of dy (max: only where the window's argmax is that
 * pixel); window row oy holds the pixel at kernel row ky when oy·stride_h + ky = iy + pad_h.
 */
fn backward_sum(e: u32, is_max: bool) -> f32 {
  let per = P.h * P.w * P.c;
  let b = e / per;
  let p = e % per;
  let ci = p % P.c;
  let pos = p / P.c;
  let ix = pos % P.w;
  let iy = pos / P.w;
  let out_per = P.oh * P.ow * P.c;
  var sum = 0.0;
  for (var ky = 0u; ky < P.kh; ky++) {
    let oy = window_of(iy + P.pad_h, ky, P.stride_h, P.oh);
    if (oy == P.oh) {
      continue;
    }
    for (var kx = 0u; kx < P.kw; kx++) {
      let ox = window_of(ix + P.pad_w, kx, P.stride_w, P.ow);
      if (ox == P.ow) {
        continue;
      }
      let j = (oy * P.ow + ox) * P.c + ci;
      if (!is_max || u0[P.arg_off + b * out_per + j] == pos) {
        sum += ld(y_slot, P.y_off + b * P.ld_y + j);
      }
    }
  }
  return sum;
}

@compute @workgroup_size(wg)
fn max_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.batch * P.h * P.w * P.c) {
    return;
  }
  let per = P.h * P.w * P.c;
  st(x_slot, P.x_off + (e / per) * P.ld_x + e % per, backward_sum(e, true));
}

@compute @workgroup_size(wg)
fn avg_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.batch * P.h * P.w * P.c) {
    return;
  }
  let per = P.h * P.w * P.c;
  st(x_slot, P.x_off + (e / per) * P.ld_x + e % per, backward_sum(e, false) / f32(P.kh * P.kw));
}
