/**
 * Uniform layouts parsed from WGSL: offsets follow WGSL's alignment rules (vec2 → 8, vec3/vec4 → 16,
 * structs padded to 16 for uniform buffers), and packing refuses missing, unknown or out-of-range values.
 */
import { describe, expect, it } from 'vitest';
import { paramsLayout } from './program.ts';
import { SHADERS } from './shaders.ts';
import { packStruct, parseStruct, UniformLayoutError } from './uniforms.ts';

const WGSL = `
struct Other { a: f32 }
// struct Params { commented: u32 }
struct Params {
  n: u32,           // comment after a member
  scale: f32,
  /* block comment: ignored: vec4<f32> */
  dir: vec3<f32>,
  @align(4) k: i32,
  @align(16) @size(12) uv: vec2u,
  last: f32,
}`;

describe('parseStruct', () => {
  it('computes WGSL offsets and size by hand-worked example', () => {
    const l = parseStruct(WGSL, 'Params');
    // n 0, scale 4, dir aligned to 16 (12 bytes), k 28, uv @align(16) → 32 with @size(12), last 44; size 48.
    expect(l.fields.map((f) => [f.name, f.offset, f.kind, f.components])).toEqual([
      ['n', 0, 'u32', 1],
      ['scale', 4, 'f32', 1],
      ['dir', 16, 'f32', 3],
      ['k', 28, 'i32', 1],
      ['uv', 32, 'u32', 2],
      ['last', 44, 'f32', 1],
    ]);
    expect(l.size).toBe(48);
  });

  it('rejects missing structs and unsupported members', () => {
    expect(() => parseStruct(WGSL, 'Nope')).toThrow(UniformLayoutError);
    expect(() => parseStruct('struct P { m: mat4x4<f32> }', 'P')).toThrow(/unsupported/);
  });

  it('lays out every kernel Params struct (only scalars: 4 bytes each)', () => {
    for (const name of [
      'matmul',
      'activation',
      'likelihood',
      'gather',
      'reduce',
      'elementwise',
      'optimizer',
    ] as const) {
      const l = paramsLayout(name);
      expect(l.fields.map((f) => f.offset)).toEqual(l.fields.map((_, i) => 4 * i));
      expect(l.size % 16).toBe(0);
      expect(SHADERS[name]).toContain('var<uniform> P: Params;');
    }
  });
});

describe('packStruct', () => {
  const l = parseStruct(WGSL, 'Params');
  const values = { n: 7, scale: 0.5, dir: [1, 2, 3], k: -4, uv: [5, 6], last: -1 };

  it('writes little-endian values at their offsets', () => {
    const v = new DataView(packStruct(l, values));
    expect(v.getUint32(0, true)).toBe(7);
    expect(v.getFloat32(4, true)).toBe(0.5);
    expect([v.getFloat32(16, true), v.getFloat32(20, true), v.getFloat32(24, true)]).toEqual([1, 2, 3]);
    expect(v.getInt32(28, true)).toBe(-4);
    expect([v.getUint32(32, true), v.getUint32(36, true)]).toEqual([5, 6]);
    expect(v.getFloat32(44, true)).toBe(-1);
  });

  it('packs at an offset inside a larger buffer', () => {
    const buf = new ArrayBuffer(256 + l.size);
    packStruct(l, values, buf, 256);
    expect(new DataView(buf).getUint32(256, true)).toBe(7);
    expect(new DataView(buf).getUint32(0, true)).toBe(0);
  });

  it('refuses missing, unknown and out-of-range values', () => {
    const { last: _last, ...missing } = values;
    expect(() => packStruct(l, missing)).toThrow(/no value for member 'last'/);
    expect(() => packStruct(l, { ...values, typo: 1 })).toThrow(/no member 'typo'/);
    expect(() => packStruct(l, { ...values, n: -1 })).toThrow(/u32/);
    expect(() => packStruct(l, { ...values, n: 1.5 })).toThrow(/u32/);
    expect(() => packStruct(l, { ...values, dir: [1, 2] })).toThrow(/3 value/);
  });
});
