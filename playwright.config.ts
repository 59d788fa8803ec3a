/**
 * Playwright end-to-end config: the built playground (vite preview on 127.0.0.1:4173) in the system
 * Chromium with WebGPU enabled (docs/webgpu.md). `npx playwright install` cannot download browsers on these
 * machines, so point CHROMIUM_PATH at another full Chromium/Chrome build when /usr/bin/chromium is absent.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, WEBGPU_ARGS } from './e2e/chromium.ts';

const CI = Boolean(process.env.CI);
// Another port for a second checkout's journeys on the same machine (reuseExistingServer would test its build).
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // SwiftShader runs WebGPU on the CPU: slow, and two browsers at once would compete for two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  // Hang guards: journeys wait on training, which a loaded 2-core machine may slow several times over.
  expect: { timeout: 120_000 },
  forbidOnly: CI,
  retries: 0,
  reporter: CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        headless: true,
        launchOptions: { executablePath: CHROMIUM_PATH, args: [...WEBGPU_ARGS] },
      },
    },
  ],
  webServer: {
    // `npm test` and `npm run test:e2e` build first; this only serves dist/.
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !CI,
    timeout: 60_000,
  },
});
