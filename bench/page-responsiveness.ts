/**
 * `npm run bench:page -- [--presets spiral,mnist-ae] [--backends cpu,webgpu] [--seconds 10]`: how well the
 * page's main thread keeps up while a preset trains at full speed, in headless Chromium against the built
 * site (`npm run build` first). For each preset and backend it prints the share of wall time spent in long
 * tasks (≥ 50 ms), animation-frame gap percentiles, and click-to-paint delays of a chart control and of Pause.
 * These are figures for BENCHMARKS.md, not pass/fail tests: the e2e suite only checks that the page answers.
 */
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_PATH, WEBGPU_ARGS } from '../e2e/chromium.ts';
import { withPreviewServer } from '../scripts/preview-server.ts';

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: 'spiral,switch,inverse-fisher,mnist-ae' },
    backends: { type: 'string', default: 'cpu' },
    seconds: { type: 'string', default: '10' },
    port: { type: 'string', default: '4182' },
  },
});

interface Figures {
  readonly longTaskShare: number;
  readonly gaps: number[];
  readonly chartClicks: number[];
  readonly pauseToPaint: number;
  readonly steps: number;
}

type Probe = Window & { __gaps?: number[]; __longMs?: number; __clicks?: number[]; __stop?: boolean };

/** Starts the frame-gap, long-task and click-to-paint probes in the page. */
async function startProbes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as Probe;
    w.__gaps = [];
    w.__longMs = 0;
    w.__clicks = [];
    w.__stop = false;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longMs! += e.duration;
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const tick = (t: number) => {
      w.__gaps!.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    // From the input event's timestamp to the first frame after React re-rendered.
    document.querySelector('[data-testid="log-toggle"]')?.addEventListener('click', (e) => {
      const at = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => w.__clicks!.push(performance.now() - at), 0));
    });
  });
}

/** Click on Pause until the button says Play again and a frame has been painted. */
async function pauseToPaint(page: Page): Promise<number> {
  const done = page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const button = document.querySelector('[data-testid="play-button"]')!;
        button.addEventListener(
          'click',
          (e) => {
            const at = e.timeStamp;
            const check = () => {
              if (button.textContent === 'Play') requestAnimationFrame(() => resolve(performance.now() - at));
              else requestAnimationFrame(check);
            };
            check();
          },
          { once: true },
        );
      }),
  );
  await page.getByTestId('play-button').click();
  return done;
}

async function measure(page: Page, baseUrl: string, preset: string, backend: string, ms: number): Promise<Figures> {
  await page.goto(`${baseUrl}?backend=${backend}&task=xor&hidden=&run=sgd`);
  await page.getByTestId(`preset-${preset}`).click();
  await page.getByTestId('speed-select').selectOption('max');
  // Full speed for the whole window: a preset's step budget would pause it part-way (older pages have none).
  if ((await page.getByTestId('stop-at').count()) > 0) await page.getByTestId('stop-at').fill('');
  await page.getByTestId('play-button').waitFor();
  await page.waitForFunction(
    () => document.querySelector<HTMLButtonElement>('[data-testid="play-button"]')?.disabled === false,
    null,
    { timeout: 300_000 },
  );
  await page.getByTestId('play-button').click();
  await startProbes(page);
  const start = Date.now();
  while (Date.now() - start < ms) {
    await page.waitForTimeout(700);
    await page.getByTestId('log-toggle').click();
  }
  const wall = Date.now() - start;
  const pause = await pauseToPaint(page);
  const probe = await page.evaluate(() => {
    const w = window as Probe;
    w.__stop = true;
    return { gaps: w.__gaps ?? [], longMs: w.__longMs ?? 0, clicks: w.__clicks ?? [] };
  });
  const steps = Number((await page.getByTestId('step-count').textContent()) ?? 'NaN');
  return {
    longTaskShare: probe.longMs / wall,
    gaps: probe.gaps,
    chartClicks: probe.clicks,
    pauseToPaint: pause,
    steps,
  };
}

function quantile(v: number[], p: number): number {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function main(): Promise<void> {
  const presets = values.presets.split(',').filter(Boolean);
  const backends = values.backends.split(',').filter(Boolean);
  const ms = Number(values.seconds) * 1000;
  await withPreviewServer(values.port, async (baseUrl) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...WEBGPU_ARGS] });
    process.stdout.write(
      `| preset | backend | steps in ${values.seconds} s | long tasks % of wall | frame gap p50 / p95 / max ms | chart click-to-paint p50 / max ms | Pause click-to-paint ms |\n|---|---|---|---|---|---|---|\n`,
    );
    for (const backend of backends) {
      for (const preset of presets) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        // tsx keeps function names with an `__name` helper that the page does not have.
        await page.addInitScript({ content: 'window.__name = (f) => f;' });
        try {
          const f = await measure(page, baseUrl, preset, backend, ms);
          const g = (p: number) => quantile(f.gaps, p).toFixed(0);
          process.stdout.write(
            `| ${preset} | ${backend} | ${f.steps} | ${(100 * f.longTaskShare).toFixed(0)} | ${g(0.5)} / ${g(0.95)} / ${g(1)} | ${quantile(f.chartClicks, 0.5).toFixed(0)} / ${quantile(f.chartClicks, 1).toFixed(0)} | ${f.pauseToPaint.toFixed(0)} |\n`,
          );
        } catch (e) {
          process.stdout.write(
            `| ${preset} | ${backend} | failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} |\n`,
          );
        } finally {
          await page.close();
        }
      }
    }
    await browser.close();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:page failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
