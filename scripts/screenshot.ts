/**
 * `npm run screenshot -- [--preset spiral] [--seconds 20] [--out docs/screenshot.png]`: opens the built
 * playground (vite preview on a free port) in the system Chromium with WebGPU, clicks a preset, lets it train,
 * and saves a full-page screenshot — the picture in the README, and a quick way to look at the page as a user.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH, WEBGPU_ARGS } from '../e2e/chromium.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'spiral' },
    seconds: { type: 'string', default: '20' },
    out: { type: 'string', default: 'docs/screenshot.png' },
    width: { type: 'string', default: '1280' },
    port: { type: 'string', default: '4181' },
    query: { type: 'string', default: '' },
  },
});

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the preview server did not answer at ${url}`);
}

async function main(): Promise<void> {
  const port = values.port;
  // vite's own entry (not npx) so that kill() stops the server itself.
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--port', port, '--strictPort'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(url, 90_000);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...WEBGPU_ARGS] });
    const page = await browser.newPage({ viewport: { width: Number(values.width), height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`console error: ${m.text()}\n`);
    });
    await page.goto(`${url}${values.query ? `?${values.query}` : ''}`);
    await page.getByTestId(`preset-${values.preset}`).click();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(Number(values.seconds) * 1000);
    await page.screenshot({ path: values.out, fullPage: true });
    await browser.close();
    process.stdout.write(`saved ${values.out}\n`);
  } finally {
    server.kill();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshot failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
