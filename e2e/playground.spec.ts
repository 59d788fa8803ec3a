/**
 * End-to-end: the built playground in real Chromium. It must find a WebGPU adapter (SwiftShader here),
 * train the default spiral model until the displayed train loss falls below its step-0 value, draw the
 * chart, and log no errors; the same with ?backend=cpu. Screenshots go to e2e/screenshots/ (gitignored).
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { BASE_ARGS, CHROMIUM_PATH } from './chromium.ts';

const screenshot = (name: string): string => fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url));

/** Collects console errors and uncaught exceptions (page and worker) for the whole test. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('worker', (worker) => worker.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text())));
  return errors;
}

const readNumber = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

/**
 * Plays until the displayed train loss is below `factor` × its step-0 value, then pauses; returns
 * [first, last]. A factor below 1 asks for a drop well outside the step-to-step noise of the curve.
 */
async function trainUntilLossFalls(page: Page, factor: number): Promise<[number, number]> {
  const trainLoss = page.getByTestId('train-loss');
  await expect(trainLoss).toHaveText(/^\d/); // the step-0 evaluation has arrived
  await expect(page.getByTestId('step-count')).toHaveText('0');
  const first = await readNumber(page, 'train-loss');
  expect(first).toBeGreaterThan(0);

  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Pause');
  await expect.poll(() => readNumber(page, 'train-loss'), { timeout: 90_000 }).toBeLessThan(factor * first);
  expect(await readNumber(page, 'step-count')).toBeGreaterThan(0);

  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  return [first, await readNumber(page, 'train-loss')];
}

async function expectChartDrawn(page: Page): Promise<void> {
  const chart = page.getByTestId('loss-chart');
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
}

test('trains on WebGPU and the train loss falls', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');

  const backend = page.getByTestId('backend-label');
  await expect(backend).toHaveAttribute('data-backend', 'webgpu');
  await expect(backend).toContainText(/webgpu/i);
  await expect(page.getByTestId('backend-description')).not.toBeEmpty();
  await expect(page.getByTestId('cpu-fallback')).toHaveCount(0);

  // SwiftShader takes ~100 steps/s here; the spiral's loss is 3 % down after a few hundred steps.
  const [first, last] = await trainUntilLossFalls(page, 0.97);
  expect(last).toBeLessThan(first);
  await expectChartDrawn(page);
  await page.screenshot({ path: screenshot('webgpu'), fullPage: true });

  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('?backend=cpu trains on the CPU backend', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu');

  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
  // Forced, not a fallback: no "WebGPU unavailable" banner.
  await expect(page.getByTestId('cpu-fallback')).toHaveCount(0);

  // The CPU backend runs thousands of steps a second on this tiny model: ask for the loss to halve.
  const [first, last] = await trainUntilLossFalls(page, 0.5);
  expect(last).toBeLessThan(first);
  await expectChartDrawn(page);
  await page.screenshot({ path: screenshot('cpu'), fullPage: true });

  // A new setting restarts the run from step 0 and lands in the URL, so a link reproduces it.
  await page.getByTestId('task-select').selectOption('xor');
  await expect(page.getByTestId('step-count')).toHaveText('0');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '1');
  await expect(page).toHaveURL(/[?&]task=xor(&|$)/);
  await expect(page).toHaveURL(/[?&]backend=cpu(&|$)/);

  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('without a WebGPU adapter it says so and trains on the CPU', async ({ playwright, baseURL }) => {
  // The same Chromium without --enable-unsafe-webgpu: navigator.gpu exists but offers no adapter.
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_ARGS] });
  try {
    const page = await browser.newPage({ baseURL, viewport: { width: 1280, height: 800 } });
    const errors = collectErrors(page);
    await page.goto('/');

    await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
    await expect(page.getByTestId('cpu-fallback')).toContainText('WebGPU unavailable — training on the CPU');
    const [first, last] = await trainUntilLossFalls(page, 0.5);
    expect(last).toBeLessThan(first);
    await page.screenshot({ path: screenshot('fallback'), fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
