/**
 * Fields that behave (issue #19 items 1–4), typed the way people type: select all and Backspace, or clear the
 * field and type. Number fields commit on Enter or leaving them, refuse out-of-range values next to the field,
 * Escape puts the value back, and a change that restarts a race with progress asks first. Changing a run's
 * optimizer renames and recolours it. The page opens on a preset with a budget, whose "what to watch" stays
 * while the user does what it says and is marked modified once they change what it is about. At desktop
 * 1280×800 and phone 390×844, CPU backend. Screenshots go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const step = async (page: Page) => Number(await page.getByTestId('step-count').textContent());

/** Clicks into a field, selects all and deletes it, as with the keyboard. */
async function clearByKeys(page: Page, field: Locator): Promise<void> {
  await field.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
}

/** Whether the element lies wholly inside the viewport. */
async function inViewport(page: Page, el: Locator): Promise<void> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(vp.height + 0.5);
  expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width + 0.5);
}

for (const size of SIZES) {
  test.describe(`${size.name} ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test('the page opens on the spiral preset with its budget and what to watch', async ({ page }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await expect(page.getByTestId('preset-spiral')).toHaveAttribute('aria-pressed', 'true');
      const blurb = page.getByTestId('preset-blurb');
      await expect(blurb).toHaveAttribute('data-preset', 'spiral');
      await expect(blurb).toHaveAttribute('data-modified', 'false');
      await expect(page.getByTestId('stop-at')).toHaveValue('4000');
      await expect(page.getByTestId('speed-select')).toHaveValue('100');
      await expect(page.getByTestId('n-input')).toHaveValue('2000');
      await expect(page).toHaveURL(/stop=4000/);
      expect(errors).toEqual([]);
    });

    test('number fields commit on Enter or blur, refuse out-of-range values and ask before a restart', async ({
      page,
    }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await page.getByTestId('step-100-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('100');

      // Backspacing the width leaves an empty field, not a 1-unit layer and a restart.
      const width = page.getByTestId('layer-1-width');
      await clearByKeys(page, width);
      await expect(width).toHaveValue('');
      await page.keyboard.type('32');
      await expect(width).toHaveValue('32');
      expect(await step(page)).toBe(100);
      await expect(page).toHaveURL(/hidden=16t-16t/);
      await page.keyboard.press('Enter');
      // The race has progress: the change asks first, and Cancel leaves everything as it was.
      const ask = page.getByTestId('restart-confirm');
      await expect(ask).toBeVisible();
      await expect(ask).toContainText('hidden layers 16t-16t → 32t-16t');
      await expect(ask).toContainText('step 100');
      await expect(page.getByTestId('restart-instead')).toHaveCount(0);
      await inViewport(page, ask);
      await page.screenshot({ path: screenshot(`fields-${size.name}-confirm`) });
      await page.getByTestId('restart-cancel').click();
      await expect(ask).toHaveCount(0);
      await expect(width).toHaveValue('16');
      expect(await step(page)).toBe(100);
      await expect(page).toHaveURL(/hidden=16t-16t/);

      // Leaving the field commits too; Restart starts the race over with the new width.
      await width.fill('');
      await width.pressSequentially('32');
      await page.getByTestId('seed-input').click();
      await expect(ask).toBeVisible();
      await page.getByTestId('restart-yes').click();
      await expect(ask).toHaveCount(0);
      await expect(page).toHaveURL(/hidden=32t-16t/);
      await expect(page.getByTestId('step-count')).toHaveText('0');
      await ready(page);

      // 5000 is refused beside the field, naming the limit; nothing is clamped, Escape puts the value back.
      await width.fill('');
      await width.pressSequentially('5000');
      await width.press('Tab');
      const error = page.getByTestId('layer-1-width-error');
      await expect(error).toBeVisible();
      await expect(error).toHaveAttribute('role', 'alert');
      await expect(error).toContainText('an integer in [1, 2048]');
      await expect(width).toHaveAttribute('aria-invalid', 'true');
      await expect(width).toHaveValue('5000');
      await expect(page).toHaveURL(/hidden=32t-16t/);
      await width.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshot(`fields-${size.name}-error`) });
      await width.click();
      await page.keyboard.press('Escape');
      await expect(width).toHaveValue('32');
      await expect(error).toHaveCount(0);
      await expect(width).toHaveAttribute('aria-invalid', 'false');

      // Points: select all and type 1000 gives 1000 (at step 0 nothing is asked).
      const points = page.getByTestId('n-input');
      await clearByKeys(page, points);
      await page.keyboard.type('1000');
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(/n=1000&/);
      await expect(points).toHaveValue('1000');
      await expect(page.getByTestId('restart-confirm')).toHaveCount(0);
      // Half-typed text is an error, not a value.
      await clearByKeys(page, points);
      await page.keyboard.type('1e');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('n-input-error')).toContainText('points must be an integer in [20, 20000]');
      await page.keyboard.press('Escape');
      await expect(points).toHaveValue('1000');

      // Batch and the step budget: the same field everywhere; an empty budget means none.
      const batch = page.getByTestId('batch-input');
      await clearByKeys(page, batch);
      await page.keyboard.type('0');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('batch-input-error')).toContainText('batch must be an integer in [1, 4096]');
      await page.keyboard.press('Escape');
      const stop = page.getByTestId('stop-at');
      await clearByKeys(page, stop);
      await page.keyboard.press('Enter');
      await expect(page).not.toHaveURL(/stop=/);
      await expect(stop).toHaveValue('');

      // A run card's learning rate: typed, refused with its range, live once valid (no question, no restart).
      await page.getByTestId('step-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('1');
      await page.getByTestId('run-r2').locator('summary').click();
      const lr = page.getByTestId('r2-lr');
      await clearByKeys(page, lr);
      await page.keyboard.type('-1');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('r2-lr-error')).toBeVisible();
      await clearByKeys(page, lr);
      await page.keyboard.type('0.02');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('r2-lr-error')).toHaveCount(0);
      await expect(page).toHaveURL(/lr%3A0.02/);
      await expect(page.getByTestId('restart-confirm')).toHaveCount(0);
      expect(await step(page)).toBe(1);

      // The network diagram's + restarts too: it asks the same question.
      await page.getByTestId('net-0-plus').click();
      await expect(page.getByTestId('restart-confirm')).toContainText('hidden layers 32t-16t → 33t-16t');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('restart-confirm')).toHaveCount(0);
      await expect(page).toHaveURL(/hidden=32t-16t/);
      expect(await step(page)).toBe(1);
      expect(errors).toEqual([]);
    });

    test('a new optimizer renames and recolours the run, asks first, and can join as a new run instead', async ({
      page,
    }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await page.getByTestId('step-10-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('10');
      const card = page.getByTestId('run-r1');
      await expect(card.getByLabel('run name')).toHaveValue('SGD');
      await page.getByTestId('r1-kind').selectOption('kfac');
      const ask = page.getByTestId('restart-confirm');
      await expect(ask).toContainText('SGD: SGD → K-FAC, renamed K-FAC');
      await page.getByTestId('restart-yes').click();
      await expect(page.getByTestId('step-count')).toHaveText('0');
      await expect(card.getByLabel('run name')).toHaveValue('K-FAC');
      await expect(card.locator('input[type="color"]')).toHaveValue('#56b4e9');
      await expect(page.locator('.legend')).toContainText('K-FAC');
      await expect(page.locator('.legend')).not.toContainText('SGD');
      await ready(page);

      // A run the user named keeps its name; "instead" adds the new optimizer without a restart.
      await page.getByTestId('step-10-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('10');
      const adam = page.getByTestId('run-r2');
      // The name, typed as people do: cleared with the keyboard (the field may be empty meanwhile), then Enter.
      const name = adam.getByLabel('run name');
      await clearByKeys(page, name);
      await expect(name).toHaveValue('');
      await page.keyboard.type('Mine');
      await page.keyboard.press('Enter');
      await expect(page.locator('.legend')).toContainText('Mine');
      // Left empty, it keeps the name it had.
      await clearByKeys(page, name);
      await page.keyboard.press('Tab');
      await expect(name).toHaveValue('Mine');
      await page.getByTestId('r2-kind').selectOption('sgd');
      await expect(ask).toContainText('Mine: Adam → SGD');
      await expect(page.getByTestId('restart-instead')).toHaveText('Add SGD as a new run instead');
      await page.getByTestId('restart-instead').click();
      await expect(ask).toHaveCount(0);
      await expect(page.getByTestId('run-r5')).toBeVisible();
      await expect(page.getByTestId('run-r5').getByLabel('run name')).toHaveValue('SGD');
      await expect(page.getByTestId('r2-kind')).toHaveValue('adam');
      expect(await step(page)).toBe(10);
      // Asked again, and this time restarted: the name the user chose stays.
      await page.getByTestId('r2-kind').selectOption('sgd');
      await page.getByTestId('restart-yes').click();
      await expect(page.getByTestId('step-count')).toHaveText('0');
      await expect(adam.getByLabel('run name')).toHaveValue('Mine');
      await expect(page.getByTestId('r2-kind')).toHaveValue('sgd');
      await page.screenshot({ path: screenshot(`fields-${size.name}-renamed`) });
      expect(errors).toEqual([]);
    });

    test('what to watch stays while the user does what it says; changing the setup marks it modified', async ({
      page,
    }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await page.getByTestId('preset-switch').click();
      await ready(page);
      const blurb = page.getByTestId('preset-blurb');
      await expect(blurb).toHaveAttribute('data-preset', 'switch');
      const top = async () => (await blurb.boundingBox())!.y + (await page.evaluate(() => window.scrollY));
      const at = await top();

      // Do what it says: switch the approximation, look against seconds, Step, Play, Pause, Reset.
      await page.getByTestId('step-10-button').click();
      await page.getByTestId('run-r2').locator('summary').click();
      await page.getByTestId('r2-approx').selectOption('kron-diag');
      await expect(page.locator('.switch-marker')).toHaveCount(1);
      await page.getByTestId('x-select').selectOption('seconds');
      await page.getByTestId('play-button').click();
      await expect.poll(() => step(page), { timeout: 60_000 }).toBeGreaterThan(20);
      await page.getByTestId('play-button').click();
      await page.getByTestId('reset-button').click();
      await expect(blurb).toHaveAttribute('data-preset', 'switch');
      await expect(blurb).toHaveAttribute('data-modified', 'false');
      await expect(page.getByTestId('preset-switch')).toHaveAttribute('aria-pressed', 'true');
      expect(Math.abs((await top()) - at)).toBeLessThan(1);

      // Change what it is about (the task): the text stays, marked modified, and can go back to the preset.
      await ready(page);
      await page.getByTestId('task-select').selectOption('xor');
      await expect(blurb).toHaveAttribute('data-modified', 'true');
      await expect(page.getByTestId('preset-modified')).toBeVisible();
      await expect(blurb).toContainText('Change the FishLeg run’s approximation');
      await expect(page.getByTestId('preset-switch')).toHaveAttribute('aria-pressed', 'false');
      await blurb.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshot(`fields-${size.name}-modified`) });
      await page.getByTestId('preset-back').click();
      await expect(blurb).toHaveAttribute('data-modified', 'false');
      await expect(page.getByTestId('task-select')).toHaveValue('circles');
      expect(errors).toEqual([]);
    });
  });
}
