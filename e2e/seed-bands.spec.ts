/**
 * End-to-end journey of a race on several seeds (CPU backend): set the seeds to 3 in the setup panel, play to a
 * step budget; the chart draws one band (the seeds' range) per run behind its median, the run card shows the
 * median and the range, the link carries the seed count, and the CSV export holds three seed columns per
 * metric for every run, each with that seed's own curve.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { collectErrors, screenshot } from './helpers.ts';

const SETUP = '/?backend=cpu&task=spiral&eval=10&stop=200&run=sgd&run=adam&run=fishleg';

test('CPU: three seeds draw a band per run and export three seed columns per run', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(SETUP);
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('seeds-input').fill('3');
  await expect.poll(() => new URL(page.url()).searchParams.get('seeds')).toBe('3');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('200', { timeout: 90_000 });
  await expect(page.getByTestId('play-button')).toHaveText('Play');

  // One band per run (three runs), each a filled path.
  const chart = page.getByTestId('loss-chart');
  await expect(chart.locator('.recharts-area')).toHaveCount(3);
  for (const path of await chart.locator('.recharts-area path').all()) {
    expect((await path.getAttribute('d'))?.length ?? 0).toBeGreaterThan(20);
  }
  await expect(page.getByTestId('seed-legend')).toContainText('median of seeds 1–3');
  await expect(page.getByTestId('r1-loss-range')).toContainText('over 3 seeds');
  await page.screenshot({ path: screenshot('seed-bands') });

  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const text = await readFile(await (await download).path(), 'utf8');
  const [head, ...rows] = text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const trainColumns = head!.filter((h) => /^trainLoss_seed\d+$/.test(h));
  expect(trainColumns).toEqual(['trainLoss_seed1', 'trainLoss_seed2', 'trainLoss_seed3']);
  const runs = [...new Set(rows.map((r) => r[0]))];
  expect(runs).toHaveLength(3);
  for (const run of runs) {
    const mine = rows.filter((r) => r[0] === run && r.at(-1) === '');
    expect(mine.map((r) => Number(r[head!.indexOf('step')])).at(-1)).toBe(200);
    const curves = trainColumns.map((c) => mine.map((r) => Number(r[head!.indexOf(c)])));
    // Three seeds, three curves: every seed has a finite loss on every row, and they are not one curve.
    for (const curve of curves) expect(curve.every(Number.isFinite)).toBe(true);
    expect(new Set(curves.map((c) => c.join())).size).toBe(3);
  }
  expect(errors).toEqual([]);
});

test("CPU: a preset's claim is judged on all of its seeds once the race gets to the claim's step", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu');
  await page.getByTestId('preset-mnist-ae').click();
  const claim = page.getByTestId('preset-claim');
  await expect(claim).toHaveAttribute('data-verdict', 'otherSeeds');
  await page.getByTestId('claim-seeds').click();
  await expect.poll(() => new URL(page.url()).searchParams.get('seeds')).toBe('3');
  await expect(claim).toHaveAttribute('data-verdict', 'pending');
  await expect(page.getByTestId('step-100-button')).toBeEnabled({ timeout: 90_000 });
  await page.getByTestId('step-100-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('100', { timeout: 90_000 });
  // The same race as CI's headless check (src/ui/preset-claims.test.ts) on the same seeds: the claim holds.
  await expect(claim).toHaveAttribute('data-verdict', 'holds');
  await expect(claim).toContainText('it holds on every seed');
  await expect(page.getByTestId('preset-blurb')).toBeVisible();
  await page.screenshot({ path: screenshot('seed-claim') });
  expect(errors).toEqual([]);
});
