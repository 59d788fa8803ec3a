/**
 * The optimizer hyper layouts are declared once, as WGSL structs: the WGSL kernels' generated loaders and the
 * host (CPU kernels, the optimizers writing the tensors) must read every field at the same offset.
 */
import { describe, expect, it } from 'vitest';
import { SHADERS } from './gpu/shaders.ts';
import {
  ADAM_LAYOUT,
  expandHyperLoaders,
  hyperLayout,
  HyperLayoutError,
  SGD_LAYOUT,
  type HyperLayout,
} from './hyper.ts';
import { SHADER_SOURCES } from './gpu/shaders.gen.ts';

/** Field → offset as the generated WGSL loader of `struct` reads it (constructor arguments in field order). */
function loaderOffsets(wgsl: string, struct: string, fields: readonly string[]): Record<string, number> {
  const m = new RegExp(`fn load_${struct}\\(off: u32\\) -> ${struct} \\{\\s*return ${struct}\\(([^;]*)\\);`).exec(wgsl);
  if (!m) throw new Error(`no loader for ${struct}`);
  const args = m[1]!.split(/,\s*(?=ld\()/).map((a) => Number(/off \+ (\d+)u/.exec(a)![1]));
  return Object.fromEntries(fields.map((f, i) => [f, args[i]!]));
}

const layouts: [string, HyperLayout<string>][] = [
  ['SgdHyper', SGD_LAYOUT],
  ['AdamHyper', ADAM_LAYOUT],
];

describe('hyper layouts', () => {
  it.each(layouts)('%s: the WGSL loader reads every field where the host writes it', (struct, layout) => {
    const gpu = loaderOffsets(SHADERS.optimizer, struct, layout.fields);
    expect(gpu).toEqual(layout.offset);
    // pack puts each named value at its offset.
    const values = Object.fromEntries(layout.fields.map((f, i) => [f, 10 + i]));
    const packed = layout.pack(values);
    for (const f of layout.fields) expect(packed[layout.offset[f]!]).toBe(values[f]);
    expect(packed).toHaveLength(layout.size);
  });

  it('follows a reordered struct on both sides', () => {
    const swapped = SHADER_SOURCES.optimizer.replace(
      /struct SgdHyper \{[^}]*\}/,
      'struct SgdHyper {\n  weight_decay: f32,\n  lr: f32,\n  momentum: f32,\n}',
    );
    const layout = hyperLayout('SgdHyper', ['lr', 'momentum', 'weight_decay'], swapped);
    expect(layout.offset).toEqual({ weight_decay: 0, lr: 1, momentum: 2 });
    expect(loaderOffsets(expandHyperLoaders(swapped), 'SgdHyper', layout.fields)).toEqual(layout.offset);
    expect(layout.pack({ lr: 0.1, momentum: 0.9, weight_decay: 0.01 })).toEqual([0.01, 0.1, 0.9]);
  });

  it('refuses a struct whose fields differ from what the host writes', () => {
    expect(() => hyperLayout('SgdHyper', ['lr', 'mu', 'weight_decay'])).toThrow(HyperLayoutError);
    expect(() => hyperLayout('SgdHyper', ['lr', 'mu', 'weight_decay'])).toThrow(/host expects lr, mu, weight_decay/);
    const vec = SHADER_SOURCES.optimizer.replace('momentum: f32', 'momentum: vec2f');
    expect(() => hyperLayout('SgdHyper', ['lr', 'momentum', 'weight_decay'], vec)).toThrow(/must be an f32 scalar/);
    expect(() => SGD_LAYOUT.pack({ lr: 1, momentum: 0 } as never)).toThrow(/no value for 'weight_decay'/);
  });
});
