import { describe, expect, it } from 'vitest';
import { DIAGRAM_BOUNDS, editHidden } from './network-edit.ts';

describe('editing the network from the diagram', () => {
  it('adds and removes units of one layer, keeping its activation and the others', () => {
    expect(editHidden('16t-8r', { kind: 'unit', layer: 0, delta: 1 })).toBe('17t-8r');
    expect(editHidden('16t-8r', { kind: 'unit', layer: 1, delta: -1 })).toBe('16t-7r');
  });

  it('adds a layer like the last one and removes the last layer', () => {
    expect(editHidden('16t-8r', { kind: 'layer', delta: 1 })).toBe('16t-8r-8r');
    expect(editHidden('16t-8r', { kind: 'layer', delta: -1 })).toBe('16t');
    expect(editHidden('', { kind: 'layer', delta: 1 })).toBe('4t');
    expect(editHidden('4t', { kind: 'layer', delta: -1 })).toBe('');
  });

  it('refuses edits out of bounds (the buttons are disabled)', () => {
    expect(editHidden('1t', { kind: 'unit', layer: 0, delta: -1 })).toBeNull();
    expect(editHidden(`${DIAGRAM_BOUNDS.maxWidth}t`, { kind: 'unit', layer: 0, delta: 1 })).toBeNull();
    expect(editHidden('4t', { kind: 'unit', layer: 3, delta: 1 })).toBeNull();
    expect(editHidden('', { kind: 'layer', delta: -1 })).toBeNull();
    expect(editHidden('2t-2t-2t-2t-2t-2t', { kind: 'layer', delta: 1 })).toBeNull();
  });
});
