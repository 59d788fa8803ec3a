/**
 * `npm run screenshot -- [--preset spiral] [--seconds 20] [--out docs/screenshot.png] [--width 1280] [--height 800]
 * [--full-page] [--max-height 1700]`: opens the built playground (vite preview) in the system Chromium with WebGPU,
 * clicks a preset, lets it train, and saves the screen (a laptop's 1280×800 by default: the one-screen layout) or,
 * with --full-page, the page down to --max-height — the picture in the README, and a quick way to look at the page
 * as a user.
 */
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH, WEBGPU_ARGS } from '../e2e/chromium.ts';
import { withPreviewServer } from './preview-server.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'spiral' },
    seconds: { type: 'string', default: '20' },
    out: { type: 'string', default: 'docs/screenshot.png' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '800' },
    'full-page': { type: 'boolean', default: false },
    port: { type: 'string', default: '4181' },
    query: { type: 'string', default: '' },
    // With --full-page: the page is long (Inside the optimizer's explanations): keep the top, where the race is.
    'max-height': { type: 'string', default: '1700' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'npm run screenshot -- [--preset spiral] [--seconds 20] [--out docs/screenshot.png] [--width 1280] [--height 800]\n' +
      '  [--full-page] [--max-height 1700] [--port 4181] [--query "backend=cpu"]\n' +
      'Builds nothing: run `npm run build` first. Opens the built page, clicks the preset, trains, saves a PNG.',
  );
  process.exit(0);
}

async function main(): Promise<void> {
  await withPreviewServer(values.port, async (url) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...WEBGPU_ARGS] });
    const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) } });
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`console error: ${m.text()}\n`);
    });
    await page.goto(`${url}${values.query ? `?${values.query}` : ''}`);
    await page.getByTestId(`preset-${values.preset}`).click();
    await page.getByTestId('play-button').click();
    await page.waitForTimeout(Number(values.seconds) * 1000);
    if (values['full-page']) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const clip = { x: 0, y: 0, width: Number(values.width), height: Math.min(height, Number(values['max-height'])) };
      await page.screenshot({ path: values.out, fullPage: true, clip });
    } else {
      await page.screenshot({ path: values.out });
    }
    await browser.close();
    process.stdout.write(`saved ${values.out}\n`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshot failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
