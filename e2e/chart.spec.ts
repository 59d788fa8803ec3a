/**
 * The race chart as a teacher uses it (CPU backend, for speed): a learning rate changed live leaves a
 * labelled mark at its step, Step takes exactly one step (×10 and ×100 more), dragging across the chart
 * zooms into a range of steps and Reset zoom goes back, log axes label every tick alike and accuracy stays
 * linear, and the exported PNG carries the legend and setup, not only the bare plot. Screenshots at desktop
 * (1280) and phone (390) widths go to e2e/screenshots/.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

const stepCount = async (page: Page): Promise<number> =>
  Number.parseInt((await page.getByTestId('step-count').textContent()) ?? '', 10);

/** Drags across the plot from fraction a to fraction b of its width. */
async function dragAcross(page: Page, a: number, b: number): Promise<void> {
  const box = (await page.getByTestId('zoom-area').boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + a * box.width, y);
  await page.mouse.down();
  await page.mouse.move(box.x + ((a + b) / 2) * box.width, y, { steps: 4 });
  await page.mouse.move(box.x + b * box.width, y, { steps: 4 });
  await page.mouse.up();
}

/**
 * Decodes a PNG in the page and reports its size and, per colour, whether it holds a solid 12×12 block of
 * exactly that colour: the legend's swatches (the plot's lines are 4 px wide at 2×, too thin for one).
 */
function decodePng(page: Page, png: Buffer, colours: readonly string[]) {
  return page.evaluate(
    async ({ data, colours }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const solid = colours.map((hex) => {
        const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
        const is = (x: number, y: number) => {
          const k = 4 * (y * c.width + x);
          return px[k] === r && px[k + 1] === g && px[k + 2] === b;
        };
        for (let y = 0; y + 12 <= c.height; y += 6) {
          for (let x = 0; x + 12 <= c.width; x += 6) {
            let all = true;
            for (let dy = 0; dy < 12 && all; dy++) for (let dx = 0; dx < 12 && all; dx++) all = is(x + dx, y + dy);
            if (all) return { x, y };
          }
        }
        return null;
      });
      return { width: img.naturalWidth, height: img.naturalHeight, solid };
    },
    { data: png.toString('base64'), colours },
  );
}

test('CPU: Step takes exactly one step; live changes leave labelled marks that survive a reload', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);

  // Step: exactly one training step per click, then ten, then a hundred; each shows on the counter and chart.
  expect(await stepCount(page)).toBe(0);
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepCount(page)).toBe(1);
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepCount(page)).toBe(2);
  await page.getByTestId('step-10-button').click();
  await expect.poll(() => stepCount(page)).toBe(12);
  await page.getByTestId('step-100-button').click();
  await expect.poll(() => stepCount(page)).toBe(112);
  await expect(page.getByTestId('loss-chart').locator('.recharts-line-curve').first()).toBeVisible();

  // A learning rate changed live, paused: a mark in the run's colour at step 112 says what changed.
  await page.getByTestId('run-r1').locator('summary').click();
  const lr = page.getByTestId('r1-lr');
  const before = await lr.inputValue();
  await lr.fill('0.003');
  await lr.press('Enter');
  const mark = page.locator('.change-marker');
  await expect(mark).toHaveCount(1);
  await expect(mark).toHaveAttribute('data-step', '112');
  await expect(mark.locator('text')).toHaveText(`lr ${Number(before)}→0.003`);
  const colour = await page.getByTestId('run-r1').evaluate((el) => getComputedStyle(el).borderLeftColor);
  expect(await mark.locator('text').getAttribute('fill')).toBe(
    `#${(colour.match(/\d+/g) ?? []).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`,
  );

  // Play on, then change it again: a second mark, laid out so that no two labels overlap.
  await page.getByTestId('play-button').click();
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(160);
  await lr.fill('0.01');
  await lr.press('Enter');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(260);
  await page.getByTestId('play-button').click();
  await expect(page.getByTestId('play-button')).toHaveText('Play');
  await expect(mark).toHaveCount(2);
  const boxes = await page.locator('.chart-marks text').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x0: r.left, x1: r.right, y0: r.top, y1: r.bottom };
    }),
  );
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      expect(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0).toBe(true);
    }
  }
  await page.screenshot({ path: screenshot('chart-marks'), fullPage: false });

  // The marks are saved with the curves: a reload of the link shows both again. Saves are throttled: wait for
  // one of this setup holding both changes.
  await expect
    .poll(() =>
      page.evaluate(() =>
        Object.values(localStorage).some((v: string) => {
          try {
            const saved = JSON.parse(v) as { search?: string; runs?: { changes?: unknown[] }[] };
            return saved.search === window.location.search && saved.runs?.[0]?.changes?.length === 2;
          } catch {
            return false;
          }
        }),
      ),
    )
    .toBe(true);
  await page.reload();
  // The curves come back either as a display-only history or, when the pause's training state was kept in time,
  // as a resumed race (its curves cut at the paused step, which both changes precede): both show the marks.
  await expect(page.getByTestId('restored').or(page.getByTestId('resumed'))).toBeVisible();
  await expect(mark).toHaveCount(2);
  await expect(mark.locator('text').first()).toHaveText(`lr ${Number(before)}→0.003`);

  expect(errors).toEqual([]);
});

