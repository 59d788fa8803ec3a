/**
 * The page's layouts for a class (issue #19 items 5–7): one screen at 1280×800 with a presenter mode and its
 * keyboard shortcuts, a phone with the controls first and touch-sized targets, and a slide-sized 640×420 iframe
 * with a compact Play, a notice badge and a chart that renders. CPU backend (forced, or the fallback that the iframe journeys show as a badge). Screenshots go to
 * e2e/screenshots/ (gitignored) and are looked at by hand.
 */
import { expect, test, type Locator } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

/** Whether the element lies wholly inside the viewport without scrolling. */
async function onScreen(el: Locator, width: number, height: number): Promise<void> {
  const box = await el.boundingBox();
  expect(box, 'element is laid out').not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width + 0.5);
  expect(box!.y + box!.height).toBeLessThanOrEqual(height + 0.5);
}

test('desktop 1280×800: data, network, controls and chart on one screen; presenter mode and shortcuts', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?backend=cpu');
  await ready(page);
  await page.screenshot({ path: screenshot('layout-desktop') });
  await onScreen(page.getByTestId('play-button'), 1280, 800);
  await onScreen(page.locator('.chart svg.recharts-surface').first(), 1280, 800);
  await onScreen(page.getByTestId('network-diagram').locator('.views-net-box'), 1280, 800);
  await onScreen(page.getByTestId('data-picker'), 1280, 800);
  await onScreen(page.getByRole('region', { name: 'Decision boundaries' }).locator('canvas').first(), 1280, 800);

  // Shortcuts: s steps once, r resets, space plays and pauses; ? lists them.
  await page.keyboard.press('s');
  await expect(page.getByTestId('step-count')).toHaveText('1');
  await page.keyboard.press('r');
  await expect(page.getByTestId('step-count')).toHaveText('0');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const key of ['Space', 'S', 'R', 'F', 'P', 'N', '?'])
    await expect(help.getByText(key, { exact: true })).toBeVisible();
  await help.screenshot({ path: screenshot('layout-help') });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  // Presenter mode: large type, the setup hidden, the race and the views still on screen.
  await page.keyboard.press('p');
  await expect(page.locator('.app')).toHaveClass(/presenter/);
  await expect(page.getByTestId('data-picker')).toBeHidden();
  const base = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.app')!).fontSize));
  expect(base).toBeGreaterThanOrEqual(20);
  await onScreen(page.getByTestId('play-button'), 1280, 800);
  await onScreen(page.locator('.chart svg.recharts-surface').first(), 1280, 800);
  // n: the next preset.
  const before = page.url();
  await page.keyboard.press('n');
  await expect.poll(() => page.url()).not.toBe(before);
  await expect(page.locator('[data-testid^="preset-"][aria-pressed="true"]')).toHaveCount(1);
  await ready(page);
  await page.screenshot({ path: screenshot('layout-presenter') });
  await page.keyboard.press('p');
  await expect(page.locator('.app')).not.toHaveClass(/presenter/);
  expect(errors).toEqual([]);
});

test('phone 390×844: Play without scrolling, 44 px targets, the two-parameter demo inside its card', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?backend=cpu');
  await ready(page);
  await onScreen(page.getByTestId('play-button'), 390, 844);
  await page.screenshot({ path: screenshot('layout-phone') });
  const small = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>(
        '.transport button, .transport select, .transport input, .panel button, .panel input:not([type="checkbox"]):not([type="radio"]):not([type="range"]), .panel select',
      ),
    )
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({
        el: el.dataset.testid ?? el.textContent?.trim() ?? el.tagName,
        h: el.getBoundingClientRect().height,
      }))
      .filter((x) => x.h < 44),
  );
  expect(small).toEqual([]);
  const card = page.getByTestId('two-param-panel');
  await card.scrollIntoViewIfNeeded();
  const overflow = await card.evaluate((el) => {
    const outer = el.getBoundingClientRect();
    return Array.from(el.querySelectorAll<HTMLElement>('canvas, button, p, table'))
      .map((c) => c.getBoundingClientRect())
      .filter((r) => r.right > outer.right + 0.5 || r.left < outer.left - 0.5).length;
  });
  expect(overflow).toBe(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await card.screenshot({ path: screenshot('layout-phone-two-param') });
  expect(errors).toEqual([]);
});

for (const embed of ['1', 'chart', 'views,inside', 'chart,play,network']) {
  test(`640×420 iframe, embed=${embed}: compact Play, a notice badge, and every chart it shows renders`, async ({
    page,
    baseURL,
  }) => {
    const errors = collectErrors(page);
    const warnings: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'warning' && /width\(0\)|height\(0\)/.test(m.text()) && warnings.push(m.text()),
    );
    await page.setViewportSize({ width: 800, height: 560 });
    await page.setContent(
      `<iframe title="slide" src="${baseURL}/?task=xor&embed=${embed}" width="640" height="420" style="border:1px solid #888"></iframe>`,
    );
    const frame = page.frameLocator('iframe');
    const play = frame.getByTestId('play-button');
    await expect(play).toBeEnabled();
    // The iframe's own viewport: the play button and badge are inside it.
    const within = async (el: Locator) => {
      const box = await el.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return { bottom: r.bottom, right: r.right, top: r.top };
      });
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.bottom).toBeLessThanOrEqual(420);
      expect(box.right).toBeLessThanOrEqual(640);
    };
    await within(play);
    await expect(frame.getByTestId('cpu-fallback')).toHaveCount(0);
    const badge = frame.getByTestId('notice-badge');
    await expect(badge).toBeVisible();
    await within(badge);
    if (embed === '1' || embed.includes('chart')) {
      const svg = frame.locator('.chart svg.recharts-surface').first();
      await expect(svg).toBeVisible();
      await within(svg);
      const box = await svg.boundingBox();
      expect(box!.height).toBeGreaterThan(120);
    } else {
      await expect(frame.locator('.chart')).toHaveCount(0);
    }
    await play.click();
    await expect(frame.getByTestId('step-count')).not.toHaveText('0');
    await play.click();
    await page.screenshot({ path: screenshot(`layout-iframe-${embed.replace(/,/g, '-')}`) });
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);
  });
}

test('network diagram editing: +/− units and layers change the model, the diagram and the setup panel', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu');
  await ready(page);
  const diagram = page.getByTestId('network-diagram');
  await expect(page.getByTestId('net-0-width')).toHaveText('16');
  await page.getByTestId('net-0-plus').click();
  await ready(page);
  await expect(page.getByTestId('net-0-width')).toHaveText('17');
  await expect(diagram).toContainText('17 tanh');
  await expect(page).toHaveURL(/hidden=17t-16t/);
  await page.getByTestId('net-layer-minus').click();
  await ready(page);
  await expect(page).toHaveURL(/hidden=17t(&|$)/);
  await expect(page.getByTestId('net-1-width')).toHaveCount(0);
  await page.getByTestId('net-layer-plus').click();
  await ready(page);
  await expect(page).toHaveURL(/hidden=17t-17t/);
  await page.getByTestId('network-view').screenshot({ path: screenshot('layout-network-edit') });
  expect(errors).toEqual([]);
});
