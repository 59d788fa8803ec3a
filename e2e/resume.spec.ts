/**
 * End-to-end journey of keeping a race across a reload (CPU backend): play, pause, reload; the page says the
 * race was resumed, shows the same step and curves, and Play continues from that step (not 0) with the loss
 * carrying on where it was. The curves are read through the JSON export; the kept state through IndexedDB.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

const screenshot = (name: string): string => fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url));

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

interface ExportedRun {
  readonly id: string;
  readonly points: readonly { readonly step: number; readonly trainLoss: number; readonly testLoss: number }[];
}

async function exported(page: Page): Promise<ExportedRun[]> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const file = await (await download).path();
  return (JSON.parse(await readFile(file, 'utf8')) as { runs: ExportedRun[] }).runs;
}

/** The step of the training state the page keeps in IndexedDB (null when none). */
const keptStep = (page: Page): Promise<number | null> =>
  page.evaluate(
    () =>
      new Promise<number | null>((resolve) => {
        const open = indexedDB.open('fishleg-playground', 1);
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('race')) return resolve(null);
          const req = db.transaction('race').objectStore('race').get('latest');
          req.onsuccess = () => resolve((req.result as { state?: { step: number } } | undefined)?.state?.step ?? null);
          req.onerror = () => resolve(null);
        };
      }),
  );

test('CPU: after a reload Play continues the race from the step it stopped at', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  await page.goto('/?backend=cpu&task=spiral&eval=10&run=sgd&run=adam&run=fishleg');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);

  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThan(300);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  const stopped = await num(page, 'step-count');
  // Saved at the pause: a fresh checkpoint at the step it stopped at.
  await expect.poll(() => keptStep(page)).toBe(stopped);
  const before = await exported(page);

  await page.reload();
  await expect(page.getByTestId('resumed')).toContainText(`continues from step ${stopped}`);
  await expect(page.getByTestId('restored')).toHaveCount(0);
  await expect(page.getByTestId('step-count')).toHaveText(String(stopped));
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.screenshot({ path: screenshot('resumed'), fullPage: true });
  const after = await exported(page);
  // The same curves, to the last point.
  expect(after.map((r) => r.points)).toEqual(before.map((r) => r.points));

  await page.getByTestId('play-button').click();
  await expect.poll(() => num(page, 'step-count'), { timeout: 60_000 }).toBeGreaterThan(stopped + 100);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await expect(page.getByTestId('resumed')).toHaveCount(0);
  const continued = await exported(page);
  expect(continued).toHaveLength(3);
  for (const r of continued) {
    const steps = r.points.map((p) => p.step);
    expect(steps, r.id).toContain(stopped);
    for (let i = 1; i < steps.length; i++)
      expect(steps[i]!, `${r.id} after ${steps[i - 1]}`).toBeGreaterThan(steps[i - 1]!);
    const at = (s: number) => r.points.find((p) => p.step === s)!.trainLoss;
    const next = r.points.find((p) => p.step > stopped)!;
    // From the step it stopped at, not from 0: the next point is one evaluation later...
    expect(next.step, r.id).toBe(stopped + 10);
    // ...and its loss is where the curve was, not back at the start.
    const start = at(0);
    const there = at(stopped);
    expect(Math.abs(next.trainLoss - there), r.id).toBeLessThan(Math.abs(start - there) / 2);
  }
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
