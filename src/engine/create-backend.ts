/**
 * Picks the backend at start-up: WebGPU when a hardware adapter exists, the CPU reference otherwise (no
 * WebGPU, no adapter, or only a software one such as SwiftShader, which the CPU backend outruns), or the one
 * the caller forces. The GPU module is loaded lazily so CPU-only hosts never touch WebGPU.
 */
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu/backend.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

/** Why 'auto' chose the CPU: WebGPU is missing or failed, or its only adapter is a CPU emulation. */
export type FallbackKind = 'unavailable' | 'software';

export interface CreateBackendOptions {
  readonly backend?: BackendChoice;
  /** The WebGPU entry point (navigator.gpu in browsers, Dawn's in Node). */
  readonly gpu?: GPU;
  /** Told why 'auto' chose the CPU: no usable WebGPU, or only a software adapter. */
  readonly onFallback?: (reason: string, kind: FallbackKind) => void;
}

export async function createBackend(opts: CreateBackendOptions = {}): Promise<Backend> {
  const choice = opts.backend ?? 'auto';
  if (choice === 'cpu') return new CpuBackend({ precision: 'f32' });
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  try {
    if (!gpu) throw new Error('this environment has no WebGPU (navigator.gpu is undefined)');
    const { requestWebGpuBackend } = await import('./gpu/backend.ts');
    return await requestWebGpuBackend(gpu, { rejectSoftware: choice === 'auto' });
  } catch (e) {
    if (choice === 'webgpu') throw e;
    const software = e instanceof Error && e.name === 'SoftwareAdapterError';
    opts.onFallback?.(e instanceof Error ? e.message : String(e), software ? 'software' : 'unavailable');
    return new CpuBackend({ precision: 'f32' });
  }
}
