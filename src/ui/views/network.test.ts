import { describe, expect, it } from 'vitest';
import { edgeStyle, fieldToRgba, NET, networkLayout, networkProblem, unitField } from './network.ts';
import type { NetworkData, ProbabilityGrid } from './types.ts';

const grid: ProbabilityGrid = {
  size: 2,
  extent: [-1, 3, -2, 2],
  // Cells (r, c) = (0,0), (0,1), (1,0), (1,1): p(class 1) = 0.1, 0.2, 0.7, 0.9.
  probs: new Float32Array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.1, 0.9]),
};
const net: NetworkData = {
  widths: [2, 3, 2],
  shown: [2, 2, 2],
  acts: ['relu'],
  hidden: [new Float32Array([0, 1, 2, 4, -1, -1, -1, -1])],
  weights: [new Float32Array(4), new Float32Array(4)],
};

describe('network diagram helpers', () => {
  it('centres columns of different heights', () => {
    const l = networkLayout([2, 4, 1]);
    expect(l.width).toBe(3 * NET.colW);
    expect(l.height).toBe(NET.top + 4 * NET.rowH + NET.bottom);
    const mid = (c: number) => l.units[c]!.reduce((s, u) => s + u.cy, 0) / l.units[c]!.length;
    expect(mid(0)).toBeCloseTo(mid(1), 9);
    expect(mid(2)).toBeCloseTo(mid(1), 9);
    expect(l.units[1]![0]!.cx).toBe(1.5 * NET.colW);
  });

  it('inputs are the coordinates, hidden units their activations, outputs 2p − 1', () => {
    expect(Array.from(unitField(net, grid, 2, 0, 0).values)).toEqual([-1, 3, -1, 3]);
    expect(unitField(net, grid, 2, 0, 0).range).toBe(3);
    expect(Array.from(unitField(net, grid, 2, 0, 1).values)).toEqual([-2, -2, 2, 2]);
    const h = unitField(net, grid, 2, 1, 0);
    expect(Array.from(h.values)).toEqual([0, 1, 2, 4]);
    expect(h.range).toBe(4); // ReLU: its own largest value
    const o = unitField(net, grid, 2, 2, 1);
    expect(Array.from(o.values).map((v) => +v.toFixed(5))).toEqual([-0.8, -0.6, 0.4, 0.8]);
    expect(unitField({ ...net, acts: ['tanh'] }, grid, 2, 1, 1).range).toBe(1);
  });

  it('draws grid row 0 (ymin) at the bottom', () => {
    const rgba = fieldToRgba([1, 1, -1, -1], 2, 1);
    // Top-left pixel is grid row 1 (value −1: blue), bottom-left grid row 0 (value 1: red).
    expect(rgba[2]! > rgba[0]!).toBe(true);
    expect(rgba[8]! > rgba[10]!).toBe(true);
  });

  it('colours edges by sign and sizes them by magnitude', () => {
    expect(edgeStyle(2, 2).colour).not.toBe(edgeStyle(-2, 2).colour);
    expect(edgeStyle(2, 2).width).toBeGreaterThan(edgeStyle(0.5, 2).width);
    expect(edgeStyle(Number.NaN, 2).width).toBe(edgeStyle(0, 2).width);
  });

  it('says why malformed data cannot be drawn', () => {
    expect(networkProblem(net, grid, 2)).toBeNull();
    expect(networkProblem(undefined, grid, 2)).toBe('no data yet');
    expect(networkProblem({ ...net, hidden: [new Float32Array(3)] }, grid, 2)).toBe('malformed network data');
    expect(networkProblem({ ...net, weights: [new Float32Array(4)] }, grid, 2)).toBe('malformed network data');
  });

  it('a regression output is the predicted value on the given range, not a probability', () => {
    const reg: NetworkData = {
      ...net,
      widths: [2, 3, 1],
      shown: [2, 2, 1],
      weights: [new Float32Array(4), new Float32Array(2)],
    };
    const values: ProbabilityGrid = { ...grid, probs: new Float32Array([-2, 0.5, 1, 3]) };
    const o = unitField(reg, values, 1, 2, 0, 2.5);
    expect(Array.from(o.values)).toEqual([-2, 0.5, 1, 3]);
    expect(o.range).toBe(2.5);
    expect(networkProblem(reg, values, 1)).toBeNull();
    // Without a range the same column is read as a probability (2p − 1).
    expect(unitField(reg, values, 1, 2, 0).range).toBe(1);
  });
});