test('CPU: zoom into a range of steps, log ticks, and the exported PNG with legend and setup', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  await page.getByTestId('step-100-button').click();
  await expect.poll(() => stepCount(page)).toBe(100);
  await page.getByTestId('run-r1').locator('summary').click();
  await page.getByTestId('r1-lr').fill('0.003');
  await page.getByTestId('r1-lr').press('Enter');
  await expect(page.locator('.change-marker')).toHaveCount(1);
  await page.getByTestId('step-100-button').click();
  await expect.poll(() => stepCount(page)).toBe(200);

  // Zoom: drag across the first part of the race, then reset.
  const chart = page.getByTestId('loss-chart');
  await dragAcross(page, 0.02, 0.3);
  await expect(chart).toHaveAttribute('data-zoom', /^\d+-\d+$/);
  const [from, to] = ((await chart.getAttribute('data-zoom')) ?? '').split('-').map(Number);
  expect(to! - from!).toBeGreaterThan(0);
  expect(to!).toBeLessThan(await stepCount(page));
  const ticks = await chart
    .locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
    .allTextContents();
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  expect(ticks.map(Number).every((t) => t >= from! && t <= to!)).toBe(true);
  await page.screenshot({ path: screenshot('chart-zoomed'), fullPage: false });
  await page.getByTestId('zoom-reset').click();
  await expect(chart).toHaveAttribute('data-zoom', '');

  // Log axis: one decimal format on every tick; accuracy cannot be log.
  await page.getByTestId('log-toggle').check();
  await expect(chart).toHaveAttribute('data-log', 'true');
  const yTicks = await chart
    .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
    .allTextContents();
  expect(yTicks.length).toBeGreaterThanOrEqual(2);
  for (const t of yTicks) {
    // Plain decimals, round to two significant digits: 0.01, 0.65, 3, 200 — never 1e-2.
    expect(t).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(Number(t).toPrecision(2))).toBe(Number(t));
  }
  await page.getByTestId('metric-select').selectOption('accuracy');
  await expect(page.getByTestId('log-toggle')).toBeDisabled();
  await expect(chart).toHaveAttribute('data-log', 'false');
  await page.getByTestId('metric-select').selectOption('loss');
  await expect(chart).toHaveAttribute('data-log', 'true');

  // PNG export: wider than nothing, taller than the chart (setup and legend), with every run's colour swatch.
  const svgBox = (await chart.locator('svg.recharts-surface').boundingBox())!;
  const downloadEvent = page.waitForEvent('download');
  await page.getByTestId('export-png').click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toBe('chart.png');
  const png = await readFile(await download.path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  await writeFile(screenshot('chart-export'), png);
  const runColours = await page
    .locator('.run-card')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).borderLeftColor));
  const hex = runColours.map(
    (c) => `#${(c.match(/\d+/g) ?? []).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`,
  );
  const decoded = await decodePng(page, png, hex);
  expect(decoded.width).toBe(Math.ceil(2 * svgBox.width));
  expect(decoded.height).toBeGreaterThan(2 * svgBox.height + 2 * 17 * hex.length);
  // Every swatch lies below the chart, in the legend.
  for (const s of decoded.solid) {
    expect(s).not.toBeNull();
    expect(s!.y).toBeGreaterThan(2 * svgBox.height);
  }

  expect(errors).toEqual([]);
});

test('CPU: the chart and its controls on a phone', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral');
  await ready(page);
  await page.getByTestId('step-100-button').click();
  await expect.poll(() => stepCount(page)).toBe(100);
  await page.getByTestId('run-r1').locator('summary').click();
  await page.getByTestId('r1-lr').fill('0.003');
  await page.getByTestId('r1-lr').press('Enter');
  await expect(page.locator('.change-marker')).toHaveCount(1);
  await page.getByTestId('loss-chart').scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0); // no tooltip over the screenshot
  await page.getByLabel('Training progress').screenshot({ path: screenshot('chart-phone') });
  // The transport bar fits the phone: no control pushes the page sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
  await page.close();
});
