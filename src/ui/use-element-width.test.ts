import { describe, expect, it } from 'vitest';
import { fitWrapped } from './use-element-width.ts';

describe('fitWrapped', () => {
  it('keeps maps at least `min` wide by wrapping them into rows', () => {
    // A 400 px side column with four maps: three to a row at 128 px, not four at 94.
    expect(fitWrapped(400, 4, 8, 120, 220)).toBe(128);
    // A phone's 340 px card: two to a row.
    expect(fitWrapped(340, 4, 8, 120, 220)).toBe(166);
    // Wide enough for all in one row, each at most `max`.
    expect(fitWrapped(600, 4, 8, 120, 220)).toBe(144);
    expect(fitWrapped(2000, 2, 8, 120, 220)).toBe(220);
  });

  it('never wider than the row, and `max` before the row is measured', () => {
    expect(fitWrapped(90, 3, 8, 120, 220)).toBe(90);
    expect(fitWrapped(null, 3, 8, 120, 220)).toBe(220);
    expect(fitWrapped(500, 0, 8, 120, 220)).toBe(220);
  });
});
