// Bind group 0, shared by every kernel through one GPUBindGroupLayout (src/engine/gpu/layout.ts).
//   binding 0     var<uniform> P: the kernel's own `Params` struct (declared in each kernel file)
//   bindings 1–5  f0..f4: f32 storage "slots"; binding 6 u0: the u32 slot (indices, RNG counters)
//   binding 7     scratch: f32 memory owned by the recorded op (reduce partial sums, Coef scalars)
// Tensors are views (element offsets) into storages, and several views of one op may share a storage.
// WebGPU rejects a dispatch that binds one buffer twice when either binding is writable, so the backend
// binds each distinct storage of an op once, and every logical tensor of a kernel picks its binding with
// an `override <name>_slot: u32`. The switch below folds away once the pipeline's constants are known.
// Unused slots are bound to small dummy buffers. Included by every kernel; has no entry point.

@group(0) @binding(1) var<storage, read_write> f0: array<f32>;
@group(0) @binding(2) var<storage, read_write> f1: array<f32>;
@group(0) @binding(3) var<storage, read_write> f2: array<f32>;
@group(0) @binding(4) var<storage, read_write> f3: array<f32>;
@group(0) @binding(5) var<storage, read_write> f4: array<f32>;
@group(0) @binding(6) var<storage, read_write> u0: array<u32>;
@group(0) @binding(7) var<storage, read_write> scratch: array<f32>;

/** Element i of the storage bound at f32 slot `slot`. */
fn ld(slot: u32, i: u32) -> f32 {
  switch slot {
    case 0u: { return f0[i]; }
    case 1u: { return f1[i]; }
    case 2u: { return f2[i]; }
    case 3u: { return f3[i]; }
    default: { return f4[i]; }
  }
}

/** Writes element i of the storage bound at f32 slot `slot`. */
fn st(slot: u32, i: u32, v: f32) {
  switch slot {
    case 0u: { f0[i] = v; }
    case 1u: { f1[i] = v; }
    case 2u: { f2[i] = v; }
    case 3u: { f3[i] = v; }
    default: { f4[i] = v; }
  }
}

/**
 * Flat invocation index of a 1-D problem laid out on a 2-D grid of workgroups of `size` invocations:
 * a grid dimension holds at most 65,535 workgroups, so large problems wrap into y (gpu/kernels/grid.ts).
 */
fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, size: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * size + lid;
}
