// Row gather (minibatch assembly); mirrors src/engine/cpu/gather.ts.
//   gather: dst[dst_off + i·ld_dst + j] = src[src_off + idx[idx_off + i]·cols + j] for j < cols,
//           and dst[dst_off + i·ld_dst + cols] = 1 when `ones` (the bias input column).
// An index past the src_rows rows of src cannot throw on the GPU (the CPU's GatherIndexError): that
// row is filled with NaN, so the mistake shows up in the loss instead of reading clamped memory.
// Bindings: P; tensors src, dst in slots src_slot, dst_slot; the row indices in u0.
// One invocation per element of the rows × width output (width = cols + ones), on a 2-D grid of
// `wg`-sized workgroups (flat_index).

//!include bindings.wgsl

struct Params {
  rows: u32,
  cols: u32,
  width: u32,
  ld_dst: u32,
  src_off: u32,
  idx_off: u32,
  dst_off: u32,
  src_rows: u32,
  // Bits of a quiet NaN (0x7fc00000): a NaN constant in WGSL source is a shader-creation error.
  nan_bits: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

override src_slot: u32 = 0u;
override dst_slot: u32 = 1u;
override wg: u32 = 256u;

@compute @workgroup_size(wg)
fn gather(
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
    let r = u0[P.idx_off + i];
    v = select(bitcast<f32>(P.nan_bits), ld(src_slot, P.src_off + r * P.cols + j), r < P.src_rows);
  }
  st(dst_slot, P.dst_off + i * P.ld_dst + j, v);
}
