/** What every journey uses: where screenshots go, the page's and its workers' errors, and a race that is ready. */
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

/** Path of a journey's screenshot in e2e/screenshots/ (looked at by hand; not compared). */
export const screenshot = (name: string): string =>
  fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url));

/** Collects console errors and uncaught exceptions (page and workers) for the whole test. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('worker', (worker) => worker.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text())));
  return errors;
}

/**
 * The step counter once the worker has stopped: Pause shows Play at once, but a slice under way still
 * finishes and reports, so the counter can move for a moment after the click.
 */
export async function settledStep(page: Page): Promise<number> {
  const read = async () => Number.parseFloat((await page.getByTestId('step-count').textContent()) ?? '');
  let last = Number.NaN; // the first read only sets it: two reads 400 ms apart must agree
  await expect
    .poll(
      async () => {
        const now = await read();
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [400] },
    )
    .toBe(true);
  return last;
}

/** The race is built and its first evaluation is on the page. */
export async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('r1-loss')).toHaveText(/^\d/);
}
