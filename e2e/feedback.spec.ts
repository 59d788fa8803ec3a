/**
 * What the page says back (issue #19 item 9, issue #16 §3): a link's malformed or impossible values are named
 * with their limits (desktop, phone, and the badge of a 640×420 iframe), a semicolon CSV is read and a mixed
 * one names its separators, Step ×100 on MNIST shows its progress and holds Play and Step until done, the
 * branch mark is drawn rather than typed, and Inside FishLeg leads with whether Q is helping yet. CPU
 * backend throughout. Screenshots go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, ready, screenshot } from './helpers.ts';

const num = async (page: Page, testId: string): Promise<number> =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? '');

const BAD_LINK = '?backend=cpu&task=xor&lr=1e99&arch=99999x&hidden=99999x&run=sgd~S~~lr:abc,zz:1';
const EXPECTED = [
  /lr=1e99 is a run's setting, which a link gives inside its run, e\.g\. run=sgd~~~lr:<value>; learning rate must fit in float32/,
  /arch=99999x is not a key of this page: it takes the hidden layers as hidden=<layers>, e\.g\. hidden=16t-16t \(0 to 11 layers of 1 to 2048 units/,
  /hidden=99999x has a layer of 99999 units; the most is 2048 .* and has no activation 'x'/,
  /run 1: ignored setting 'lr:abc' \(learning rate must be a positive number\)/,
  /run 1: ignored setting 'zz:1' \(SGD has no setting 'zz'; its keys are lr, m, wd\)/,
];

test('a link with values the page cannot take names each key, value and limit (desktop, phone)', async ({ page }) => {
  const errors = collectErrors(page);
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await page.goto(`/${BAD_LINK}`);
    await ready(page);
    const notices = page.getByTestId('notice');
    for (const re of EXPECTED) await expect(notices.filter({ hasText: re })).toHaveCount(1);
    await expect(notices.first()).toBeVisible();
    await page.screenshot({ path: screenshot(`feedback-link-notices-${size.width}`) });
  }
  expect(errors).toEqual([]);
});

test('640×420 iframe: the link notices sit in the badge', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 800, height: 560 });
  await page.setContent(
    `<iframe title="slide" src="${baseURL}/${BAD_LINK}&embed=1" width="640" height="420" style="border:1px solid #888"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await expect(frame.getByTestId('play-button')).toBeEnabled();
  const badge = frame.getByTestId('notice-badge');
  await badge.locator('summary').click();
  for (const re of EXPECTED) await expect(badge).toContainText(re);
  await page.screenshot({ path: screenshot('feedback-link-notices-iframe') });
  expect(errors).toEqual([]);
});

test('a semicolon CSV trains; a row with another separator is named', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=xor&hidden=4t&run=sgd');
  await ready(page);
  const rows = ['x1;x2;label'];
  for (let i = 0; i < 40; i++) rows.push(`${((i * 7) % 10) / 10};${((i * 3) % 10) / 10};${i % 2}`);
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'semi.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(page.getByTestId('csv-name')).toContainText('semi.csv');
  await expect(page.getByTestId('csv-error')).toHaveCount(0);
  await expect(page.getByTestId('task-select')).toHaveValue('csv');
  await page
    .getByTestId('csv-input')
    .setInputFiles({ name: 'mixed.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,y\n1,2,3\n4;5;6\n') });
  await expect(page.getByTestId('csv-error')).toContainText(
    "mixed.csv line 3: expected 3 columns separated by ',', found 1; this line is separated by ';'",
  );
  expect(errors).toEqual([]);
});

test('Step ×100 on MNIST shows its progress and holds Play and Step until it is done', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=mnist&hidden=64r&run=sgd&run=adam');
  await ready(page);
  // Records the progress bar however briefly it shows, with the buttons' state at that moment.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as Window & { __steps?: string[] }).__steps = seen;
    new MutationObserver(() => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid="step-progress"] progress');
      if (!bar) return;
      const play = document.querySelector<HTMLButtonElement>('[data-testid="play-button"]')!;
      const step = document.querySelector<HTMLButtonElement>('[data-testid="step-button"]')!;
      seen.push(`${bar.value}/${bar.max} play:${play.disabled} step:${step.disabled}`);
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const before = await num(page, 'step-count');
  await page.getByTestId('step-100-button').click();
  const progress = page.getByTestId('step-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('play-button')).toBeDisabled();
  await expect(page.getByTestId('step-100-button')).toBeDisabled();
  await page.screenshot({ path: screenshot('feedback-step-progress') });
  await expect(page.getByTestId('step-count')).toHaveText(String(before + 100));
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await expect(page.getByTestId('step-100-button')).toBeEnabled();
  const seen = await page.evaluate(() => (window as Window & { __steps?: string[] }).__steps ?? []);
  // It moved while it ran (not one jump from 0 to 100), with Play and Step disabled all along.
  const values = new Set(seen.map((s) => s.split('/')[0]));
  expect([...values].filter((v) => v !== '0' && v !== '100').length).toBeGreaterThan(1);
  expect(seen.every((s) => s.endsWith('play:true step:true'))).toBe(true);
  expect(errors).toEqual([]);
});

test('the branch mark is a drawn fork, not a font glyph', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral&run=sgd&run=adam');
  await ready(page);
  await page.getByTestId('step-100-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('100');
  await page.getByTestId('r2-branch').click();
  await expect(page.getByTestId('r3-origin')).toHaveText('branch of Adam at step 100');
  const mark = page.locator('.branch-marker');
  await expect(mark).toHaveCount(1);
  await expect(mark.locator('.branch-icon path')).toHaveCount(1);
  await expect(mark.locator('.branch-icon circle')).toHaveCount(2);
  expect(await mark.locator('.mark-label').textContent()).not.toContain('\u2442');
  await page.locator('.chart-box').screenshot({ path: screenshot('feedback-branch-mark') });
  expect(errors).toEqual([]);
});

test('Inside FishLeg leads with whether Q is helping yet, against the frozen-Q control', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?backend=cpu&task=spiral&run=adam&run=fishleg&inspect=2.2');
  await ready(page);
  await page.getByTestId('r2-control').click();
  await expect(page.getByTestId('r3-control-of')).toBeVisible();
  await page.getByTestId('step-100-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('100');
  const sentence = page.getByTestId('inside-q-helping');
  await expect(sentence).toHaveText(
    /^Q is (helping|helping in part|not helping yet): .*its frozen-Q control's \(train loss [\d.e+-]+ vs [\d.e+-]+ at step \d+\), (and|but) FishLeg's step points .* the natural gradient .* \(cos -?\d\.\d\d vs -?\d\.\d\d (over the whole model|on this layer)\)\.$/,
  );
  await expect(sentence).toHaveAttribute('data-verdict', /^(yes|partly|not yet)$/);
  await page.getByTestId('inside-fishleg').screenshot({ path: screenshot('feedback-inside-sentence') });
  expect(errors).toEqual([]);
});
