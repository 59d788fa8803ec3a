/**
 * Picks the backend at start-up: WebGPU when an adapter exists, the CPU reference otherwise, or the one
 * the caller forces. The GPU module is loaded lazily so CPU-only hosts never touch WebGPU.
 */
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu/backend.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export interface CreateBackendOptions {
  readonly backend?: BackendChoice;
  /** The WebGPU entry point (navigator.gpu in browsers, Dawn's in Node). */
  readonly gpu?: GPU;
  /** Told why 'auto' fell back to the CPU. */
  readonly onFallback?: (reason: string) => void;
}

export async function createBackend(opts: CreateBackendOptions = {}): Promise<Backend> {
  const choice = opts.backend ?? 'auto';
  if (choice === 'cpu') return new CpuBackend({ precision: 'f32' });
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  try {
    if (!gpu) throw new Error('this environment has no WebGPU (navigator.gpu is undefined)');
    const { requestWebGpuBackend } = await import('./gpu/backend.ts');
    return await requestWebGpuBackend(gpu);
  } catch (e) {
    if (choice === 'webgpu') throw e;
    opts.onFallback?.(e instanceof Error ? e.message : String(e));
    return new CpuBackend({ precision: 'f32' });
  }
}
