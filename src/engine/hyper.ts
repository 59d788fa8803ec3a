/**
 * The layouts of the optimizer ops' `hyper` tensors, declared once as WGSL structs in shaders/optimizer.wgsl
 * (SgdHyper, AdamHyper) and read from there by name: by the CPU kernels (cpu/optimizer.ts), by the WGSL
 * kernels through the generated `load_<Struct>` functions (`//!hyper-loader`, expanded in gpu/shaders.ts),
 * and by the optimizers that write them (optim/optimizer.ts, fishleg/fishleg.ts). Swapping two fields in the
 * struct moves them on every side at once; nothing holds an index by hand.
 */
import { SHADER_SOURCES } from './gpu/shaders.gen.ts';
import { parseStruct } from './gpu/uniforms.ts';

/** A hyper tensor's layout: element offsets by field name, in the struct's order. */
export interface HyperLayout<F extends string> {
  readonly struct: string;
  /** Elements (f32) in the tensor. */
  readonly size: number;
  readonly offset: Readonly<Record<F, number>>;
  /** The fields in struct order. */
  readonly fields: readonly F[];
  /** The tensor's values from named ones (every field, no other). */
  pack(values: Readonly<Record<F, number>>): number[];
}

/** Thrown when a struct of shaders/optimizer.wgsl does not have the fields its users expect. */
export class HyperLayoutError extends Error {
  override readonly name = 'HyperLayoutError';
}

/**
 * The layout of `struct` in `wgsl`, checked to hold exactly `fields` (in any order), all f32 scalars: a
 * field renamed in the shader and not in the host code fails here, when the engine loads.
 */
export function hyperLayout<F extends string>(
  struct: string,
  fields: readonly F[],
  wgsl: string = SHADER_SOURCES.optimizer,
): HyperLayout<F> {
  const layout = parseStruct(wgsl, struct);
  const names = layout.fields.map((f) => f.name);
  const want = [...fields].sort().join(', ');
  if ([...names].sort().join(', ') !== want) {
    throw new HyperLayoutError(`struct ${struct} has fields ${names.join(', ')}; the host expects ${want}`);
  }
  const offset = {} as Record<F, number>;
  for (const f of layout.fields) {
    if (f.kind !== 'f32' || f.components !== 1) {
      throw new HyperLayoutError(`struct ${struct}.${f.name} must be an f32 scalar (hyper tensors are f32 arrays)`);
    }
    offset[f.name as F] = f.offset / 4;
  }
  const ordered = layout.fields.map((f) => f.name as F);
  return {
    struct,
    size: ordered.length,
    offset,
    fields: ordered,
    pack(values) {
      const out = new Array<number>(ordered.length);
      for (const f of ordered) {
        const v = values[f];
        if (typeof v !== 'number') throw new HyperLayoutError(`struct ${struct}: no value for '${f}'`);
        out[offset[f]] = v;
      }
      return out;
    },
  };
}

/** SGD with momentum: g = ∇ + wd·θ; m ← μ·m + g; θ ← θ − lr·m. */
export const SGD_LAYOUT = hyperLayout('SgdHyper', ['lr', 'momentum', 'weight_decay']);
/**
 * Adam / AdamW: bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ written by the host each step; decoupled ≠ 0 selects AdamW.
 */
export const ADAM_LAYOUT = hyperLayout('AdamHyper', [
  'lr',
  'beta1',
  'beta2',
  'eps',
  'weight_decay',
  'decoupled',
  'bc1',
  'bc2',
]);

/** Length of the hyper tensor each optimizer op reads. */
export const SGD_HYPER = SGD_LAYOUT.size;
export const ADAM_HYPER = ADAM_LAYOUT.size;

const LOADER = /^\s*\/\/!hyper-loader\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * Replaces each `//!hyper-loader <Struct>` line of a WGSL module by `fn load_<Struct>(off: u32) -> <Struct>`,
 * which reads every field from the `hyper_slot` tensor at its offset in the struct.
 */
export function expandHyperLoaders(wgsl: string): string {
  return wgsl
    .split('\n')
    .map((line) => {
      const name = LOADER.exec(line)?.[1];
      if (name === undefined) return line;
      const layout = parseStruct(wgsl, name);
      const args = layout.fields.map((f) => `ld(hyper_slot, off + ${f.offset / 4}u)`).join(', ');
      return `fn load_${name}(off: u32) -> ${name} {\n  return ${name}(${args});\n}`;
    })
    .join('\n');
}
