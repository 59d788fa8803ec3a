/**
 * `npm run bench:browser-cpu`: the CPU backend's Adam step in headless Chromium (the page's CPU fallback),
 * on the networks of `npm run bench:tfjs`. Starts a Vite dev server (with the app's COOP/COEP headers,
 * so the page is cross-origin isolated and the matmul gets helper threads), opens
 * bench/browser-cpu/index.html and prints the medians its worker measured.
 */
import { Command } from 'commander';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { BASE_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import type { BrowserBenchResult } from './browser-cpu/worker.ts';
import { fmt } from './timing.ts';

async function main(): Promise<void> {
  const o = new Command('bench:browser-cpu')
    .option('--rounds <n>', 'alternated rounds per network', '5')
    .option('--port <n>', 'dev server port', '5181')
    .parse()
    .opts<{ rounds: string; port: string }>();
  const server = await createServer({ server: { port: Number(o.port), strictPort: true }, logLevel: 'error' });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${o.port}/bench/browser-cpu/index.html?rounds=${o.rounds}`);
    const handle = await page.waitForFunction(
      () => (window as Window & { __benchResult?: unknown }).__benchResult,
      null,
      {
        timeout: 600_000,
        polling: 500,
      },
    );
    const r = (await handle.jsonValue()) as BrowserBenchResult | { error: string };
    if ('error' in r) throw new Error(r.error);
    console.log(`# CPU backend in Chromium (${r.userAgent}), ${new Date().toISOString()}`);
    console.log(
      `crossOriginIsolated ${r.crossOriginIsolated}, hardwareConcurrency ${r.hardwareConcurrency}, ${r.description}, ${r.helpers} helper thread(s) (computed ${r.helpedChunks} row chunks); medians of ${o.rounds} rounds\n`,
    );
    console.log('| network | ours ms | ours 1-thread ms | ours TS-loops ms |\n|---|---|---|---|');
    for (const n of r.nets) {
      console.log(
        `| ${n.name} | ${fmt(n.ms['ours']!, 3)} | ${fmt(n.ms['ours, 1 thread']!, 3)} | ${fmt(n.ms['ours, TS loops']!, 3)} |`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:browser-cpu failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
