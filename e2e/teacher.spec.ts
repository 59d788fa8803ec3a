/**
 * What a teacher expects of the playground (TF Playground's interactions): the network diagram of a 2D task
 * (non-blank unit heat maps that change with training, hover enlarges), the data picker, embed mode for slides,
 * and a phone layout without horizontal overflow. CPU backend throughout: these test the page, not WebGPU.
 * Screenshots go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Locator } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

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
  await page.goto('/?backend=cpu&task=spiral');
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
  await page.goto('/?backend=cpu&task=spiral');
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
  await page.locator('section.setup').screenshot({ path: screenshot('teacher-setup-phone') });
  await page.close();
});

test('data picker: thumbnails of every 2D data set switch the task; the test split and "show test data"', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  const picker = page.getByTestId('data-picker');
  await expect(picker.locator('button')).toHaveCount(6);
  await expect(page.getByTestId('data-spiral')).toHaveAttribute('aria-pressed', 'true');
  // Each thumbnail is drawn: more than a white canvas.
  for (const t of ['spiral', 'circles', 'xor', 'gaussians', 'plane', 'bumps']) {
    const colours = await page
      .getByTestId(`data-${t}`)
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const s = new Set<number>();
        for (let i = 0; i < d.length; i += 4) s.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return s.size;
      });
    expect(colours, t).toBeGreaterThan(2);
  }
  await page.getByTestId('data-xor').click();
  await expect(page.getByTestId('task-select')).toHaveValue('xor');
  await expect(page.getByTestId('data-xor')).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/task=xor/);
  await ready(page);

  const test = page.getByTestId('test-input');
  await test.fill('40');
  await test.press('Enter');
  await expect(page).toHaveURL(/test=0.4/);
  await ready(page);
  const show = page.getByTestId('show-test');
  await expect(page.locator('label', { has: show })).toContainText('160 points');
  await show.check();
  await expect(page.getByTestId('test-accuracy').first()).toBeVisible();
  await page.getByTestId('task-view').screenshot({ path: screenshot('teacher-test-data') });
  // The split, the noise and "show test data" carry over to another 2D data set.
  await page.getByTestId('data-circles').click();
  await expect(page).toHaveURL(/task=circles.*noise=0.05.*test=0.4/);
  await ready(page);
  await expect(show).toBeChecked();
  await expect(page.getByTestId('test-accuracy').first()).toBeVisible();
  await page.getByTestId('data-picker').screenshot({ path: screenshot('teacher-data-picker') });
  expect(errors).toEqual([]);
});

test('embed mode: ?embed=1 shows only the chart and the transport bar, and Play trains', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral&embed=1');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('loss-chart')).toBeVisible();
  for (const hidden of [
    'task-select',
    'preset-spiral',
    'task-view',
    'export-csv',
    'network-view',
    'inside-fishleg',
    'run-r1',
  ]) {
    await expect(page.getByTestId(hidden), hidden).toBeHidden();
  }
  await expect(page.getByRole('heading', { name: 'FishLeg Playground' })).toBeHidden();
  await expect(page.getByTestId('embed-open')).toBeVisible();
  await page.getByTestId('play-button').click();
  await expect
    .poll(async () => Number(await page.getByTestId('step-count').textContent()), { timeout: 60_000 })
    .toBeGreaterThan(40);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('loss-chart').locator('.recharts-line-curve').first()).toBeVisible();
  // The address keeps the embed flag (the page rewrites it on every change).
  await expect(page).toHaveURL(/embed=1/);
  await page.screenshot({ path: screenshot('teacher-embed') });

  // An unknown part warns (in the embed's notice badge) and falls back; a chosen part shows; Play stays, compact.
  await page.goto('/?backend=cpu&task=spiral&embed=chart,network,bogus');
  const badge = page.getByTestId('notice-badge');
  await badge.locator('summary').click();
  await expect(badge).toContainText("embed: 'bogus'");
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await expect(page.getByTestId('network-diagram')).toBeVisible();
  await expect(page.getByTestId('play-button')).toBeVisible();
  await expect(page.getByTestId('step-button')).toBeHidden();
  expect(errors).toEqual([]);
});
