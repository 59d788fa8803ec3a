/**
 * MNIST journeys (CPU backend): the autoencoder preset downloads public/mnist.bin behind a progress indicator,
 * trains a few steps (SwiftShader is slow: a handful of steps, one evaluation on pause), the losses fall and
 * the reconstructions render; and the page answers clicks while four runs train the autoencoder in the worker.
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

/** The reconstruction errors ("MSE 0.231") the task view shows, one per run, in order. */
const reconErrors = (text: string | null): number[] =>
  [...(text ?? '').matchAll(/MSE ([\d.e+-]+)/g)].map((m) => Number(m[1]));

/**
 * A race that builds in a blink, to open the page on before clicking a preset. These journeys test the app
 * (asset loading, training, views, a busy worker), so they run on the CPU backend: SwiftShader would spend
 * most of a minute on MNIST's evaluations. WebGPU itself is covered by the GPU tests and the spiral journey.
 */
const CHEAP_START = '/?backend=cpu&task=xor&hidden=&run=sgd';

/** Records every text the MNIST loading banner shows, however briefly (it may last less than a poll). */
async function watchLoadingBanner(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as Window & { __loadingSeen?: string[] }).__loadingSeen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="loading"]');
      const bar = el?.querySelector('progress');
      if (el && bar) seen.push(`${Math.round(performance.now())} ${el.textContent ?? ''}|${bar.value}/${bar.max}`);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

test('CPU: the MNIST autoencoder preset loads with progress, trains, and reconstructs', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  await watchLoadingBanner(page);
  // Start from a one-layer XOR race: the default spiral race would keep SwiftShader busy for seconds first.
  await page.goto(CHEAP_START);
  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
  await page.getByTestId('preset-mnist-ae').click();
  await expect(page.getByTestId('task-select')).toHaveValue('mnist-ae');

  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/, { timeout: 60_000 });
  // The banner came and went (the download takes a blink here): it counted up to the full asset in MB.
  const seen = await page.evaluate(() => (window as Window & { __loadingSeen?: string[] }).__loadingSeen ?? []);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.at(-1)).toMatch(/Loading MNIST… 7\.8 MB of 7\.8 MB\|7841072\/7841072$/);
  await expect(page.getByTestId('loading')).toHaveCount(0);
  await expect(page.getByTestId('arch')).toContainText('784-64r-16-64r-784');

  // Adam, FishLeg and FishLeg's frozen-Q control.
  const ids = ['r1', 'r2', 'r3'];
  const first = await Promise.all(
    ids.map(async (id) => Number(await page.getByTestId(`${id}-loss`).getAttribute('data-first'))),
  );
  // Step 0: the originals and one reconstruction row per run, each with its mean squared error.
  const view = page.getByTestId('task-view');
  await expect(view.locator('canvas')).toHaveCount(4);
  const mse0 = reconErrors(await view.textContent());
  expect(mse0).toHaveLength(3);

  // A handful of steps: each evaluation reads the whole MNIST split, so play briefly and let the pause take
  // the one evaluation.
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(6);
  await page.getByTestId('play-button').click();
  for (const [i, id] of ids.entries()) {
    await expect.poll(() => num(page, `${id}-loss`), { timeout: 60_000 }).toBeLessThan(0.97 * first[i]!);
  }
  const mse = reconErrors(await view.textContent());
  expect(mse).toHaveLength(3);
  mse.forEach((v, i) => expect(v, `reconstruction MSE of run ${i + 1}`).toBeLessThan(mse0[i]!));
  await expect(view.locator('canvas')).toHaveCount(4);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await page.screenshot({ path: screenshot('mnist-ae'), fullPage: true });
  expect(errors).toEqual([]);
});

test('CPU: the page answers clicks while six runs train the MNIST autoencoder', async ({ page }) => {
  await page.goto(CHEAP_START);
  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
  await page.getByTestId('preset-mnist-ae').click();
  await expect(page).toHaveURL(/task=mnist-ae/);
  // The preset's runs twice over: six runs (four of them FishLeg), opened as a link.
  const url = new URL(page.url());
  for (const r of url.searchParams.getAll('run')) url.searchParams.append('run', r);
  await page.goto(url.pathname + url.search);
  await expect(page.getByTestId('r4-loss')).toBeVisible();
  await expect(page.getByTestId('play-button')).toBeEnabled({ timeout: 60_000 });
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Pause');
  // While the worker trains, every click on a chart control is answered (the expect timeouts are hang
  // guards only: how fast the page answers is a benchmark, `npm run bench:page`).
  const toggle = page.getByTestId('log-toggle');
  for (let i = 0; i < 3; i++) {
    const was = await toggle.isChecked();
    await toggle.click();
    await expect(toggle).toBeChecked({ checked: !was });
  }
  await expect.poll(() => num(page, 'step-count'), { timeout: 90_000 }).toBeGreaterThan(0);
  const stepBefore = await num(page, 'step-count');
  await toggle.click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 90_000 }).toBeGreaterThan(stepBefore);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await page.screenshot({ path: screenshot('mnist-four-runs'), fullPage: true });
  await expect(page.getByTestId('error')).toHaveCount(0);
});
