/**
 * End-to-end journeys on the built playground in the system Chromium: the three-optimizer spiral race on
 * WebGPU (every curve falls), a live FishLeg approximation switch, sharing and reopening a link, hostile
 * links, CSV upload (good and malformed), histories surviving a reload, the no-WebGPU fallback and a
 * diverging run. Most journeys force the CPU backend: SwiftShader is slow and they test the app, not WebGPU.
 * Screenshots go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Page } from '@playwright/test';
import { BASE_ARGS, CHROMIUM_PATH, WEBGPU_JOURNEY_TIMEOUT } from './chromium.ts';
import { collectErrors, ready, screenshot, settledStep } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

/** The step-0 loss of a run (data-first) once it has arrived. */
async function firstLoss(page: Page, id: string): Promise<number> {
  const el = page.getByTestId(`${id}-loss`);
  await expect(el).toHaveText(/^\d/);
  return Number(await el.getAttribute('data-first'));
}

test('WebGPU: the spiral race of SGD, Adam and FishLeg — every curve falls', async ({ page }) => {
  // SwiftShader compiles every pipeline on the CPU (~20 s idle on 2 cores): a timeout four times that.
  test.setTimeout(WEBGPU_JOURNEY_TIMEOUT);
  const errors = collectErrors(page);
  // Forced: on a machine whose only adapter is a software one, the page would pick the CPU by itself.
  await page.goto('/?backend=webgpu&task=spiral');
  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('cpu-fallback')).toHaveCount(0);
  // The kernels compile behind a progress banner, which goes once they are built.
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('compiling')).toHaveCount(0);
  await page.getByTestId('preset-spiral').click();
  await ready(page);
  // SGD, Adam, FishLeg and FishLeg's frozen-Q control.
  const ids = ['r1', 'r2', 'r3', 'r4'];
  const first = await Promise.all(ids.map((id) => firstLoss(page, id)));
  // Same initial weights: the same step-0 loss for every run.
  expect(new Set(first.map((v) => v.toPrecision(4))).size).toBe(1);

  await page.getByTestId('play-button').click();
  for (const [i, id] of ids.entries()) {
    await expect.poll(() => num(page, `${id}-loss`), { timeout: 180_000 }).toBeLessThan(0.99 * first[i]!);
  }
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await expect(page.getByTestId('loss-chart').locator('.recharts-line-curve')).toHaveCount(8);
  await page.screenshot({ path: screenshot('webgpu-race'), fullPage: true });
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('CPU: switching FishLeg’s approximation mid-run keeps the step and marks the chart', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await page.getByTestId('preset-switch').click();
  await ready(page);
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThan(200);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  const before = await num(page, 'step-count');

  await page.getByTestId('run-r2').locator('summary').click();
  await page.getByTestId('r2-approx').selectOption('kron-diag');
  await expect(page.locator('.switch-marker')).toHaveCount(1);
  // The worker handles the switch after the pause, so the counter now shows where the pause stopped: a slice
  // may have finished after the click, but nothing was reset.
  const paused = await num(page, 'step-count');
  expect(paused).toBeGreaterThanOrEqual(before);
  await page.getByTestId('step-button').click();
  await expect.poll(() => num(page, 'step-count')).toBeGreaterThan(paused);
  await expect(page).toHaveURL(/ap%3Akron-diag/);
  await page.screenshot({ path: screenshot('switch'), fullPage: true });
  expect(errors).toEqual([]);
});

