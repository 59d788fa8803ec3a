/**
 * Serves the built playground (dist/, `vite preview`) on a port for scripts that drive it in Chromium (the
 * README screenshot, the page-responsiveness benchmark), and stops it when the work is done.
 */
import { spawn } from 'node:child_process';

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

/** Runs `work` with the preview server's base URL, then stops the server (also when `work` throws). */
export async function withPreviewServer<T>(port: string, work: (baseUrl: string) => Promise<T>): Promise<T> {
  // vite's own entry (not npx) so that kill() stops the server itself.
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--port', port, '--strictPort'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(url, 90_000);
    return await work(url);
  } finally {
    server.kill();
  }
}
