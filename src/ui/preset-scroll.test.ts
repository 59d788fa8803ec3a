import { describe, expect, it } from 'vitest';
import { scrollToShow } from './preset-scroll.ts';

const row = { scrollLeft: 0, rowLeft: 10, rowWidth: 370, maxScroll: 1000 };

describe('scrolling the presets row to the active one', () => {
  it('leaves an item in view where it is', () => {
    expect(scrollToShow({ ...row, itemLeft: 10, itemWidth: 120 })).toBeNull();
    expect(scrollToShow({ ...row, itemLeft: 260, itemWidth: 120 })).toBeNull();
  });

  it('centres an item off the right edge, then one off the left edge', () => {
    // Item at content x = 600..720: centred, its middle (660) is at the row's middle (185).
    expect(scrollToShow({ ...row, itemLeft: 610, itemWidth: 120 })).toBe(475);
    // Scrolled to 800, an item at content x = 100..220 lies left of the row.
    expect(scrollToShow({ ...row, scrollLeft: 800, itemLeft: 10 + 100 - 800, itemWidth: 120 })).toBe(0);
  });

  it('stops at either end of the row and does nothing in a row that does not scroll', () => {
    expect(scrollToShow({ ...row, maxScroll: 300, itemLeft: 610, itemWidth: 120 })).toBe(300);
    expect(scrollToShow({ ...row, maxScroll: 0, itemLeft: 610, itemWidth: 120 })).toBeNull();
    // An item wider than the row is centred too (its ends beyond the row on both sides).
    expect(scrollToShow({ ...row, itemLeft: 400, itemWidth: 500 })).toBe(455);
  });
});
