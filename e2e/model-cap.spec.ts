/**
 * Growing the model past what one of the race's optimizers can train (the natural gradient's parameter cap) is
 * refused in the page, with a notice naming the run and the cap, and the race keeps its model and its runs
 * (it used to reach the worker, which stopped the race). CPU backend, desktop.
 */
import { expect, test } from '@playwright/test';
import { collectErrors } from './helpers.ts';

test('a layer width that takes the model past the natural gradient’s cap is refused, saying why', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral&hidden=16t-16t&run=natural&run=adam');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);
  const width = page.getByTestId('layer-1-width');
  await width.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('64');
  await page.keyboard.press('Enter');
  const notice = page.getByTestId('notice').filter({ hasText: 'Not applied' });
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('Natural gradient is for models of at most 1,000 parameters');
  // Nothing changed: the width, the link and both runs are as they were, and the race still trains.
  await expect(width).toHaveValue('16');
  await expect(page).toHaveURL(/hidden=16t-16t/);
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);
  await page.getByTestId('play-button').click();
  await expect.poll(async () => Number(await page.getByTestId('step-count').textContent())).toBeGreaterThan(0);
  // A width the cap allows still applies.
  await width.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('20');
  await page.keyboard.press('Enter');
  // The race has steps: the page asks before starting over.
  await page.getByTestId('restart-yes').click();
  await expect(page).toHaveURL(/hidden=20t-16t/);
  expect(errors).toEqual([]);
});
