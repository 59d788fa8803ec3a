// C (m×n) = alpha·op(A)·op(B) + beta·C, row-major with leading dimensions and element offsets.
// Mirrors src/engine/cpu/matmul.ts (matmul). Layouts (overrides trans_a, trans_b):
//   nn: A[i,p] = a[a_off + i·lda + p],  B[p,j] = b[b_off + p·ldb + j]
//   nt: B[p,j] = b[b_off + j·ldb + p]   (trans_b)      tn: A[i,p] = a[a_off + p·lda + i]   (trans_a)
// beta = 0 writes C without reading it (stale NaNs in C do not leak through), like the CPU.
// Bindings: P (Params), tensors a, b, c in the f32 slots a_slot, b_slot, c_slot (bindings.wgsl).
// Entry points (same math; gpu/kernels/matmul.ts picks the tiling and split from the shape):
//   matmul:        wg_x × wg_y threads compute a TM × TN tile of C (TM = 4·wg_y, TN = 4·wg_x, wg_* ∈ {8, 16}:
//                  32 × 32 or 64 × 64), each thread a 4 × 4 block, over K in tiles of TK = 16 staged
//                  through workgroup memory. Grid: (⌈n / TN⌉, ⌈m / TM⌉, splits).
//   matmul_128:    16 × 16 threads compute a 128 × 128 tile, each thread an 8 × 8 block (rows ty·4 + {0..3}
//                  and 64 + ty·4 + {0..3}, columns likewise, so workgroup reads are conflict-free vec4s), over
//                  K in tiles of 16 (16 KiB of workgroup memory); the next K-tile's global loads are issued
//                  before the current tile's arithmetic (register prefetch). Grid: (⌈n / 128⌉, ⌈m / 128⌉, splits).
//   matmul_reduce: split-K's second pass (1-D, 256 per workgroup, grid1d): C[i, j] = alpha·Σ_z partial_z + beta·C.
// Split-K: workgroups of grid layer z cover K range [z·k_chunk, min(k, (z + 1)·k_chunk)). With splits = 1
// (k_chunk ≥ k) they write C; with splits > 1 they write their partial sums to the op's scratch buffer at
// z·m·n + i·n + j and matmul_reduce finishes. A runtime switch, not a constant: one pipeline serves both.
// Workgroup tiles are k-major rows of vec4s whose vec4 index is XOR-swizzled by kk (swz): staging a
// row-major operand writes down a column, which unswizzled hits one bank 16 times.
// Every load and store is bounds-checked, so any m, n, k works with every entry point.

//!include bindings.wgsl

