// Patches of NHWC image batches as rows, and back; mirrors src/engine/cpu/conv.ts (im2col, col2im).
//   im2col: cols[cols_off + r·ld_cols + (ci·kh + ky)·kw + kx] = x[x_off + b·ld_x + (iy·w + ix)·c + ci]
//           with iy = oy·stride_h − pad_h + ky, ix = ox·stride_w − pad_w + kx, 0 where that is outside the
//           image, r = (b·oh + oy)·ow + ox; cols[cols_off + r·ld_cols + k] = 1 when width = k + 1 (the bias
//           input), k = c·kh·kw.
//   col2im: dx[x_off + b·ld_x + (iy·w + ix)·c + ci] = Σ of the cols elements im2col takes from that pixel.
//           Each invocation gathers its own pixel's terms (ky, then kx ascending): no atomics, and the
//           result does not depend on scheduling. The CPU scatters instead; sums agree to rounding.
// Bindings: P; tensors x (dx in col2im) and cols in slots x_slot, cols_slot. One invocation per element
// written (im2col: batch·oh·ow × width; col2im: batch·h·w·c), 1-D problems on a 2-D grid of workgroups of
// `wg` invocations (flat_index).

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
  cols_off: u32,
  ld_cols: u32,
  width: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

override x_slot: u32 = 0u;
override cols_slot: u32 = 1u;
override wg: u32 = 256u;

@compute @workgroup_size(wg)
fn im2col(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  if (e >= P.batch * P.oh * P.ow * P.width) {
    return;
  }
  let r = e / P.width;
  let j = e % P.width;
  var v = 1.0;
  if (j < P.c * P.kh * P.kw) {
    let ci = j / (P.kh * P.kw);
    let ky = (j / P.kw) % P.kh;
    let kx = j % P.kw;
    let b = r / (P.oh * P.ow);
    let oy = (r / P.ow) % P.oh;
    let ox = r % P.ow;
    // Padded coordinates: the pixel is (py − pad_h, px − pad_w), inside when both land in the image.
    let py = oy * P.stride_h + ky;
    let px = ox * P.stride_w + kx;
    v = 0.0;
    if (py >= P.pad_h && py < P.pad_h + P.h && px >= P.pad_w && px < P.pad_w + P.w) {
      v = ld(x_slot, P.x_off + b * P.ld_x + ((py - P.pad_h) * P.w + (px - P.pad_w)) * P.c + ci);
    }
  }
  st(cols_slot, P.cols_off + r * P.ld_cols + j, v);
}

@compute @workgroup_size(wg)
fn col2im(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, nwg, lid, wg);
  let per = P.h * P.w * P.c;
  if (e >= P.batch * per) {
    return;
  }
  let b = e / per;
  let p = e % per;
  let ci = p % P.c;
  let ix = (p / P.c) % P.w;
  let iy = p / (P.c * P.w);
  var sum = 0.0;
  // Window row oy holds the pixel at kernel row ky when oy·stride_h + ky = iy + pad_h.
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
      let r = (b * P.oh + oy) * P.ow + ox;
      sum += ld(cols_slot, P.cols_off + r * P.ld_cols + (ci * P.kh + ky) * P.kw + kx);
    }
  }
  st(x_slot, P.x_off + b * P.ld_x + p, sum);
}
