/**
 * End-to-end journey of keeping a race across a reload (CPU backend): play to a step budget, reload; the page
 * says the race was resumed, shows the same step and curves, and Play continues from that step (not 0): its
 * curves to step 500 equal, loss for loss, those of the same race played without a reload in a fresh browser
 * context. The curves are read through the JSON export, the kept state through IndexedDB.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './helpers.ts';

interface ExportedPoint {
  readonly step: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly auxLoss: number | null;
}

interface ExportedRun {
  readonly id: string;
  readonly points: readonly ExportedPoint[];
}

/** What must match between two runs of one race (their timings differ). */
const losses = (p: ExportedPoint) => [p.step, p.trainLoss, p.testLoss, p.auxLoss];

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

const SETUP = '/?backend=cpu&task=spiral&eval=10&run=sgd&run=adam&run=fishleg';

/** Plays until the step budget pauses the race, then waits for the state kept at that step. */
async function playToBudget(page: Page, budget: number): Promise<void> {
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('step-count')).toHaveText(String(budget), { timeout: 60_000 });
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await expect.poll(() => keptStep(page)).toBe(budget);
}

test('CPU: after a reload Play continues the race from the step it stopped at', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  // A step budget pauses the race at a known step (a budget stop saves, like Pause).
  await page.goto(`${SETUP}&stop=300`);
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);
  await playToBudget(page, 300);
  const before = await exported(page);

  await page.reload();
  await expect(page.getByTestId('resumed')).toContainText('continues from step 300');
  await expect(page.getByTestId('restored')).toHaveCount(0);
  await expect(page.getByTestId('step-count')).toHaveText('300');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.screenshot({ path: screenshot('resumed'), fullPage: true });
  // The same curves, to the last point.
  expect((await exported(page)).map((r) => r.points)).toEqual(before.map((r) => r.points));

  await page.getByTestId('stop-at').fill('500');
  await page.getByTestId('stop-at').press('Enter');
  await playToBudget(page, 500);
  await expect(page.getByTestId('resumed')).toHaveCount(0);
  const continued = await exported(page);

  // The same race without a reload, in a browser context of its own (its own, empty, storage).
  const context = await browser.newContext();
  const ref = await context.newPage();
  await ref.goto(new URL(`${SETUP}&stop=500`, page.url()).href);
  await expect(ref.getByTestId('play-button')).toBeEnabled();
  await expect(ref.getByTestId('r1-loss')).toHaveText(/^\d/);
  await ref.getByTestId('play-button').click();
  await expect(ref.getByTestId('step-count')).toHaveText('500', { timeout: 60_000 });
  await expect(ref.getByTestId('play-button')).toHaveText('Play');
  const uninterrupted = await exported(ref);
  await context.close();

  expect(continued).toHaveLength(3);
  for (const [i, r] of continued.entries()) {
    const steps = r.points.map((p) => p.step);
    // One curve from 0 to 500 with no restart: the resumed race continued from step 300, not from 0.
    expect(steps, r.id).toEqual(Array.from({ length: 51 }, (_, k) => 10 * k));
    // Same weights, optimizer state and batches from step 300 on: the uninterrupted race's losses, bit for bit.
    expect(r.points.map(losses), r.id).toEqual(uninterrupted[i]!.points.map(losses));
  }
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