struct Params {
  m: u32,
  n: u32,
  k: u32,
  lda: u32,
  ldb: u32,
  ldc: u32,
  a_off: u32,
  b_off: u32,
  c_off: u32,
  alpha: f32,
  beta: f32,
  // K elements per grid layer z (a multiple of 16, ≥ k when splits = 1).
  k_chunk: u32,
  // Number of K slices (grid layers); > 1 writes partial sums to scratch.
  splits: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

override a_slot: u32 = 0u;
override b_slot: u32 = 1u;
override c_slot: u32 = 2u;
override trans_a: bool = false;
override trans_b: bool = false;
override wg_x: u32 = 16u;
override wg_y: u32 = 16u;

const TK: u32 = 16u;
override TM: u32 = 4u * wg_y;
override TN: u32 = 4u * wg_x;

// k-major tiles, read as vec4 in the inner loop: op(A)[row0 + r, k0 + kk] is component r % 4 of
// As[kk · TM / 4 + swz(kk, r / 4)], for r < TM.
var<workgroup> As: array<vec4<f32>, TK * TM / 4u>;
var<workgroup> Bs: array<vec4<f32>, TK * TN / 4u>;

/**
 * Swizzled vec4 index (within row kk of a tile) of the vec4 holding elements 4·r4..4·r4+3. Rows are 8, 16
 * or 32 vec4s, so XOR with kk & 7 permutes each aligned group of 8: a row's reads stay conflict-free, and
 * 16 consecutive kk of one element column land in 8 bank groups instead of one.
 */
fn swz(kk: u32, r4: u32) -> u32 {
  return r4 ^ (kk & 7u);
}

/** op(A)[i, p], or 0 outside rows m and the K range ending at k_end. */
fn load_a(i: u32, p: u32, k_end: u32) -> f32 {
  if (i >= P.m || p >= k_end) {
    return 0.0;
  }
  if (trans_a) {
    return ld(a_slot, P.a_off + p * P.lda + i);
  }
  return ld(a_slot, P.a_off + i * P.lda + p);
}

/** op(B)[p, j], or 0 outside columns n and the K range ending at k_end. */
fn load_b(p: u32, j: u32, k_end: u32) -> f32 {
  if (p >= k_end || j >= P.n) {
    return 0.0;
  }
  if (trans_b) {
    return ld(b_slot, P.b_off + j * P.ldb + p);
  }
  return ld(b_slot, P.b_off + p * P.ldb + j);
}

/** K range [x, y) of grid layer z: all of K without split-K. Uniform per workgroup (barriers depend on it). */
fn k_range(z: u32) -> vec2<u32> {
  let k0 = z * P.k_chunk;
  return vec2<u32>(k0, min(P.k, k0 + P.k_chunk));
}

/** C[i, j] = alpha·v + beta·C[i, j] for (i, j) inside C; beta = 0 does not read C. */
fn store_c(i: u32, j: u32, v: f32) {
  let idx = P.c_off + i * P.ldc + j;
  var out = P.alpha * v;
  if (P.beta != 0.0) {
    out += P.beta * ld(c_slot, idx);
  }
  st(c_slot, idx, out);
}

/** The dot product v of C[i, j] over grid layer z's K range: into C, or into scratch under split-K. */
fn store1(i: u32, j: u32, z: u32, v: f32) {
  if (i < P.m && j < P.n) {
    if (P.splits > 1u) {
      scratch[(z * P.m + i) * P.n + j] = v;
    } else {
      store_c(i, j, v);
    }
  }
}

/**
 * Stores C[i, j..j+3]. Accumulators are only ever indexed by constants (here and in the inner loops):
 * a runtime index would make the compiler keep them in local memory, several times slower.
 */
fn store4(i: u32, j: u32, z: u32, v: vec4<f32>) {
  store1(i, j, z, v.x);
  store1(i, j + 1u, z, v.y);
  store1(i, j + 2u, z, v.z);
  store1(i, j + 3u, z, v.w);
}

@compute @workgroup_size(wg_x, wg_y, 1)
fn matmul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let threads = wg_x * wg_y;
  let t = lid.y * wg_x + lid.x;
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let kr = k_range(wid.z);
  var acc: array<vec4<f32>, 4>;

