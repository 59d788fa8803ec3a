/**
 * What a teacher expects of the playground (TF Playground's interactions): the network diagram of a 2D task
 * (non-blank unit heat maps that change with training, hover enlarges), the data picker, embed mode for slides,
 * and a phone layout without horizontal overflow. CPU backend throughout: these test the page, not WebGPU.
 * Screenshots go to e2e/screenshots/ (gitignored).
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';

const screenshot = (name: string): string => fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url));

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);
}

/** The pixels of a unit's canvas as a string (to compare frames) and how many distinct colours it has. */
async function unitPixels(unit: Locator): Promise<{ key: string; colours: number }> {
  return unit.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return { key: Array.from(d.filter((_, i) => i % 16 === 0)).join(','), colours: colours.size };
  });
}

test('network diagram: non-blank unit heat maps on the spiral that change with training; hover enlarges', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu');
  await ready(page);
  const diagram = page.getByTestId('network-diagram');
  const units = diagram.getByTestId('network-unit');
  // Spiral 2-16t-16t-2: 2 inputs, 8 + 8 drawn of 16 + 16, 2 outputs; the wide layers say so.
  await expect(units).toHaveCount(2 + 8 + 8 + 2);
  await expect(diagram.getByTestId('network-more')).toHaveCount(2);
  await expect(diagram.getByTestId('network-more').first()).toHaveText('+8 more');
  const hidden = diagram.locator('[data-testid="network-unit"][data-col="1"][data-unit="0"]');
  const before = await unitPixels(hidden);
  // A tanh unit of a randomly initialised layer varies over the plane: more than a handful of colours.
  expect(before.colours).toBeGreaterThan(10);

  await page.getByTestId('step-button').click();
  await page.getByTestId('step-button').click();
  await expect.poll(async () => (await unitPixels(hidden)).key, { timeout: 60_000 }).not.toBe(before.key);

  await expect(diagram.getByTestId('network-hint')).toBeVisible();
  const out = diagram.locator('[data-testid="network-unit"][data-col="3"][data-unit="1"]');
  await out.hover();
  const large = diagram.getByTestId('network-large');
  await expect(large).toBeVisible();
  await expect(large).toHaveAttribute('data-col', '3');
  await expect(large).toContainText('output: class 1');
  const box = await large.locator('canvas').boundingBox();
  const small = await out.boundingBox();
  expect(box!.width).toBeGreaterThan(3 * small!.width);

  // Another run's diagram.
  await diagram.getByTestId('network-run').selectOption('r3');
  await expect(units).toHaveCount(20);
  await page.screenshot({ path: screenshot('teacher-desktop'), fullPage: true });
  await page.getByTestId('network-view').screenshot({ path: screenshot('teacher-network-desktop') });
  expect(errors).toEqual([]);
});

test('phone width (390 px): the diagram fits, no horizontal overflow; a tap enlarges', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await page.goto('/?backend=cpu');
  await ready(page);
  const diagram = page.getByTestId('network-diagram');
  await expect(diagram.getByTestId('network-unit')).toHaveCount(20);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await diagram.locator('[data-testid="network-unit"][data-col="2"][data-unit="3"]').tap();
  await expect(diagram.getByTestId('network-large')).toHaveAttribute('data-col', '2');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await diagram.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot('teacher-phone-390'), fullPage: true });
  await page.getByTestId('network-view').screenshot({ path: screenshot('teacher-network-phone') });
  await page.close();
});
