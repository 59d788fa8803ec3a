/**
 * Adapter and device acquisition shared by the browser, the worker and Node (Dawn): asks for the
 * adapter's largest storage-buffer limits so that big datasets (MNIST) fit one binding, and turns "no
 * WebGPU" into a WebGpuUnavailableError that says what to do.
 */
import { SoftwareAdapterError, WebGpuUnavailableError } from './errors.ts';

/** A device and the adapter's description. */
export interface GpuDeviceHandle {
  readonly device: GPUDevice;
  readonly info: GPUAdapterInfo;
}

/** Whether the adapter emulates a GPU on the CPU (SwiftShader, CI's WebGPU): kernel choices differ there. */
export function isCpuEmulated(info: GPUAdapterInfo | undefined): boolean {
  if (!info) return false;
  // isFallbackAdapter is the standard flag; older Chromium builds only name SwiftShader in the description.
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return fallback || /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/** A short name for an adapter, e.g. "google swiftshader" or "nvidia hopper". */
export function adapterName(info: GPUAdapterInfo): string {
  return [info.vendor, info.architecture || info.device || info.description].filter(Boolean).join(' ') || 'unnamed';
}

export interface GpuDeviceOptions {
  /**
   * Refuse an adapter that emulates a GPU on the CPU (throws SoftwareAdapterError): there the CPU backend is
   * faster (BENCHMARKS.md), so only a caller that asked for WebGPU by name should get one.
   */
  readonly rejectSoftware?: boolean;
}

/** Requests a high-performance adapter and a device with raised buffer limits from `gpu`. */
export async function requestGpuDevice(gpu: GPU | undefined, opts: GpuDeviceOptions = {}): Promise<GpuDeviceHandle> {
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
  if (opts.rejectSoftware && isCpuEmulated(adapter.info)) {
    throw new SoftwareAdapterError(
      `the only WebGPU adapter here (${adapterName(adapter.info)}) is a software emulation on the CPU, ` +
        'slower than the CPU backend; add ?backend=webgpu to the address to use it anyway.',
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
