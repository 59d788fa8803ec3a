/**
 * Uniform-buffer layouts read from the WGSL itself: `parseStruct` finds a struct's fields and computes
 * their offsets with WGSL's alignment rules, and `packStruct` writes named values into bytes. Kernels
 * therefore fill their `Params` by field name and never hand-compute an offset or padding.
 * Supported member types: f32, u32, i32 and their vec2/vec3/vec4 forms (long or short spelling).
 */

/** Scalar type of a member. */
export type ScalarKind = 'f32' | 'u32' | 'i32';

/** One member of a struct: byte offset, scalar type and component count. */
export interface StructField {
  readonly name: string;
  readonly kind: ScalarKind;
  readonly components: 1 | 2 | 3 | 4;
  readonly offset: number;
}

/** A struct's layout in the uniform address space. */
export interface StructLayout {
  readonly name: string;
  readonly fields: readonly StructField[];
  /** Size in bytes, rounded up to the struct's alignment (and to 16, as uniform buffers require). */
  readonly size: number;
}

/** Thrown for a struct the parser cannot lay out or values that do not match it. */
export class UniformLayoutError extends Error {
  override readonly name = 'UniformLayoutError';
}

/** Value of a member: a number, or one per component for vectors. */
export type FieldValue = number | boolean | readonly number[];

const SCALAR_KINDS: readonly ScalarKind[] = ['f32', 'u32', 'i32'];
const SHORT_VEC = /^vec([234])([fiu])$/;
const LONG_VEC = /^vec([234])<\s*(f32|u32|i32)\s*>$/;

function parseType(type: string, where: string): { kind: ScalarKind; components: 1 | 2 | 3 | 4 } {
  const t = type.trim();
  if ((SCALAR_KINDS as readonly string[]).includes(t)) return { kind: t as ScalarKind, components: 1 };
  const short = SHORT_VEC.exec(t);
  if (short) {
    const kind = ({ f: 'f32', i: 'i32', u: 'u32' } as const)[short[2] as 'f' | 'i' | 'u'];
    return { kind, components: Number(short[1]) as 2 | 3 | 4 };
  }
  const long = LONG_VEC.exec(t);
  if (long) return { kind: long[2] as ScalarKind, components: Number(long[1]) as 2 | 3 | 4 };
  throw new UniformLayoutError(`${where}: unsupported uniform member type '${t}' (use f32/u32/i32 scalars or vectors)`);
}

/** Strips // and /* *\/ comments so that commented-out members are not parsed. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** Finds `struct <name> { ... }` in WGSL source and lays it out (WGSL §memory layout: align, size). */
export function parseStruct(wgsl: string, name: string): StructLayout {
  const src = stripComments(wgsl);
  const m = new RegExp(`\\bstruct\\s+${name}\\s*\\{([^}]*)\\}`).exec(src);
  if (!m) throw new UniformLayoutError(`struct ${name} not found in the shader source`);
  const fields: StructField[] = [];
  let offset = 0;
  let maxAlign = 4;
  for (const raw of m[1]!.split(',')) {
    const member = raw.trim();
    if (!member) continue;
    const mm = /^((?:@\w+\s*\(\s*\d+\s*\)\s*)*)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.+)$/.exec(member);
    if (!mm) throw new UniformLayoutError(`struct ${name}: cannot parse member '${member}'`);
    const fieldName = mm[2]!;
    const { kind, components } = parseType(mm[3]!, `struct ${name}.${fieldName}`);
    // vec3 aligns to 16 bytes but is 12 bytes large; vec2 aligns to 8. @align(n) / @size(n) override.
    let align = components === 1 ? 4 : components === 2 ? 8 : 16;
    let size = 4 * components;
    for (const [, attr, value] of mm[1]!.matchAll(/@(\w+)\s*\(\s*(\d+)\s*\)/g)) {
      if (attr === 'align') align = Number(value);
      else if (attr === 'size') size = Number(value);
      else throw new UniformLayoutError(`struct ${name}.${fieldName}: unsupported attribute @${attr}`);
    }
    offset = Math.ceil(offset / align) * align;
    fields.push({ name: fieldName, kind, components, offset });
    offset += size;
    maxAlign = Math.max(maxAlign, align);
  }
  const size = Math.ceil((Math.ceil(offset / maxAlign) * maxAlign) / 16) * 16;
  return { name, fields, size: Math.max(size, 16) };
}

/**
 * Writes `values` into `target` (at byte `at`) following `layout`. Every field must be given, and no
 * other key: a misspelt or forgotten parameter fails here rather than reading as zero on the GPU.
 */
export function packStruct(
  layout: StructLayout,
  values: Readonly<Record<string, FieldValue>>,
  target: ArrayBuffer = new ArrayBuffer(layout.size),
  at = 0,
): ArrayBuffer {
  const view = new DataView(target, at, layout.size);
  const known = new Set(layout.fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new UniformLayoutError(`struct ${layout.name} has no member '${key}'`);
  }
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new UniformLayoutError(`struct ${layout.name}: no value for member '${f.name}'`);
    const comps = typeof v === 'number' || typeof v === 'boolean' ? [Number(v)] : v;
    if (comps.length !== f.components) {
      throw new UniformLayoutError(
        `struct ${layout.name}.${f.name} needs ${f.components} value(s), got ${comps.length}`,
      );
    }
    comps.forEach((c, i) => {
      const o = f.offset + 4 * i;
      if (f.kind === 'f32') {
        view.setFloat32(o, c, true);
      } else if (f.kind === 'u32') {
        if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) {
          throw new UniformLayoutError(`struct ${layout.name}.${f.name} is u32 but got ${c}`);
        }
        view.setUint32(o, c, true);
      } else {
        if (!Number.isInteger(c) || c < -0x80000000 || c > 0x7fffffff) {
          throw new UniformLayoutError(`struct ${layout.name}.${f.name} is i32 but got ${c}`);
        }
        view.setInt32(o, c, true);
      }
    });
  }
  return target;
}
