// Sliding-window geometry shared by the gathers that run a window backwards (conv.wgsl's col2im, pool.wgsl's
// backward), mirroring src/engine/window.ts. Library only, no bindings or entry point: `//!include window.wgsl`.
//   window_of(t, k, stride, n): the window o < n whose tap k sits at padded coordinate t, i.e. o·stride + k = t;
//   n when there is none (t < k, t − k not a multiple of stride, or o past the last window).

fn window_of(t: u32, k: u32, stride: u32, n: u32) -> u32 {
  if (t < k || (t - k) % stride != 0u) {
    return n;
  }
  return min((t - k) / stride, n);
}
