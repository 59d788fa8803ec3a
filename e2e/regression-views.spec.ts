/**
 * The 2D regression toys' views (the bumps): the network diagram as the classifiers have it (one input unit per
 * feature, hidden units, the one output drawn as its predicted value with a legend), and the target-vs-prediction
 * maps at a readable size. CPU backend; at a laptop's 1280×800, a phone's 390×844 and inside a 640×420 iframe with
 * features on. Screenshots go to e2e/screenshots/regression-views-*.png.
 */
import { expect, test, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './helpers.ts';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
] as const;

const LINK = '/?backend=cpu&task=bumps&stop=300';
const FEATURES = 'x1,x2,x1sq,sin1';

type Root = Page | FrameLocator;

async function ready(root: Root): Promise<void> {
  await expect(root.getByTestId('play-button')).toBeEnabled();
  await expect(root.getByTestId('r1-loss')).toHaveText(/^\d/);
}

/** Distinct colours on a canvas: a blank (or one-colour) canvas has one or two. */
const colours = (canvas: Locator): Promise<number> =>
  canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  });

/** Whether `inner`'s box lies within `outer`'s (a pixel of rounding allowed). */
async function inside(inner: Locator, outer: Locator): Promise<boolean> {
  const a = await inner.boundingBox();
  const b = await outer.boundingBox();
  if (!a || !b) return false;
  return a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.width <= b.x + b.width + 1 && a.y + a.height <= b.y + b.height + 1;
}

/** The task view's target and prediction maps are drawn (not blank), at least `min` px wide, inside their card. */
async function mapsDrawn(root: Root, min: number): Promise<void> {
  const card = root.getByTestId('task-view');
  for (const id of ['regression-target', 'regression-r1']) {
    const canvas = root.getByTestId(id).locator('canvas');
    await expect.poll(() => colours(canvas), { timeout: 60_000 }).toBeGreaterThan(20);
    const box = await canvas.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(min);
    expect(await inside(canvas, card)).toBe(true);
  }
  await expect(root.getByTestId('regression-legend')).toBeVisible();
}

/** The diagram has `inputs` input units, one output, and its output's map is drawn. */
async function diagramDrawn(root: Root, inputs: number): Promise<void> {
  const diagram = root.getByTestId('network-diagram');
  await expect(diagram.locator('[data-testid="network-unit"][data-col="0"]')).toHaveCount(inputs);
  const output = diagram.locator('[data-testid="network-unit"]').last();
  await expect(output).toHaveAttribute('aria-label', 'show output: predicted value large');
  await expect.poll(() => colours(output.locator('canvas')), { timeout: 60_000 }).toBeGreaterThan(5);
  // A hidden unit's map too: the diagram shows what the layers compute, not only the output.
  const hidden = diagram.locator('[data-testid="network-unit"][data-col="1"]').first();
  await expect.poll(() => colours(hidden.locator('canvas')), { timeout: 60_000 }).toBeGreaterThan(5);
  await expect(root.getByTestId('network-legend')).toBeVisible();
}

for (const size of SIZES) {
  test(`regression views at ${size.width}×${size.height}: the diagram and readable maps`, async ({ browser }) => {
    const page = await browser.newPage({
      viewport: { width: size.width, height: size.height },
      ...(size.mobile ? { hasTouch: true, isMobile: true } : {}),
    });
    const errors = collectErrors(page);
    await page.goto(LINK);
    await ready(page);
    await expect(page.getByTestId('arch')).toContainText('2-16t-16t-1');
    await diagramDrawn(page, 2);
    await expect(page.getByTestId('network-input-label')).toHaveText(['x₁', 'x₂']);
    await page.getByTestId('play-button').click();
    await mapsDrawn(page, 120);
    expect(await inside(page.getByTestId('network-diagram'), page.getByTestId('network-view'))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await page.getByTestId('task-view').screenshot({ path: screenshot(`regression-views-maps-${size.name}`) });
    await page.getByTestId('network-view').screenshot({ path: screenshot(`regression-views-network-${size.name}`) });

    // With features the diagram has one input per feature, named beside it.
    await page.goto(`${LINK}&features=${FEATURES}`);
    await ready(page);
    await expect(page.getByTestId('arch')).toContainText('4-16t-16t-1');
    await diagramDrawn(page, 4);
    await expect(page.getByTestId('network-input-label')).toHaveText(['x₁', 'x₂', 'x₁²', 'sin x₁']);
    // Trained, the output tapped (or hovered) shows the prediction large: the bumps' reds and blues.
    await page.getByTestId('play-button').click();
    await expect
      .poll(async () => Number.parseFloat((await page.getByTestId('step-count').textContent()) ?? ''), {
        timeout: 90_000,
      })
      .toBeGreaterThanOrEqual(300);
    await page.getByTestId('network-diagram').locator('[data-testid="network-unit"]').last().click();
    const large = page.getByTestId('network-large');
    await expect(large).toContainText('output: predicted value');
    await expect.poll(() => colours(large.locator('canvas')), { timeout: 60_000 }).toBeGreaterThan(20);
    await page
      .getByTestId('network-view')
      .screenshot({ path: screenshot(`regression-views-network-features-${size.name}`) });
    await page.screenshot({ path: screenshot(`regression-views-page-${size.name}`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
}

test('640×420 iframe with features: the regression maps and the diagram render and fit', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 800, height: 560 });
  await page.setContent(
    `<iframe title="slide" src="${baseURL}${LINK}&features=${FEATURES}&embed=play,views,network" width="640" height="420" style="border:1px solid #888"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await ready(frame);
  await frame.getByTestId('play-button').click();
  await mapsDrawn(frame, 100);
  await diagramDrawn(frame, 4);
  const width = await frame.locator('html').evaluate((h) => ({ scroll: h.scrollWidth, client: h.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  await frame.getByTestId('task-view').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot('regression-views-iframe') });
  await frame.getByTestId('network-view').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot('regression-views-iframe-network') });
  expect(errors).toEqual([]);
});
