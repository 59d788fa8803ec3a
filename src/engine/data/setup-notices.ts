/**
 * Setups that train but mislead, said in words before training (the CLI prints them as warnings). Batches
 * are drawn with replacement (sampler.ts), so a batch larger than the training set is legal; it only
 * repeats rows. A test split of one or two rows scores 0 %, 50 % or 100 %, which says nothing, and a test
 * class that no training row has cannot be predicted at all (a 2-row CSV of two classes: 0 % by construction).
 */
import type { Dataset, Split } from './dataset.ts';

/** Fewer test rows than this make the test score a coin toss. */
export const FEW_TEST_ROWS = 3;

const rows = (n: number): string => `${n} row${n === 1 ? '' : 's'}`;

/** The classes that label at least one row of a one-hot split. */
function classesOf(s: Split, k: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < s.n; i++) for (let c = 0; c < k; c++) if (s.y[i * k + c] === 1) out.add(c);
  return out;
}

/** The notices the split sizes and the batch alone tell (the page knows no more before the data is loaded). */
export function shapeNotices({
  trainRows,
  testRows,
  batch,
}: {
  trainRows: number;
  testRows: number;
  batch: number;
}): string[] {
  const out: string[] = [];
  if (batch > trainRows) {
    out.push(
      `the batch of ${batch} is larger than the ${rows(trainRows)} of the training split: batches are drawn with replacement, so each repeats rows (a batch of ${trainRows} costs less)`,
    );
  }
  if (testRows > 0 && testRows < FEW_TEST_ROWS) {
    out.push(
      `the test split holds only ${rows(testRows)}: its score says little (add rows or give a larger test file)`,
    );
  }
  return out;
}

/** One line per misleading part of training `data` with batches of `batch`; empty when there is none. */
export function setupNotices(data: Dataset, batch: number): string[] {
  const { train, test } = data;
  const out = shapeNotices({ trainRows: train.n, testRows: test.n, batch });
  if (data.kind === 'classification' && test.n > 0) {
    const k = data.outputDim;
    const seen = classesOf(train, k);
    const unseen = [...classesOf(test, k)].filter((c) => !seen.has(c)).sort((a, b) => a - b);
    if (unseen.length > 0) {
      out.push(
        `the test split has class${unseen.length === 1 ? '' : 'es'} ${unseen.join(', ')} that no training row has: no model can get ${unseen.length === 1 ? 'it' : 'them'} right`,
      );
    }
  }
  return out;
}
