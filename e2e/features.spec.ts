/**
 * Input features on a 2D toy (TF Playground's input column): toggling x₁² and x₂² on the circles task widens
 * the network's input in the diagram and the architecture line, names the new inputs, and the race trains.
 * CPU backend; at a laptop's 1280×800 and a phone's 390×844. Screenshots go to e2e/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
] as const;

for (const size of SIZES) {
  test(`features at ${size.width}×${size.height}: x₁² and x₂² widen the input, the race trains`, async ({
    browser,
  }) => {
    const page = await browser.newPage({
      viewport: { width: size.width, height: size.height },
      ...(size.mobile ? { hasTouch: true, isMobile: true } : {}),
    });
    const errors = collectErrors(page);
    await page.goto('/?backend=cpu&task=circles&stop=400');
    await ready(page);
    const inputs = page.getByTestId('network-diagram').locator('[data-testid="network-unit"][data-col="0"]');
    await expect(inputs).toHaveCount(2);
    await expect(page.getByTestId('arch')).toContainText('2-16t-16t-2');

    const x1sq = page.getByTestId('feature-x1sq');
    await x1sq.click();
    await expect(x1sq).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('feature-x2sq').click();
    await ready(page);
    await expect(inputs).toHaveCount(4);
    await expect(page.getByTestId('arch')).toContainText('4-16t-16t-2');
    await expect(page.getByTestId('network-input-label')).toHaveText(['x₁', 'x₂', 'x₁²', 'x₂²']);
    expect(new URL(page.url()).searchParams.get('features')).toBe('x1,x2,x1sq,x2sq');

    // Only x₁² and x₂²: the circles are a threshold on x₁² + x₂², a linear problem in these inputs.
    await page.getByTestId('feature-x1').click();
    await page.getByTestId('feature-x2').click();
    await ready(page);
    await expect(inputs).toHaveCount(2);
    await expect(page.getByTestId('network-input-label')).toHaveText(['x₁²', 'x₂²']);
    const start = Number(await page.getByTestId('r1-loss').textContent());
    await page.getByTestId('play-button').click();
    await expect
      .poll(async () => Number(await page.getByTestId('r1-loss').textContent()), { timeout: 90_000 })
      .toBeLessThan(0.5 * start);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await page.locator('section.setup').screenshot({ path: screenshot(`features-setup-${size.name}`) });
    await page.getByTestId('network-view').screenshot({ path: screenshot(`features-network-${size.name}`) });
    await page.screenshot({ path: screenshot(`features-${size.name}`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
}

for (const size of SIZES) {
  test(`regression toy at ${size.width}×${size.height}: the heat maps of target and prediction are drawn`, async ({
    browser,
  }) => {
    const page = await browser.newPage({
      viewport: { width: size.width, height: size.height },
      ...(size.mobile ? { hasTouch: true, isMobile: true } : {}),
    });
    const errors = collectErrors(page);
    await page.goto('/?backend=cpu&task=circles&stop=300');
    await ready(page);
    await page.getByTestId('data-bumps').click();
    await ready(page);
    await expect(page.getByTestId('arch')).toContainText('2-16t-16t-1');
    const maps = page.getByTestId('regression-maps');
    await expect(maps).toBeVisible();
    await expect(page.getByTestId('regression-legend')).toBeVisible();
    const colours = (testId: string) =>
      maps
        .getByTestId(testId)
        .locator('canvas')
        .evaluate((c: HTMLCanvasElement) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const seen = new Set<number>();
          for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
          return seen.size;
        });
    // The bumps' target is a landscape of reds and blues, not a blank square.
    expect(await colours('regression-target')).toBeGreaterThan(20);
    const start = Number(await page.getByTestId('r1-loss').textContent());
    await page.getByTestId('play-button').click();
    await expect
      .poll(async () => Number(await page.getByTestId('r1-loss').textContent()), { timeout: 90_000 })
      .toBeLessThan(start);
    await expect.poll(() => colours('regression-r1'), { timeout: 60_000 }).toBeGreaterThan(20);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await maps.screenshot({ path: screenshot(`features-regression-${size.name}`) });
    await page.screenshot({ path: screenshot(`features-regression-page-${size.name}`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
}
