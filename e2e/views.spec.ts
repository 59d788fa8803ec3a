/**
 * End-to-end look at the presentational views: views-demo.html renders every view with synthetic data
 * (src/ui/views/demo.tsx). Checks that nothing logs an error, that the canvases are drawn, that the
 * two-parameter demo steps and that natural gradient ends closer to the minimum; saves screenshots to
 * e2e/screenshots/ (gitignored) for a human to look at.
 */
import { expect, test } from '@playwright/test';
import { screenshot } from './helpers.ts';

test('every view renders synthetic data, empty data and steps the two-parameter demo', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/views-demo.html');

  const boundaries = page.getByRole('region', { name: 'Decision boundaries' }).first();
  await expect(boundaries.getByRole('img')).toHaveCount(2);
  await expect(boundaries).toContainText('no data yet');
  // The FishLeg map is drawn: its centre pixel is not the blank white of an undrawn canvas.
  const centre = await boundaries
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) =>
      Array.from(c.getContext('2d')!.getImageData(c.width / 2, c.height / 2, 1, 1).data),
    );
  expect(centre.slice(0, 3)).not.toEqual([255, 255, 255]);

  const net = page.getByTestId('network-diagram');
  await expect(net.getByTestId('network-unit')).toHaveCount(2 + 3 + 8 + 1);
  await expect(net.getByTestId('network-more')).toHaveText('+2 more');
  await net.screenshot({ path: screenshot('views-network') });
  await expect(page.getByRole('region', { name: 'Reconstructions' })).toContainText('MSE');
  await expect(page.getByRole('region', { name: 'Predictions' })).toContainText('✓');
  const inside = page.getByRole('region', { name: 'Inside FishLeg' }).first();
  await expect(inside.getByTestId('inside-rel-error')).toHaveText(/^0\.\d+$/);
  await expect(inside.locator('.katex')).not.toHaveCount(0);
  await expect(page.getByTestId('views-empty')).toContainText('no data yet');
  await page.screenshot({ path: screenshot('views-demo'), fullPage: true });

  const demo = page.getByRole('region', { name: 'Two-parameter natural-gradient demo' });
  for (let k = 0; k < 20; k++) await demo.getByRole('button', { name: 'Step' }).click();
  await expect(demo).toContainText('step 20');
  const cells = await demo.locator('tbody td').allTextContents();
  const [, gdDist, , , ngdDist] = cells.map(Number.parseFloat);
  expect(ngdDist).toBeLessThan(gdDist! / 2);
  await expect(demo.getByTestId('ngd-arrival')).toHaveText('step 12');
  await expect(demo.getByTestId('gd-arrival')).toHaveText('step 48');
  await demo.screenshot({ path: screenshot('views-two-param') });
  await page.setViewportSize({ width: 768, height: 900 });
  await page.screenshot({ path: screenshot('views-demo-768'), fullPage: true });
  expect(errors).toEqual([]);
});
