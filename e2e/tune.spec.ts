/**
 * Tuning journey on the CPU backend: the default race with a small step budget, Tune opens the panel with its
 * protocol, a long search shows progress while the page stays usable and Cancel stops it, a short search runs
 * to the end and draws every run's loss against the learning rate, and "Race at best" sets the chosen rates,
 * marks the runs tuned (badge, URL) and races them; tuning one run again is answered from the browser's cache. Screenshots at desktop and phone size go to e2e/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { collectErrors, screenshot } from './helpers.ts';

test('Tune: progress, Cancel, a finished search, its chart and Race at best', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&stop=200');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);

  await page.getByTestId('tune-open').click();
  const panel = page.getByTestId('tune-panel');
  await expect(panel).toBeVisible();
  // The protocol says what is minimised, on how many seeds, with what budget.
  await expect(page.getByTestId('tune-protocol')).toContainText('200 steps');
  await expect(page.getByTestId('tune-protocol')).toContainText('seed 1');
  await expect(page.getByTestId('tune-protocol')).toContainText('final train loss');

  // A budget far too long to finish: it shows progress and Cancel stops it.
  await page.getByTestId('tune-steps').fill('100000');
  await page.getByTestId('tune-steps').press('Enter');
  await page.getByTestId('tune-start').click();
  await expect(page.getByTestId('tune-progress')).toBeVisible();
  await expect(page.getByTestId('play-button')).toBeDisabled();
  await expect
    .poll(async () => Number(await page.getByTestId('tune-progress').getAttribute('value')))
    .toBeGreaterThan(0);
  // The page stays responsive meanwhile: a chart setting still changes at once (and goes into the URL).
  await page.getByTestId('x-select').selectOption('seconds');
  await expect(page).toHaveURL(/x=seconds/);
  await page.getByTestId('x-select').selectOption('step');
  await page.getByTestId('tune-cancel').click();
  await expect(page.getByTestId('tune-message')).toContainText('cancelled');
  await expect(page.getByTestId('tune-progress')).toHaveCount(0);
  await expect(page.getByTestId('play-button')).toBeEnabled();

  // The race's own budget: to completion.
  await page.getByTestId('tune-steps').fill('200');
  await page.getByTestId('tune-steps').press('Enter');
  await page.getByTestId('tune-start').click();
  await expect(page.getByTestId('tune-result')).toBeVisible();
  const chart = page.getByTestId('tune-chart');
  await expect(chart).toBeVisible();
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(7);
  // One line of points per run: at least 7 dots each.
  await expect.poll(() => chart.locator('.recharts-line-dot').count()).toBeGreaterThanOrEqual(21);
  const best = await Promise.all(
    ['r1', 'r2', 'r3'].map(async (id) => Number(await page.getByTestId(`tune-best-${id}`).innerText())),
  );
  for (const b of best) expect(b).toBeGreaterThan(0);
  await panel.scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: screenshot('tune-result-desktop') });
  await panel.screenshot({ path: screenshot('tune-panel-desktop') });

  await page.getByTestId('tune-apply').click();
  for (const [i, id] of ['r1', 'r2', 'r3'].entries()) {
    await expect(page.getByTestId(`${id}-tuned`)).toHaveText('tuned · 200 steps · 1 seed');
    await page.getByTestId(`run-${id}`).locator('summary').click();
    await expect(page.getByTestId(`${id}-lr`).first()).toHaveValue(String(best[i]));
  }
  await expect(page).toHaveURL(/t%3A200%3A1%3Atrain/);
  // The race at the tuned rates plays up to its budget.
  await expect(page.getByTestId('play-button')).toHaveText(/Play|Pause/);
  await expect.poll(async () => page.getByTestId('step-count').innerText(), { timeout: 60_000 }).toMatch(/200/);

  // One run from its card: the same setup was searched a moment ago, so the result comes from the browser's cache.
  await page.getByTestId('r2-tune').click();
  await expect(page.getByTestId('tune-cached')).toContainText('Every result');
  await expect(page.getByTestId('tune-table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('tune-best-r2')).toHaveText(String(best[1]));

  await page.setViewportSize({ width: 390, height: 844 });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot('tune-result-phone') });
  await panel.screenshot({ path: screenshot('tune-panel-phone') });
  await page.getByTestId('run-r1').screenshot({ path: screenshot('tune-badge-phone') });
  expect(errors).toEqual([]);
});
