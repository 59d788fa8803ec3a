/**
 * The curvature preset on the CPU backend: FishLeg, K-FAC and the exact natural gradient race on the spiral, the
 * K-FAC and natural-gradient curves fall, and the Inside view draws FishLeg's Q, K-FAC's (Ĝ ⊗ Â)⁻¹ and the exact
 * (F + γI)⁻¹ of the same layer side by side (each run's own exact inverse). Screenshot: e2e/screenshots/kfac-curvature.png (gitignored).
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

test('CPU: FishLeg vs K-FAC vs natural gradient — curves fall, Inside shows the three matrices', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto('/?backend=cpu&task=spiral');
  await page.getByTestId('preset-curvature').click();
  await expect(page.getByTestId('play-button')).toBeEnabled();
  // FishLeg, its frozen-Q control, K-FAC, the natural gradient.
  const ids = ['r1', 'r2', 'r3', 'r4'];
  const first: number[] = [];
  for (const id of ids) {
    const el = page.getByTestId(`${id}-loss`);
    await expect(el).toHaveText(/^\d/);
    first.push(Number(await el.getAttribute('data-first')));
  }
  await page.getByTestId('play-button').click();
  // K-FAC leaves the plateau within a few hundred steps, the natural gradient by about step 1,000 (presets.ts).
  await expect.poll(() => num(page, 'r3-loss'), { timeout: 100_000 }).toBeLessThan(0.8 * first[2]!);
  await expect.poll(() => num(page, 'step-count'), { timeout: 100_000 }).toBeGreaterThan(600);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  expect(await num(page, 'r4-loss')).toBeLessThan(first[3]!);
  await expect(page.getByTestId('loss-chart').locator('.recharts-line-curve')).toHaveCount(8);

  const inside = page.getByRole('region', { name: 'Inside the optimizer' });
  const compare = inside.getByTestId('inside-compare');
  await expect(compare).toBeVisible();
  await expect(compare).toContainText('FishLeg Q, rel. error');
  await expect(compare).toContainText('K-FAC: K-FAC (Ĝ ⊗ Â)⁻¹');
  await expect(compare).toContainText('FishLeg: exact (F + γI)⁻¹');
  await expect(compare).toContainText('K-FAC: exact (F + γI)⁻¹');
  // Q, K-FAC's block and the exact inverse each approximates.
  await expect(compare.locator('canvas')).toHaveCount(4);
  await expect(inside.getByRole('heading', { name: /Inside the optimizers/ })).toBeVisible();
  await page.screenshot({ path: screenshot('kfac-curvature'), fullPage: true });
  // The race itself (chart, runs, decision boundaries) at desktop size.
  await page.screenshot({
    path: screenshot('kfac-curvature-top'),
    fullPage: true,
    clip: { x: 0, y: 0, width: 1280, height: 1300 },
  });
  await compare.screenshot({ path: screenshot('kfac-inside-compare') });
  expect(errors).toEqual([]);
});
