// Counter-based RNG: Threefry-2x32 with 20 rounds, bit for bit the same function as src/engine/rng.ts
// (threefry2x32, toUniform, normalAt). Library only, no bindings or entry point: kernels pull it in with
// `//!include rng.wgsl` (src/engine/gpu/shaders.ts expands it when the engine loads). Used by likelihood.wgsl (draw).
//   threefry2x32(key, ctr): 5 groups of 4 rounds (x0 += x1; x1 = rotl(x1, R) ^ x0), rotations
//     13 15 26 6 | 17 29 16 24 alternating, key injection ks[i%3], ks[(i+1)%3] + i after group i.
//   to_uniform(w) = (w >> 8)·2⁻²⁴ ∈ [0, 1), exact in f32.
//   normal_from(w) = √(−2 log u1)·cos(2π u2), u1 = ((w.x >> 8) + 1)·2⁻²⁴ ∈ (0, 1], u2 = to_uniform(w.y).
// cos(2π u2) is evaluated with exact range reduction and Taylor polynomials (cos_2pi) rather than the
// builtin, whose WGSL accuracy bound (2⁻¹¹ absolute) is too loose to match the CPU within 1e-5.

const TWO_POW_M24: f32 = 5.960464477539063e-8;

fn rotl32(x: u32, r: u32) -> u32 {
  return (x << r) | (x >> (32u - r));
}

fn threefry_round(x: vec2<u32>, r: u32) -> vec2<u32> {
  let x0 = x.x + x.y;
  return vec2<u32>(x0, rotl32(x.y, r) ^ x0);
}

fn threefry_even(x: vec2<u32>) -> vec2<u32> {
  return threefry_round(threefry_round(threefry_round(threefry_round(x, 13u), 15u), 26u), 6u);
}

fn threefry_odd(x: vec2<u32>) -> vec2<u32> {
  return threefry_round(threefry_round(threefry_round(threefry_round(x, 17u), 29u), 16u), 24u);
}

/** Threefry-2x32-20 of counter `ctr` under key `key` (rng.ts threefry2x32). */
fn threefry2x32(key: vec2<u32>, ctr: vec2<u32>) -> vec2<u32> {
  let k0 = key.x;
  let k1 = key.y;
  let k2 = 0x1bd11bdau ^ k0 ^ k1;
  var x = ctr + vec2<u32>(k0, k1);
  x = threefry_even(x) + vec2<u32>(k1, k2 + 1u);
  x = threefry_odd(x) + vec2<u32>(k2, k0 + 2u);
  x = threefry_even(x) + vec2<u32>(k0, k1 + 3u);
  x = threefry_odd(x) + vec2<u32>(k1, k2 + 4u);
  x = threefry_even(x) + vec2<u32>(k2, k0 + 5u);
  return x;
}

/** 24-bit uniform in [0, 1) (rng.ts toUniform). */
fn to_uniform(w: u32) -> f32 {
  return f32(w >> 8u) * TWO_POW_M24;
}

/** 24-bit uniform in (0, 1]: log of it is finite. */
fn to_uniform_open0(w: u32) -> f32 {
  return f32((w >> 8u) + 1u) * TWO_POW_M24;
}

/** cos(2π t) for t ∈ [0, 1/8] (|2πt| ≤ π/4): Taylor to t¹⁰, error < 3e-8. */
fn cos_2pi_small(t: f32) -> f32 {
  let x = 6.283185307179586 * t;
  let x2 = x * x;
  return 1.0 + x2 * (-0.5 + x2 * (4.1666666666666664e-2 + x2 * (-1.388888888888889e-3 + x2 * (2.48015873015873e-5 + x2 * -2.755731922398589e-7))));
}

/** sin(2π t) for t ∈ [0, 1/8]: Taylor to t¹¹. */
fn sin_2pi_small(t: f32) -> f32 {
  let x = 6.283185307179586 * t;
  let x2 = x * x;
  return x * (1.0 + x2 * (-0.16666666666666666 + x2 * (8.333333333333333e-3 + x2 * (-1.984126984126984e-4 + x2 * (2.7557319223985893e-6 + x2 * -2.505210838544172e-8)))));
}

/**
 * cos(2π u) for u ∈ [0, 1). The reductions u → 1 − u, u → ½ − u and u → ¼ − u are exact in f32 for the
 * 24-bit dyadic u the RNG produces, so the only error is the polynomials'.
 */
fn cos_2pi(u: f32) -> f32 {
  var t = min(u, 1.0 - u); // cos is even about 0 and 1: t ∈ [0, ½]
  var sign = 1.0;
  if (t > 0.25) {
    t = 0.5 - t; // cos(π − x) = −cos x
    sign = -1.0;
  }
  if (t > 0.125) {
    return sign * sin_2pi_small(0.25 - t); // cos(π/2 − x) = sin x
  }
  return sign * cos_2pi_small(t);
}

/** Standard normal from one Threefry block, Box–Muller (rng.ts normalAt). */
fn normal_from(w: vec2<u32>) -> f32 {
  return sqrt(-2.0 * log(to_uniform_open0(w.x))) * cos_2pi(to_uniform(w.y));
}
