import { describe, expect, it } from 'vitest';
import { ciede2000, linearToLab, parseHex, perceivedDistance, simulate } from './colour-vision.ts';

describe('colour differences as viewers see them', () => {
  // Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula": test pairs 1, 7, 17, 25 and 34.
  it.each([
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ] as const)('matches the published CIEDE2000 of %j and %j', (p, q, want) => {
    expect(ciede2000(p, q)).toBeCloseTo(want, 4);
    expect(ciede2000(q, p)).toBeCloseTo(want, 4);
  });

  it('puts sRGB white, black and red where CIELAB has them', () => {
    const lab = (hex: string) => linearToLab(simulate(parseHex(hex), 'none'));
    expect(lab('#ffffff')[0]).toBeCloseTo(100, 2);
    expect(lab('#ffffff')[1]).toBeCloseTo(0, 2);
    expect(lab('#000000')[0]).toBeCloseTo(0, 6);
    const red = lab('#ff0000');
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('makes red and green alike for a deuteranope but not for a tritanope', () => {
    const normal = perceivedDistance('#d62728', '#2ca02c');
    const deut = perceivedDistance('#d62728', '#2ca02c', 'deuteranopia');
    expect(deut).toBeLessThan(normal / 2);
    expect(perceivedDistance('#d62728', '#2ca02c', 'tritanopia')).toBeGreaterThan(deut * 2);
  });

  it('leaves greys as they are for every deficiency (the simulations keep the neutral axis)', () => {
    for (const d of ['deuteranopia', 'protanopia', 'tritanopia'] as const) {
      expect(perceivedDistance('#808080', '#808080', d)).toBeCloseTo(0, 6);
      expect(perceivedDistance('#777777', '#777777', 'none')).toBe(0);
      const [r, g, b] = simulate(parseHex('#808080'), d);
      expect(Math.abs(r - g) + Math.abs(g - b)).toBeLessThan(0.01);
    }
  });

  it('refuses what is not #rrggbb', () => {
    expect(() => parseHex('red')).toThrow(/#rrggbb/);
  });
});
