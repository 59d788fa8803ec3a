/**
 * Presets as a teacher uses them (the teacher's-page issue, its last items): on a phone the preset row scrolls
 * sideways and brings the shown preset into view, on load and when it changes, without moving the page; a
 * preset the user modified stays marked modified, with its way back, through a reload (`preset=` in the
 * address); a run's new optimizer at step 0 is said in words; a preset clicked on a race with progress asks
 * first. At desktop 1280×800 and phone 390×844, CPU backend. Screenshots go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** Whether the element lies wholly inside the viewport, sideways and up and down. */
async function inViewport(page: Page, el: Locator): Promise<void> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(-0.5);
  expect(box!.y).toBeGreaterThanOrEqual(-0.5);
  expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width + 0.5);
  expect(box!.y + box!.height).toBeLessThanOrEqual(vp.height + 0.5);
}

const pressed = (page: Page) => page.locator('nav.presets [aria-pressed="true"]');

for (const size of SIZES) {
  test.describe(`${size.name} ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test('the shown preset is in view on load and after each change, and the page does not move', async ({ page }) => {
      const errors = collectErrors(page);
      // A link naming the last preset: the page opens on it, its button in view.
      await page.goto('/?backend=cpu&preset=inverse-fisher');
      await ready(page);
      await expect(page.getByTestId('preset-inverse-fisher')).toHaveAttribute('aria-pressed', 'true');
      await expect(page.getByTestId('preset-blurb')).toHaveAttribute('data-preset', 'inverse-fisher');
      await inViewport(page, page.getByTestId('preset-inverse-fisher'));
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      // The preset's own race says which it is: the address drops the name.
      await expect(page).not.toHaveURL(/preset=/);
      await page.screenshot({ path: screenshot(`presets-${size.name}-last-in-view`) });

      // The page's own start (the spiral, fourth), then N (the next preset) up to the last: each in view.
      await page.goto('/?backend=cpu');
      await ready(page);
      await inViewport(page, pressed(page));
      for (const id of ['curvature', 'switch', 'inverse-fisher']) {
        await page.keyboard.press('n');
        await expect(page.getByTestId(`preset-${id}`)).toHaveAttribute('aria-pressed', 'true');
        await ready(page);
        await inViewport(page, page.getByTestId(`preset-${id}`));
        expect(await page.evaluate(() => window.scrollY)).toBe(0);
      }
      if (size.name === 'phone') {
        // The row did scroll (the last preset starts beyond the phone's width).
        expect(await page.locator('nav.presets').evaluate((n) => n.scrollLeft)).toBeGreaterThan(0);
      }
      expect(errors).toEqual([]);
    });

    test('a modified preset stays modified through a reload, and back to the preset still works', async ({ page }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      const blurb = page.getByTestId('preset-blurb');
      await expect(blurb).toHaveAttribute('data-preset', 'spiral');
      // A model setting the preset is about: the first layer's width (at step 0 nothing is asked).
      const width = page.getByTestId('layer-1-width');
      await width.fill('32');
      await width.press('Enter');
      await expect(blurb).toHaveAttribute('data-modified', 'true');
      await expect(page).toHaveURL(/hidden=32t-16t.*preset=spiral/);

      await page.reload();
      await ready(page);
      await expect(width).toHaveValue('32');
      await expect(blurb).toHaveAttribute('data-preset', 'spiral');
      await expect(blurb).toHaveAttribute('data-modified', 'true');
      await expect(page.getByTestId('preset-modified')).toBeVisible();
      await expect(page.getByTestId('preset-spiral')).toHaveAttribute('aria-pressed', 'false');
      await inViewport(page, page.getByTestId('preset-spiral'));
      await page.screenshot({ path: screenshot(`presets-${size.name}-modified-after-reload`) });

      await page.getByTestId('preset-back').click();
      await expect(blurb).toHaveAttribute('data-modified', 'false');
      await expect(page.getByTestId('preset-spiral')).toHaveAttribute('aria-pressed', 'true');
      await expect(width).toHaveValue('16');
      await expect(page).not.toHaveURL(/preset=/);
      // Reloaded again, it is the preset's own race.
      await page.reload();
      await ready(page);
      await expect(blurb).toHaveAttribute('data-modified', 'false');
      expect(errors).toEqual([]);
    });

    test('a run’s new optimizer at step 0 is said; with progress it is asked', async ({ page }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await expect(page.getByTestId('step-count')).toHaveText('0');
      await page.getByTestId('r1-kind').selectOption('kfac');
      const note = page.getByTestId('change-note');
      await expect(note).toHaveText(/run 1 is now K-FAC \(was SGD\)\./);
      await expect(note).toHaveAttribute('role', 'status');
      await expect(page.getByRole('alertdialog')).toHaveCount(0);
      await expect(page.getByTestId('run-r1').getByLabel('run name')).toHaveValue('K-FAC');
      await inViewport(page, note);
      await page.screenshot({ path: screenshot(`presets-${size.name}-kind-note`) });
      await page.getByTestId('change-note-ok').click();
      await expect(note).toHaveCount(0);
      await ready(page);
      await page.getByTestId('r1-kind').selectOption('sgd');
      await expect(note).toHaveText(/run 1 is now SGD \(was K-FAC\)\./);

      // With progress the same kind of change asks instead, and the question replaces the note.
      await ready(page);
      await page.getByTestId('step-10-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('10');
      await page.getByTestId('r2-kind').selectOption('sgd');
      await expect(page.getByRole('alertdialog')).toContainText('Adam: Adam → SGD');
      await expect(note).toHaveCount(0);
      await page.getByTestId('restart-cancel').click();
      expect(errors).toEqual([]);
    });

    test('a preset clicked on a race with progress asks first', async ({ page }) => {
      const errors = collectErrors(page);
      await page.goto('/?backend=cpu');
      await ready(page);
      await page.getByTestId('step-10-button').click();
      await expect(page.getByTestId('step-count')).toHaveText('10');
      await page.getByTestId('preset-curvature').click();
      const ask = page.getByRole('alertdialog');
      await expect(ask).toContainText('the preset “FishLeg vs K-FAC vs natural gradient” starts the race over');
      await expect(ask).toContainText('it is at step 10');
      await page.screenshot({ path: screenshot(`presets-${size.name}-preset-asks`) });
      await page.getByTestId('restart-cancel').click();
      await expect(ask).toHaveCount(0);
      await expect(page.getByTestId('step-count')).toHaveText('10');
      await expect(page.getByTestId('preset-spiral')).toHaveAttribute('aria-pressed', 'true');

      await page.getByTestId('preset-curvature').click();
      await page.getByTestId('restart-yes').click();
      await expect(page.getByTestId('preset-curvature')).toHaveAttribute('aria-pressed', 'true');
      await ready(page);
      await expect(page.getByTestId('step-count')).toHaveText('0');
      // At step 0 a preset is taken at once.
      await page.getByTestId('preset-switch').click();
      await expect(page.getByTestId('preset-switch')).toHaveAttribute('aria-pressed', 'true');
      await expect(ask).toHaveCount(0);
      expect(errors).toEqual([]);
    });
  });
}