  for (var k0 = kr.x; k0 < kr.y; k0 += TK) {
    // Stage the tiles; consecutive invocations read consecutive addresses in each layout (coalescing).
    for (var e = t; e < TM * TK; e += threads) {
      var r: u32;
      var kk: u32;
      if (trans_a) {
        r = e % TM;
        kk = e / TM;
      } else {
        kk = e % TK;
        r = e / TK;
      }
      As[kk * (TM / 4u) + swz(kk, r / 4u)][r % 4u] = load_a(row0 + r, k0 + kk, kr.y);
    }
    for (var e = t; e < TN * TK; e += threads) {
      var c: u32;
      var kk: u32;
      if (trans_b) {
        kk = e % TK;
        c = e / TK;
      } else {
        c = e % TN;
        kk = e / TN;
      }
      Bs[kk * (TN / 4u) + swz(kk, c / 4u)][c % 4u] = load_b(k0 + kk, col0 + c, kr.y);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = As[kk * (TM / 4u) + swz(kk, lid.y)];
      let b = Bs[kk * (TN / 4u) + swz(kk, lid.x)];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }

  let j0 = col0 + lid.x * 4u;
  let i0 = row0 + lid.y * 4u;
  store4(i0, j0, wid.z, acc[0]);
  store4(i0 + 1u, j0, wid.z, acc[1]);
  store4(i0 + 2u, j0, wid.z, acc[2]);
  store4(i0 + 3u, j0, wid.z, acc[3]);
}

// ---- matmul_128 ----

const BT: u32 = 128u; // tile side
const BK: u32 = 16u; // K-tile: 64-byte row segments of a row-major operand per load
const BTHREADS: u32 = 256u; // 16 × 16
const BLOADS: u32 = BT * BK / BTHREADS; // elements of each operand one thread stages per K-tile
const_assert BLOADS == 8u; // matmul_128 holds them in two vec4s per operand

var<workgroup> As128: array<vec4<f32>, BK * BT / 4u>;
var<workgroup> Bs128: array<vec4<f32>, BK * BT / 4u>;

/** Row (r) and k (kk) within the A tile of staged element e, coalesced for the layout. */
fn a_coords(e: u32) -> vec2<u32> {
  if (trans_a) {
    return vec2<u32>(e % BT, e / BT);
  }
  return vec2<u32>(e / BK, e % BK);
}

/** Column (c) and k (kk) within the B tile of staged element e, coalesced for the layout. */
fn b_coords(e: u32) -> vec2<u32> {
  if (trans_b) {
    return vec2<u32>(e / BK, e % BK);
  }
  return vec2<u32>(e % BT, e / BT);
}

fn fetch_a(e: u32, row0: u32, k0: u32, k_end: u32) -> f32 {
  let c = a_coords(e);
  return load_a(row0 + c.x, k0 + c.y, k_end);
}

fn fetch_b(e: u32, col0: u32, k0: u32, k_end: u32) -> f32 {
  let c = b_coords(e);
  return load_b(k0 + c.y, col0 + c.x, k_end);
}

fn stage_a(e: u32, v: f32) {
  let c = a_coords(e);
  As128[c.y * (BT / 4u) + swz(c.y, c.x / 4u)][c.x % 4u] = v;
}

fn stage_b(e: u32, v: f32) {
  let c = b_coords(e);
  Bs128[c.y * (BT / 4u) + swz(c.y, c.x / 4u)][c.x % 4u] = v;
}

fn fetch_a4(e: vec4<u32>, row0: u32, k0: u32, k_end: u32) -> vec4<f32> {
  return vec4<f32>(
    fetch_a(e.x, row0, k0, k_end),
    fetch_a(e.y, row0, k0, k_end),
    fetch_a(e.z, row0, k0, k_end),
    fetch_a(e.w, row0, k0, k_end),
  );
}

fn fetch_b4(e: vec4<u32>, col0: u32, k0: u32, k_end: u32) -> vec4<f32> {
  return vec4<f32>(
    fetch_b(e.x, col0, k0, k_end),
    fetch_b(e.y, col0, k0, k_end),
    fetch_b(e.z, col0, k0, k_end),
    fetch_b(e.w, col0, k0, k_end),
  );
}

fn stage_a4(e: vec4<u32>, v: vec4<f32>) {
  stage_a(e.x, v.x);
  stage_a(e.y, v.y);
  stage_a(e.z, v.z);
  stage_a(e.w, v.w);
}

fn stage_b4(e: vec4<u32>, v: vec4<f32>) {
  stage_b(e.x, v.x);
  stage_b(e.y, v.y);
  stage_b(e.z, v.z);
  stage_b(e.w, v.w);
}

@compute @workgroup_size(16, 16, 1)
fn matmul_128(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.y * 16u + lid.x;
  let row0 = wid.y * BT;
  let col0 = wid.x * BT;
  let kr = k_range(wid.z);
  // acc[2r + h]: row (r < 4 ? ty·4 + r : 64 + ty·4 + r − 4), columns h·64 + tx·4 + 0..3.
  var acc: array<vec4<f32>, 16>;
  // This thread's share of the next K-tile (BLOADS = 8 elements of A and of B), held in registers.
  let e0 = vec4<u32>(t, t + BTHREADS, t + 2u * BTHREADS, t + 3u * BTHREADS);
  let e1 = e0 + vec4<u32>(4u * BTHREADS);
  var ra0 = fetch_a4(e0, row0, kr.x, kr.y);
  var ra1 = fetch_a4(e1, row0, kr.x, kr.y);
  var rb0 = fetch_b4(e0, col0, kr.x, kr.y);
  var rb1 = fetch_b4(e1, col0, kr.x, kr.y);
  for (var k0 = kr.x; k0 < kr.y; k0 += BK) {
    workgroupBarrier(); // the previous tile's arithmetic is done with As128 / Bs128
    stage_a4(e0, ra0);
    stage_a4(e1, ra1);
    stage_b4(e0, rb0);
    stage_b4(e1, rb1);
    workgroupBarrier();
    let next = k0 + BK;
    if (next < kr.y) {
      ra0 = fetch_a4(e0, row0, next, kr.y);
      ra1 = fetch_a4(e1, row0, next, kr.y);
      rb0 = fetch_b4(e0, col0, next, kr.y);
      rb1 = fetch_b4(e1, col0, next, kr.y);
    }
    for (var kk = 0u; kk < BK; kk++) {
      let base = kk * (BT / 4u);
      let ya = swz(kk, lid.y);
      let xb = swz(kk, lid.x);
      let a0 = As128[base + ya];
      let a1 = As128[base + 16u + ya];
      let b0 = Bs128[base + xb];
      let b1 = Bs128[base + 16u + xb];
      acc[0] += a0.x * b0;
      acc[1] += a0.x * b1;
      acc[2] += a0.y * b0;
      acc[3] += a0.y * b1;
      acc[4] += a0.z * b0;
      acc[5] += a0.z * b1;
      acc[6] += a0.w * b0;
      acc[7] += a0.w * b1;
      acc[8] += a1.x * b0;
      acc[9] += a1.x * b1;
      acc[10] += a1.y * b0;
      acc[11] += a1.y * b1;
      acc[12] += a1.z * b0;
      acc[13] += a1.z * b1;
      acc[14] += a1.w * b0;
      acc[15] += a1.w * b1;
    }
  }

  let i0 = row0 + lid.y * 4u;
  let i1 = i0 + 64u;
  let j0 = col0 + lid.x * 4u;
  let j1 = j0 + 64u;
  let z = wid.z;
  store4(i0, j0, z, acc[0]);
  store4(i0, j1, z, acc[1]);
  store4(i0 + 1u, j0, z, acc[2]);
  store4(i0 + 1u, j1, z, acc[3]);
  store4(i0 + 2u, j0, z, acc[4]);
  store4(i0 + 2u, j1, z, acc[5]);
  store4(i0 + 3u, j0, z, acc[6]);
  store4(i0 + 3u, j1, z, acc[7]);
  store4(i1, j0, z, acc[8]);
  store4(i1, j1, z, acc[9]);
  store4(i1 + 1u, j0, z, acc[10]);
  store4(i1 + 1u, j1, z, acc[11]);
  store4(i1 + 2u, j0, z, acc[12]);
  store4(i1 + 2u, j1, z, acc[13]);
  store4(i1 + 3u, j0, z, acc[14]);
  store4(i1 + 3u, j1, z, acc[15]);
}

// ---- matmul_reduce (split-K) ----

@compute @workgroup_size(256, 1, 1)
fn matmul_reduce(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let mn = P.m * P.n;
  let idx = flat_index(wid, nwg, lid, 256u);
  if (idx >= mn) {
    return;
  }
  // Partial sums in slice order: the result does not depend on scheduling.
  var s = 0.0;
  for (var z = 0u; z < P.splits; z++) {
    s += scratch[z * mn + idx];
  }
  store_c(idx / P.n, idx % P.n, s);
}
