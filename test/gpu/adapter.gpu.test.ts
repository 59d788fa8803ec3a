/**
 * WebGPU must exist in the test browser: a broken setup (wrong flags, headless shell without WebGPU)
 * fails here loudly instead of every GPU test being skipped.
 */
import { describe, expect, it } from 'vitest';

describe('WebGPU in the test browser', () => {
  it('has navigator.gpu, an adapter and a device', async () => {
    expect(navigator.gpu, 'navigator.gpu is missing: launch Chromium with --enable-unsafe-webgpu').toBeDefined();
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter, 'requestAdapter() returned null: no WebGPU adapter').not.toBeNull();
    const device = await adapter!.requestDevice();
    console.log(
      'adapter',
      adapter!.info.vendor,
      adapter!.info.architecture,
      adapter!.limits.maxStorageBufferBindingSize,
    );
    device.destroy();
  });
});