test('CPU: a shared link reproduces the setup; hostile links fall back with a notice', async ({ page, browser }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  await page.getByTestId('task-select').selectOption('xor');
  await page.getByTestId('run-r1').locator('summary').click();
  const lr = page.getByTestId('r1-lr');
  await lr.fill('0.05');
  await lr.press('Enter');
  await expect(page).toHaveURL(/task=xor/);
  await expect(page).toHaveURL(/lr%3A0.05/);
  const shared = page.url();
  // Copy link confirms, or (clipboard refused, as in a headless browser without the permission) offers the
  // link selected in a field.
  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('link-copied').or(page.getByTestId('link-field'))).toBeVisible();
  if (await page.getByTestId('link-field').isVisible()) {
    await expect(page.getByTestId('link-field')).toHaveValue(shared);
  }

  const other = await browser.newPage();
  await other.goto(shared);
  await expect(other.getByTestId('task-select')).toHaveValue('xor');
  await other.getByTestId('run-r1').locator('summary').click();
  await expect(other.getByTestId('r1-lr')).toHaveValue('0.05');
  await expect(other.getByTestId('notice')).toHaveCount(0);

  await other.goto('/?backend=cpu&task=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&run=sgd~%3Cb%3Ex%3C/b%3E~zz~lr:-5');
  await expect(other.getByTestId('notice').first()).toContainText('is not one of');
  await expect(other.getByTestId('task-select')).toHaveValue('spiral');
  await expect(other.locator('img[src="x"]')).toHaveCount(0);
  await other.screenshot({ path: screenshot('hostile-link'), fullPage: true });
  await other.close();
  expect(errors).toEqual([]);
});

test('CPU: CSV upload — a good file trains, a malformed one names the line', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  const bad = 'x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n';
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(page.getByTestId('csv-error')).toContainText('bad.csv line 3');

  const rows = ['x1,x2,label'];
  for (let i = 0; i < 200; i++) {
    const x = Math.cos(i) * (1 + (i % 7) / 7);
    const y = Math.sin(i * 1.3);
    rows.push(`${x.toFixed(3)},${y.toFixed(3)},${x * y > 0 ? 1 : 0}`);
  }
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(page.getByTestId('csv-error')).toHaveCount(0);
  await expect(page.getByTestId('csv-name')).toContainText('good.csv');
  await expect(page.getByTestId('task-select')).toHaveValue('csv');
  // The hidden layers the user had (the default 16t-16t) stay.
  await expect(page.getByTestId('arch')).toContainText('2-16t-16t-2');
  await ready(page);
  const first = await firstLoss(page, 'r2');
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'r2-loss'), { timeout: 60_000 }).toBeLessThan(0.9 * first);
  await page.getByTestId('play-button').click();
  await page.screenshot({ path: screenshot('csv'), fullPage: true });
  await expect(page.getByTestId('error')).toHaveCount(0);

  // A shared link to this setup names the file, trains a working default meanwhile, and takes the file.
  await expect(page).toHaveURL(/task=csv.*file=good\.csv/);
  const link = page.url();
  const other = await page.context().newPage();
  const otherErrors = collectErrors(other);
  await other.goto(link);
  await expect(other.getByTestId('csv-needed')).toContainText('“good.csv”');
  await expect(other.getByTestId('task-select')).toHaveValue('spiral');
  await ready(other);
  await expect(other).toHaveURL(/task=csv.*file=good\.csv/); // the address keeps the link's setup
  await other.getByTestId('step-button').click();
  await expect.poll(() => num(other, 'step-count')).toBeGreaterThan(0);
  await other
    .getByTestId('csv-needed-input')
    .setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(other.getByTestId('csv-needed')).toHaveCount(0);
  await expect(other.getByTestId('task-select')).toHaveValue('csv');
  await expect(other.getByTestId('arch')).toContainText('2-16t-16t-2');
  await ready(other);
  await other.screenshot({ path: screenshot('csv-link'), fullPage: true });
  expect(otherErrors).toEqual([]);
  await other.close();
  expect(errors).toEqual([]);
});

