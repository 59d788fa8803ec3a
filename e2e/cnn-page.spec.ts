/**
 * The page as a class sees it on the MNIST conv net (CPU backend) with three FishLeg runs, K-FAC and Adam: at
 * phone width nothing widens the page (the Inside view's layer menu lists the conv layer's long shape), the
 * link's unnamed FishLeg runs are numbered, the export caveats take the page's note size, and Inside FishLeg on the dense layer, too
 * large to measure, says so instead of waiting for a first step. Screenshot: e2e/screenshots/cnn-page-390.png.
 */
import { expect, test } from '@playwright/test';
import { collectErrors, screenshot } from './helpers.ts';

const LINK =
  '/?backend=cpu&task=mnist&hidden=c8k5s2p2r-mp2-f&eval=5&stop=10' +
  '&run=fishleg&run=fishleg~~~ap:kron-diag&run=fishleg~~~ap:sum-kron&run=kfac&run=adam&inspect=1.0';

test('phone 390×844, MNIST CNN: no sideways scroll, numbered FishLeg runs, the dense layer says why it has no measures', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(LINK);
  await expect(page.getByTestId('play-button')).toBeEnabled({ timeout: 60_000 });
  const menu = page.getByTestId('inspect-layer');
  await expect(menu.locator('option')).toHaveCount(2);
  await expect(menu.locator('option').first()).toHaveText('1: conv 8×(1·5·5+1) → 14×14×8 (208 weights)');
  const box = await menu.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

  // The setup panel's note on the conv grammar explains every part of this net's spec, in the note size.
  const grammar = page.getByTestId('conv-grammar');
  await expect(grammar).toContainText('c8k5s2p2r: 8 channels of 5×5, stride 2, padding 2, ReLU');
  expect(await grammar.evaluate((el) => getComputedStyle(el).fontSize)).toBe('12px');

  // The link names no run: the three FishLeg runs are numbered as added ones are, in the caveats and the legend.
  // Too large for the exact natural gradient: the panel says so; the run cards keep room for their names.
  await expect(page.getByTestId('add-run-refusal')).toContainText('at most 1,000 parameters; this one has 4,138');
  const nameBox = await page.getByTestId('run-r1').locator('input.run-name').boundingBox();
  expect(nameBox!.width).toBeGreaterThan(80);
  const caveats = page.getByTestId('export-pytorch-caveats');
  await expect(caveats).toContainText("FishLeg 2: FishLeg's 'kron-diag' structure");
  await expect(caveats).toContainText("FishLeg 3: FishLeg's 'sum-kron' structure");
  await expect(page.locator('.legend')).toContainText('FishLeg 3');
  expect(await caveats.evaluate((el) => getComputedStyle(el).fontSize)).toBe('12px');

  await menu.selectOption('2');
  await page.getByTestId('play-button').click();
  const headline = page.getByTestId('inside-headline').first();
  await expect(headline).toContainText('No step measures for this layer: layer 3 has 3930 weights', {
    timeout: 90_000,
  });
  await expect(page.getByText('The step measures appear after the first training step')).toHaveCount(0);
  await page.screenshot({ path: screenshot('cnn-page-390'), fullPage: true });
  expect(errors).toEqual([]);
});

test('desktop 1280×800, bars CNN: scrolled to Inside the optimizer, the sticky columns do not cover it', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=bars&run=fishleg&run=kfac&run=natural&inspect=1.0');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  // The conv views make the aside as tall as the screen; the setup column is too.
  await expect(page.getByTestId('imagenet-diagram')).toBeVisible();
  const heading = page.getByRole('heading', { name: 'Inside the optimizer', exact: true });
  await heading.evaluate((h) => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 100));
  for (const where of ['heading', 'two-param-panel'] as const) {
    const el = where === 'heading' ? heading : page.getByTestId(where);
    const box = (await el.boundingBox())!;
    // A point at the left edge (under the setup column) and one at the right (under the views column).
    for (const x of [box.x + 10, Math.min(box.x + box.width, 1270) - 10]) {
      const y = box.y + Math.min(box.height, 40) / 2;
      const hit = await page.evaluate(
        ([px, py]) => document.elementFromPoint(px!, py!)?.closest('.below') !== null,
        [x, y],
      );
      expect(hit, `${where} at (${Math.round(x)}, ${Math.round(y)})`).toBe(true);
    }
  }
  await page.screenshot({ path: screenshot('cnn-page-1280-inside') });
  expect(errors).toEqual([]);
});
