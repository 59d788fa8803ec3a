/**
 * Adapter and device acquisition shared by the browser, the worker and Node (Dawn): asks for the
 * adapter's largest storage-buffer limits so that big datasets (MNIST) fit one binding, and turns "no
 * WebGPU" into a WebGpuUnavailableError that says what to do.
 */
import { WebGpuUnavailableError } from './errors.ts';

/** A device and the adapter's description. */
export interface GpuDeviceHandle {
  readonly device: GPUDevice;
  readonly info: GPUAdapterInfo;
}

/** Requests a high-performance adapter and a device with raised buffer limits from `gpu`. */
export async function requestGpuDevice(gpu: GPU | undefined): Promise<GpuDeviceHandle> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'WebGPU is not available here (navigator.gpu is undefined): use a browser with WebGPU enabled ' +
        '(Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu), or the CPU backend.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'no WebGPU adapter found (requestAdapter returned null): the GPU may be blocklisted or its driver ' +
        'missing; check chrome://gpu, or use the CPU backend.',
    );
  }
  const { limits } = adapter;
  const device = await adapter.requestDevice({
    label: 'fishleg engine',
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 8),
    },
  });
  return { device, info: adapter.info };
}
