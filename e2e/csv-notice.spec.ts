/**
 * A wide CSV picked in the page: the parse is announced before it blocks the page, and once the file is read
 * the page says what FishLeg's input-layer Gram will cost on it (the cause of a slow start on thousands of
 * columns: the parse itself takes well under a second).
 */
import { expect, test } from '@playwright/test';
import { collectErrors } from './helpers.ts';

test('CPU: a 1,200-column CSV is announced, and FishLeg’s Gram cost on it is named', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  const cols = 1200;
  const rows = [[...Array.from({ length: cols }, (_, j) => `x${j}`), 'label'].join(',')];
  for (let i = 0; i < 900; i++) {
    rows.push([...Array.from({ length: cols }, (_, j) => (((i * 7 + j) % 13) / 13).toFixed(2)), i % 2].join(','));
  }
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  // 1,081,801 cells: the parse notice comes first, then the Gram notice replaces it (the default race has FishLeg).
  await expect(page.getByTestId('csv-notice')).toContainText(
    /Reading wide\.csv \(\d+\.\d MB, ≈ 1\.1 million cells\)|1,200 feature columns/,
  );
  await expect(page.getByTestId('csv-notice')).toContainText(
    "This CSV has 1,200 feature columns: FishLeg's run keeps a 1,201 × 1,201 Gram of the input layer",
  );
  await expect(page.getByTestId('csv-name')).toContainText('wide.csv');
  await expect(page.getByTestId('csv-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('CPU: a 2-row CSV trains with notices of its one-row splits', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'two.csv', mimeType: 'text/csv', buffer: Buffer.from('x,label\n0.1,0\n0.9,1\n') });
  await expect(page.getByTestId('csv-name')).toContainText('two.csv');
  await expect(page.getByTestId('task-select')).toHaveValue('csv');
  const notices = page.getByTestId('setup-notice');
  await expect(notices).toHaveText([
    /^The batch of 32 is larger than the 1 row of the training split: /,
    'The test split holds only 1 row: its score says little (add rows or give a larger test file).',
  ]);
  expect(errors).toEqual([]);
});
