/**
 * End-to-end journey of a real GPU device loss on WebGPU: mid-run, the page's test hook has the worker call
 * GPUDevice.destroy(); the page must say so, recreate the device, resume every run from its last checkpoint
 * and keep training, with the curves (exported as JSON) continuing in steps and in training seconds.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { WEBGPU_JOURNEY_TIMEOUT } from './chromium.ts';
import { screenshot } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

interface ExportedRun {
  readonly id: string;
  readonly points: readonly { readonly step: number; readonly seconds: number; readonly trainLoss: number }[];
}

test('WebGPU: a lost GPU device is recreated and the runs resume from their checkpoint', async ({ page }) => {
  // SwiftShader compiles every pipeline on the CPU (~20 s idle on 2 cores): a timeout four times that.
  test.setTimeout(WEBGPU_JOURNEY_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  // Spiral with SGD, Adam and FishLeg, evaluated every 10 steps: a checkpoint every 50 steps (every 5th evaluation).
  await page.goto('/?backend=webgpu&task=spiral&eval=10&run=sgd&run=adam&run=fishleg');
  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);

  await page.getByTestId('play-button').click();
  // Lose the device past the second checkpoint (step 50).
  await expect.poll(() => num(page, 'step-count'), { timeout: 180_000 }).toBeGreaterThan(70);
  const before = await num(page, 'step-count');
  await page.evaluate(() => (window as Window & { __playground?: { loseDevice(): void } }).__playground?.loseDevice());

  const notice = page.getByTestId('notice').filter({ hasText: 'resumed from its checkpoint' });
  await expect(notice).toBeVisible();
  const k = Number(/at step (\d+)/.exec((await notice.textContent()) ?? '')?.[1]);
  expect(k).toBeGreaterThanOrEqual(50);
  expect(k).toBeLessThanOrEqual(before + 50);
  expect(k % 50).toBe(0);
  // Still playing: the step count carries on past the checkpoint, and the curves with it.
  await expect(page.getByTestId('play-button')).toHaveText('Pause');
  await expect.poll(() => num(page, 'step-count'), { timeout: 180_000 }).toBeGreaterThan(k + 50);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('backend-label')).toHaveAttribute('data-backend', 'webgpu');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const file = await (await download).path();
  const runs = (JSON.parse(await readFile(file, 'utf8')) as { runs: ExportedRun[] }).runs;
  expect(runs).toHaveLength(3);
  for (const r of runs) {
    const steps = r.points.map((p) => p.step);
    expect(steps.at(-1), r.id).toBeGreaterThanOrEqual(k + 50);
    expect(steps, r.id).toContain(k);
    for (let i = 1; i < r.points.length; i++) {
      const [a, b] = [r.points[i - 1]!, r.points[i]!];
      // One curve, no restart: steps strictly increase and the training clock never runs backwards.
      expect(b.step, `${r.id} step after ${a.step}`).toBeGreaterThan(a.step);
      expect(b.seconds, `${r.id} seconds at step ${b.step}`).toBeGreaterThanOrEqual(a.seconds);
    }
    const first = r.points[0]!.trainLoss;
    expect(r.points.at(-1)!.trainLoss, r.id).toBeLessThan(first);
  }
  await page.getByTestId('x-select').selectOption('seconds');
  await page.screenshot({ path: screenshot('device-loss'), fullPage: true });
  expect(errors).toEqual([]);
});
