/**
 * The CSV load notices: a large file is announced before its parse (from its cell count), and a wide one
 * names what FishLeg's input-layer Gram will cost, only for the approximations that keep one.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg, defaultOptimizer } from '../engine/optim/config.ts';
import { csvCells } from '../engine/page.ts';
import { csvParseNotice, wideInputNotice } from './csv-cost.ts';

describe('CSV load notices', () => {
  it('counts cells from the separators and line breaks', () => {
    expect(csvCells('a,b\n1,2\n3,4')).toBe(6);
    expect(csvCells('a;b\n1,5;2\n3;4')).toBe(6);
    expect(csvCells('a\tb\tc\n1\t2\t3')).toBe(6);
    expect(csvCells('')).toBe(1);
  });

  it('announces a parse of a million cells or more, and not below', () => {
    expect(csvParseNotice('small.csv', 2e5, 999_999)).toBeNull();
    expect(csvParseNotice('wide.csv', 9e6, 1_500_501)).toBe(
      'Reading wide.csv (9.0 MB, ≈ 1.5 million cells): the page pauses while it is parsed.',
    );
  });

  it("names the Gram cost of block-Kron and sum-of-Kron on wide inputs, never Kron+diag's or other optimizers'", () => {
    const run = (optimizer: ReturnType<typeof defaultOptimizer>) => ({ optimizer });
    const fl = run(defaultFishLeg('block-kron'));
    expect(wideInputNotice(998, [fl])).toBeNull(); // 999³ < 10⁹
    expect(wideInputNotice(3000, [fl])).toBe(
      "This CSV has 3,000 feature columns: FishLeg's run keeps a 3,001 × 3,001 Gram of the input layer, ≈ 2.7e+10 multiply-adds at the start and after every auxiliary update (tens of seconds on the CPU). FishLeg's Kron+diag approximation has no such Gram.",
    );
    expect(wideInputNotice(3000, [fl, run(defaultFishLeg('sum-kron'))])).toMatch(/FishLeg's runs keep/);
    expect(wideInputNotice(3000, [run(defaultFishLeg('kron-diag')), run(defaultOptimizer('adam'))])).toBeNull();
  });
});
