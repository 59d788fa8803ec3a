/**
 * Vitest projects: `node` runs the unit tests in Node; `browser` runs the GPU tests (`*.gpu.test.ts`)
 * in the system Chromium through Playwright, where WebGPU is real (SwiftShader on CPU-only machines).
 * Dawn in Node is not used for CI tests: it is unstable here (docs/webgpu.md).
 * CHROMIUM_PATH points at another Chromium build; the flags are the ones verified in docs/webgpu.md.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          // A hang guard, not a speed bar: the slowest Node test takes ~2 s on an idle 2-core machine.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['src/**/*.gpu.test.ts', 'test/**/*.gpu.test.ts'],
          exclude: ['**/node_modules/**'],
          // SwiftShader compiles each pipeline in ~0.1–1 s and runs matmuls at ~0.3 GFLOP/s.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One page at a time: the machines have 2 cores and every page compiles its own pipelines.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            // Failures are numeric: a screenshot of the blank test page says nothing.
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
                args: chromiumArgs,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
