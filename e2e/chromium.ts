/**
 * How the end-to-end tests launch Chromium: the system build (or CHROMIUM_PATH) with the flags verified in
 * docs/webgpu.md. Shared by playwright.config.ts and tests that launch a browser of their own.
 */

/** The full Chromium build; the stripped "headless shell" has no WebGPU. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** New headless mode, no sandbox (containers), and no background networking on machines without a network. */
export const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Linux Chromium exposes a WebGPU adapter (SwiftShader without a GPU) only with this flag. */
export const WEBGPU_ARGS = [...BASE_ARGS, '--enable-unsafe-webgpu'] as const;

/**
 * Journeys that really run on WebGPU take this long at most. Where SwiftShader stands in for a GPU, shader
 * compilation alone takes ~20 s of an idle 2-core machine; a loaded one may take twice that, and the timeout is
 * four times the loaded figure (a hang guard, not a speed bar).
 */
export const WEBGPU_JOURNEY_TIMEOUT = 240_000;
