import { describe, expect, it } from 'vitest';
import { archKinds, formatArch, paramCount, parseArch } from '../../src/engine/data/arch.ts';
import { countOps } from '../../src/engine/fishleg/cost.ts';
import { kindOfToken, LAYER_KINDS, layerInfo, layerKind } from '../../src/engine/layers/registry.ts';
import { initParams, paramLayout } from '../../src/engine/model/mlp.ts';
import type { Activation } from '../../src/engine/ops.ts';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';

const ACTS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'identity'];

describe('the layer registry', () => {
  it('names every kind once, and finds each by name', () => {
    const names = LAYER_KINDS.map((k) => k.kind);
    expect(new Set(names).size).toBe(names.length);
    for (const k of LAYER_KINDS) expect(layerKind(k.kind)).toBe(k);
    expect(() => layerKind('conv9d')).toThrow(/unknown layer kind 'conv9d' \(known: dense/);
  });

  it('gives each token to the kind whose grammar writes it, and each kind parses what it formats', () => {
    // Kinds over images round-trip through whole architectures (test/layers/conv-grammar.test.ts).
    for (const k of LAYER_KINDS.filter((kind) => kind.grammar.reads === 'flat')) {
      for (const act of ACTS) {
        const token = k.grammar.format({ size: 7, act });
        expect(kindOfToken(token)).toBe(k);
        expect(k.grammar.parse(token, 'layer 1', 'x', 'hint', { size: 3 })).toEqual({ size: 7, act });
      }
    }
    expect(kindOfToken('?')).toBeUndefined();
  });
});

describe('the dense layer descriptor', () => {
  const dense = layerKind('dense');

  it('lays out m×(n+1) parameters per layer and counts them as the architecture does', () => {
    const arch = parseArch('5-4t-3r-2');
    expect(archKinds(arch)).toEqual(['dense', 'dense', 'dense']);
    expect(formatArch(arch)).toBe('5-4t-3r-2');
    const layout = paramLayout(arch);
    expect(layout.layers.map((l) => [l.kind, l.offset, l.size])).toEqual([
      ['dense', 0, 24],
      ['dense', 24, 15],
      ['dense', 39, 8],
    ]);
    expect(layout.total).toBe(paramCount(arch));
    expect(layout.layers.map((l) => dense.kron(l))).toEqual([
      { m: 4, p: 6 },
      { m: 3, p: 5 },
      { m: 2, p: 4 },
    ]);
  });

  it('initialises within ±1/√fan_in, the same for the same seed', () => {
    const arch = parseArch('9-4t-2');
    const a = initParams(arch, 3);
    expect(Array.from(a)).toEqual(Array.from(initParams(arch, 3)));
    expect(Array.from(a)).not.toEqual(Array.from(initParams(arch, 4)));
    const [l0, l1] = paramLayout(arch).layers;
    const max = (from: number, size: number) => Math.max(...a.subarray(from, from + size).map(Math.abs));
    expect(max(l0!.offset, l0!.size)).toBeLessThanOrEqual(1 / 3);
    expect(max(l1!.offset, l1!.size)).toBeLessThanOrEqual(1 / 2);
    expect(max(l1!.offset, l1!.size)).toBeGreaterThan(1 / 3);
  });

  it('declares the multiply-adds its op lists do (the input gradient without the bias-input column)', () => {
    const backend = new CpuBackend();
    const layer = paramLayout(parseArch('6-5t')).layers[0]!;
    const rows = 3;
    const t = (size: number) => backend.alloc(size, 't');
    const input = t(rows * dense.inputStride(layer));
    const params = t(layer.size);
    const out = t(rows * layer.m);
    const macs = dense.macs(layer, rows);
    expect(countOps(dense.ops.forward(layer, rows, input, params, out, 0, {})).macs).toBe(macs.forward);
    expect(countOps(dense.ops.weightGrad(layer, rows, out, input, params, 1, 0, {})).macs).toBe(macs.weightGrad);
    expect(countOps(dense.ops.inputGrad(layer, rows, out, params, input, {})).macs).toBe(
      macs.inputGrad + rows * layer.m,
    );
    backend.dispose();
  });
});

describe('layerInfo', () => {
  it('describes a dense layer by its Kronecker sides, parameter count and printed shape', () => {
    const [l0, l1] = paramLayout(parseArch('2-16t-3')).layers;
    expect(layerInfo(l0!)).toEqual({ kind: 'dense', m: 16, p: 3, size: 48, label: '16×(2+1)' });
    expect(layerInfo(l1!)).toEqual({ kind: 'dense', m: 3, p: 17, size: 51, label: '3×(16+1)' });
  });
});