test('CPU: histories survive a reload; a run with a huge learning rate is marked diverged', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&hidden=8r&run=sgd~Boom~d55e00~lr:1e30&run=adam');
  await ready(page);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('r1-diverged')).toContainText(/diverged at step \d+/, { timeout: 60_000 });
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThan(300);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  const loss = await page.getByTestId('r2-loss').textContent();
  await page.screenshot({ path: screenshot('diverged'), fullPage: true });
  await page.waitForTimeout(2000); // saves are throttled to one per 1.5 s

  await page.reload();
  // The kept training state resumes the race (e2e/resume.spec.ts); the curves come back with it.
  await expect(page.getByTestId('resumed')).toBeVisible();
  await expect(page.getByTestId('r2-loss')).toHaveText(loss ?? '');
  await expect(page.getByTestId('r1-diverged')).toBeVisible();
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(2);
  await page.screenshot({ path: screenshot('restored'), fullPage: true });
  expect(errors).toEqual([]);
});

test('by default the page picks the faster backend and says why', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?task=xor&hidden=&run=sgd');
  const software = await page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    const info = adapter?.info;
    if (!info) return null;
    return (
      info.isFallbackAdapter === true || /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`)
    );
  });
  if (software === false) {
    await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'webgpu');
    await expect(page.getByTestId('cpu-fallback')).toHaveCount(0);
  } else {
    // A software adapter (SwiftShader) is slower than the CPU backend: not the default, and the banner says so.
    await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
    const banner = page.getByTestId('cpu-fallback');
    if (software) {
      await expect(banner).toHaveAttribute('data-kind', 'software');
      await expect(banner).toContainText('faster here');
      await expect(banner).toContainText('?backend=webgpu');
    }
  }
  await ready(page);
  expect(errors).toEqual([]);
});

test('without a WebGPU adapter it says so and trains on the CPU', async ({ playwright, baseURL }) => {
  // The same Chromium without --enable-unsafe-webgpu: navigator.gpu exists but offers no adapter.
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_ARGS] });
  try {
    const page = await browser.newPage({ baseURL, viewport: { width: 768, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto('/?task=spiral');
    await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'cpu');
    await expect(page.getByTestId('cpu-fallback')).toContainText('WebGPU unavailable — training on the CPU');
    await ready(page);
    const first = await firstLoss(page, 'r2');
    await page.getByTestId('play-button').click();
    await expect.poll(() => num(page, 'r2-loss'), { timeout: 60_000 }).toBeLessThan(0.5 * first);
    await page.getByTestId('play-button').click();
    await page.screenshot({ path: screenshot('fallback-768'), fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('CPU: branch a run mid-race and add one without a restart', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count')).toBeGreaterThan(100);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  const at = await settledStep(page);

  await page.getByTestId('r2-branch').click();
  await expect(page.getByTestId('r4-origin')).toHaveText(`branch of Adam at step ${at}`);
  expect(await num(page, 'step-count')).toBe(at); // the race went on from where it was
  await expect(page.getByTestId('r4-loss')).toHaveText(await page.getByTestId('r2-loss').innerText());
  await expect(page.locator('.branch-marker')).toHaveCount(1);

  await page.getByTestId('add-run').click(); // an SGD run, from step 0 on the same batches
  await expect(page.getByTestId('r5-loss')).toHaveText(/^\d/);
  await expect(page.getByTestId('r5-catching-up')).toHaveCount(0); // paused: it caught up at once
  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count')).toBeGreaterThan(at + 50);
  await page.getByTestId('play-button').click();
  await page.screenshot({ path: screenshot('branch'), fullPage: true });
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('phone width (390 px): no preset widens the page', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = collectErrors(page);
  for (const preset of [
    'scaled-regression',
    'mnist-ae',
    'mnist-cnn',
    'spiral',
    'curvature',
    'switch',
    'inverse-fisher',
  ]) {
    await page.goto('/?backend=cpu&task=xor&hidden=&run=sgd');
    await page.getByTestId(`preset-${preset}`).click();
    await ready(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, preset).toBeLessThanOrEqual(390);
  }
  await page.screenshot({ path: screenshot('phone-390'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
