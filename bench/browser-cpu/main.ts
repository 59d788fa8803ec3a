/**
 * Page of `npm run bench:browser-cpu`: runs worker.ts (the CPU backend inside a Web Worker, as the app's
 * training worker does) and exposes its result to the Playwright driver as window.__benchResult.
 */
import type { BrowserBenchResult } from './worker.ts';

const out = document.getElementById('out')!;
const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? '5');
w.onmessage = (e: MessageEvent<BrowserBenchResult | { error: string }>) => {
  (window as Window & { __benchResult?: unknown }).__benchResult = e.data;
  out.textContent = JSON.stringify(e.data, null, 2);
};
w.postMessage({ rounds });
