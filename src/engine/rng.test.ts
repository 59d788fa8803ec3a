/**
 * Threefry-2x32-20 against the published known-answer vectors (Random123 kat_vectors), and the
 * documented mappings from its words to uniforms and normals that the WGSL copy must reproduce.
 */
import { describe, expect, it } from 'vitest';
import { normalAt, Rng, threefry2x32, toUniform, uniformAt } from './rng.ts';

describe('threefry2x32 (20 rounds)', () => {
  it.each([
    { key: [0, 0], ctr: [0, 0], out: [0x6b200159, 0x99ba4efe] },
    { key: [0xffffffff, 0xffffffff], ctr: [0xffffffff, 0xffffffff], out: [0x1cb996fc, 0xbb002be7] },
    { key: [0x13198a2e, 0x03707344], ctr: [0x243f6a88, 0x85a308d3], out: [0xc4923a9c, 0x483df7a0] },
  ])('Random123 KAT key=$key ctr=$ctr', ({ key, ctr, out }) => {
    expect(threefry2x32(key[0]!, key[1]!, ctr[0]!, ctr[1]!)).toEqual(out);
  });
});

describe('uniform and normal mappings', () => {
  it('toUniform keeps the top 24 bits: [0, 1) and exact in float32', () => {
    expect(toUniform(0)).toBe(0);
    expect(toUniform(0xffffffff)).toBe(1 - 2 ** -24);
    expect(toUniform(0x80000000)).toBe(0.5);
    const u = toUniform(0x12345678);
    expect(Math.fround(u)).toBe(u);
  });

  it('uniformAt and normalAt use word 0 (and word 1) of the block at (seed, stream, counter)', () => {
    const [a, b] = threefry2x32(7, 3, 41, 0);
    expect(uniformAt(7, 3, 41)).toBe(toUniform(a));
    const u1 = ((a >>> 8) + 1) * 2 ** -24;
    expect(normalAt(7, 3, 41)).toBe(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * toUniform(b)));
    // Counters above 2³² carry into the block's second word.
    expect(uniformAt(7, 3, 2 ** 32 + 5)).toBe(toUniform(threefry2x32(7, 3, 5, 1)[0]));
  });

  it('Rng walks the counter from its start', () => {
    const r = new Rng(9, 2, 100);
    expect([r.uniform(), r.normal()]).toEqual([uniformAt(9, 2, 100), normalAt(9, 2, 101)]);
  });
});
