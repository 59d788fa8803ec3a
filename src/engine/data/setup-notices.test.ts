/** The setup notices: a batch beyond the training rows, a test split under three rows, test classes never trained on. */
import { describe, expect, it } from 'vitest';
import { csvDataset } from './csv.ts';
import { setupNotices, shapeNotices } from './setup-notices.ts';
import { toyDataset } from './toy.ts';

describe('setup notices', () => {
  it('say nothing of an ordinary setup', () => {
    expect(setupNotices(toyDataset('spiral', { n: 200, seed: 1 }), 32)).toEqual([]);
    expect(shapeNotices({ trainRows: 32, testRows: 3, batch: 32 })).toEqual([]);
  });

  it('name a batch beyond the training rows and a test split under three rows', () => {
    expect(shapeNotices({ trainRows: 1, testRows: 1, batch: 2 })).toEqual([
      'the batch of 2 is larger than the 1 row of the training split: batches are drawn with replacement, so each repeats rows (a batch of 1 costs less)',
      'the test split holds only 1 row: its score says little (add rows or give a larger test file)',
    ]);
    expect(shapeNotices({ trainRows: 10, testRows: 0, batch: 5 })).toEqual([]); // no test split: nothing to score
  });

  it('name test classes that no training row has, and only those', () => {
    const test = { name: 'test.csv', text: 'x,label\n1,2\n2,0\n3,2\n' };
    const d = csvDataset({ name: 'train.csv', text: 'x,label\n1,0\n2,1\n3,0\n4,1\n' }, test);
    expect(setupNotices(d, 2)).toEqual([
      'the test split has class 2 that no training row has: no model can get it right',
    ]);
  });
});
