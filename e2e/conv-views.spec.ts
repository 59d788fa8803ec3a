/**
 * The image views of a conv net (CPU backend, bars and stripes): after a few steps the first-layer filters,
 * the chosen test image's feature maps and its class probabilities are drawn, and the picker changes the
 * image. Screenshots at desktop and phone sizes and inside a 640×420 iframe: e2e/screenshots/conv-views-*.png.
 */
import { expect, test, type FrameLocator, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './helpers.ts';

const LINK = '/?backend=cpu&task=bars&hidden=c4k3p1r-mp2-f&eval=5&stop=40&run=adam';

/** Whether a canvas has any pixel that is not white (the views draw on white). */
const inked = (root: Page | FrameLocator, testId: string) =>
  root
    .getByTestId(testId)
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 250 || d[i + 1]! < 250 || d[i + 2]! < 250) return true;
      return false;
    });

async function trained(root: Page | FrameLocator) {
  await expect(root.getByTestId('play-button')).toBeEnabled();
  await root.getByTestId('play-button').click();
  await expect(root.getByTestId('imagenet-filters')).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number.parseFloat((await root.getByTestId('step-count').textContent()) ?? ''))
    .toBeGreaterThanOrEqual(10);
}

test('CPU: a conv net on bars shows its filters, feature maps and class probabilities, and the picker moves', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto(LINK);
  await trained(page);
  const filters = page.getByTestId('imagenet-filters');
  await expect(filters).toContainText('First-layer filters: 4 × 1 channel of 3×3');
  await expect(filters.locator('canvas')).toHaveCount(4);
  expect(await inked(page, 'imagenet-filters')).toBe(true);
  const maps = page.getByTestId('imagenet-maps');
  await expect(maps).toContainText('input 1×8×8');
  await expect(maps).toContainText('conv 4×(1·3·3+1) → 8×8×4');
  await expect(maps).toContainText('pool');
  // The input, four conv maps and four pooled maps.
  await expect(maps.locator('canvas')).toHaveCount(9);
  expect(await inked(page, 'imagenet-maps')).toBe(true);
  const probs = page.getByTestId('imagenet-probs');
  await expect(probs.locator('li')).toHaveCount(2);
  await expect(probs).toContainText('(true)');
  const diagram = page.getByTestId('imagenet-diagram');
  await expect(diagram).toHaveAttribute('aria-label', 'network: 1×8×8 → 4×8×8 → 4×4×4 → flatten → 2');
  await expect(diagram).toContainText('flatten');
  const example = page.getByTestId('imagenet-example');
  await expect(example).toContainText('test image 1 of');
  const before = await maps
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await page.getByRole('button', { name: 'next test image' }).click();
  await expect(example).toContainText('test image 2 of');
  const after = await maps
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => c.toDataURL());
  expect(after).not.toBe(before);
  await page.getByRole('button', { name: 'test image 4', exact: true }).click();
  await expect(example).toContainText('test image 4 of');
  await page.screenshot({ path: screenshot('conv-views-1280'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(filters).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: screenshot('conv-views-390'), fullPage: true });
  await page
    .getByRole('region', { name: 'Filters and feature maps' })
    .screenshot({ path: screenshot('conv-views-390-views') });
  expect(errors).toEqual([]);
});

test('640×420 iframe: the image views fit the embed', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 800, height: 560 });
  await page.setContent(
    `<iframe title="slide" src="${baseURL}${LINK}&embed=play,views" width="640" height="420" style="border:1px solid #888"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await trained(frame);
  await frame.getByTestId('imagenet-probs').scrollIntoViewIfNeeded();
  expect(await inked(frame, 'imagenet-maps')).toBe(true);
  await page.screenshot({ path: screenshot('conv-views-iframe') });
  expect(errors).toEqual([]);
});
