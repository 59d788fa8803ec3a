/**
 * Counter-based RNG: Threefry-2x32 with 20 rounds (Salmon et al., 2011), the same function as
 * shaders/rng.wgsl, bit for bit. A draw is a pure function of (seed, stream, counter), so every backend,
 * every optimizer in a race and every re-run sees the same initial weights, batches and samples.
 */

const ROT = [13, 15, 26, 6, 17, 29, 16, 24] as const;

/** Named streams so that independent uses of one seed never overlap. */
export const Stream = {
  init: 1,
  batch: 2,
  data: 3,
  draw: 4,
  auxBatch: 5,
  fishlegInit: 6,
  kfacDraw: 7,
} as const;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** Threefry-2x32-20 of counter (c0, c1) under key (k0, k1); returns two uint32 words. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (0x1bd11bda ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]!) >>> 0;
  let x1 = (c1 + ks[1]!) >>> 0;
  for (let r = 0; r < 20; r++) {
    x0 = (x0 + x1) >>> 0;
    x1 = rotl(x1, ROT[r % 8]!);
    x1 = (x1 ^ x0) >>> 0;
    if (r % 4 === 3) {
      const i = (r + 1) / 4;
      x0 = (x0 + ks[i % 3]!) >>> 0;
      x1 = (x1 + ks[(i + 1) % 3]! + i) >>> 0;
    }
  }
  return [x0, x1];
}

/** 24-bit uniform in [0, 1): exact in float32 and float64 alike. */
export function toUniform(x: number): number {
  return (x >>> 8) * 5.960464477539063e-8;
}

/** Uniform in [0, 1) at (seed, stream, counter); the counter's high word goes into the block's second word. */
export function uniformAt(seed: number, stream: number, counter: number): number {
  return toUniform(threefry2x32(seed, stream, counter >>> 0, Math.floor(counter / 4294967296))[0]);
}

/** Standard normal at (seed, stream, counter), Box–Muller on the two words of one block. */
export function normalAt(seed: number, stream: number, counter: number): number {
  const [a, b] = threefry2x32(seed, stream, counter >>> 0, Math.floor(counter / 4294967296));
  const u1 = ((a >>> 8) + 1) * 5.960464477539063e-8; // (0, 1]: log is finite
  const u2 = toUniform(b);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A sequential view of one stream, for host-side generation (weights, batches, toy data). */
export class Rng {
  private counter: number;
  constructor(
    readonly seed: number,
    readonly stream: number,
    start = 0,
  ) {
    this.counter = start;
  }
  uniform(): number {
    return uniformAt(this.seed, this.stream, this.counter++);
  }
  normal(): number {
    return normalAt(this.seed, this.stream, this.counter++);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}
