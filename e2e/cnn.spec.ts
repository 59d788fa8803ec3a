/**
 * A conv net in the page (CPU backend): the bars-and-stripes image task with its default conv net, raced by
 * Adam from a link; the architecture line shows the conv grammar, the loss falls, no page error; FishLeg trains
 * it too, with the Inside view asked for the pooling layer (it shows the next layer with parameters), and so
 * does K-FAC (its KFC factors). Screenshot: e2e/screenshots/cnn-bars.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

test('CPU: Adam trains a conv net on bars and stripes, and the loss falls', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  await page.goto('/?backend=cpu&task=bars&hidden=c4k3p1r-mp2-f&eval=10&stop=200&run=adam');
  await expect(page.getByTestId('arch')).toContainText('8x8x1-c4k3p1r-mp2-f-2');
  await expect(page.getByTestId('hidden-text')).toHaveValue('c4k3p1r-mp2-f');
  const loss = page.getByTestId('r1-loss');
  await expect(loss).toHaveText(/^\d/);
  const first = Number(await loss.getAttribute('data-first'));
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(100);
  await expect.poll(() => num(page, 'r1-loss'), { timeout: 60_000 }).toBeLessThan(0.5 * first);
  await page.screenshot({ path: screenshot('cnn-bars'), fullPage: true });
  expect(errors).toEqual([]);
});

test('CPU: FishLeg trains a conv net on bars, with Inside FishLeg on its pooling layer, without a page error', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  await page.goto('/?backend=cpu&task=bars&hidden=c4k3p1r-mp2-f&eval=10&stop=200&run=fishleg&inspect=1.1');
  await expect(page.getByTestId('arch')).toContainText('8x8x1-c4k3p1r-mp2-f-2');
  const loss = page.getByTestId('r1-loss');
  await expect(loss).toHaveText(/^\d/);
  const first = Number(await loss.getAttribute('data-first'));
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(150);
  await expect.poll(() => num(page, 'r1-loss'), { timeout: 60_000 }).toBeLessThan(0.5 * first);
  // The layer menu offers the conv and dense layers, not the pooling layer, and shows the dense one asked for.
  const menu = page.getByTestId('inspect-layer');
  await expect(menu.locator('option')).toHaveCount(2);
  await expect(menu).toHaveValue('2');
  await expect(page.getByTestId('inside-headline').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('CPU: K-FAC trains a conv net on bars (KFC factors), and the loss falls, without a page error', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  await page.goto('/?backend=cpu&task=bars&hidden=c4k3p1r-mp2-f&eval=10&stop=200&run=kfac');
  await expect(page.getByTestId('arch')).toContainText('8x8x1-c4k3p1r-mp2-f-2');
  const loss = page.getByTestId('r1-loss');
  await expect(loss).toHaveText(/^\d/);
  const first = Number(await loss.getAttribute('data-first'));
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(100);
  await expect.poll(() => num(page, 'r1-loss'), { timeout: 60_000 }).toBeLessThan(0.5 * first);
  expect(errors).toEqual([]);
});

test('CPU: a conv net that does not fit the image is named in the hidden-layers notice', async ({ page }) => {
  await page.goto('/?backend=cpu&task=bars&hidden=c4k9r-f&run=adam');
  await expect(page.getByTestId('notice').first()).toContainText(
    "'c4k9r' (conv2d 9×9, stride 1, padding 0) does not fit its 8×8×1 input",
  );
});
