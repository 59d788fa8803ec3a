/**
 * Opens the CLI's backend: the CPU reference, or WebGPU through Dawn's Node binding (`webgpu` package).
 */
import type { Backend } from '../engine/backend.ts';
import { CpuBackend } from '../engine/cpu/backend.ts';

export async function openBackend(name: 'cpu' | 'webgpu'): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend({ precision: 'f32' });
  const { requestNodeGpu } = await import('../engine/gpu/node-device.ts');
  const { requestWebGpuBackend } = await import('../engine/gpu/backend.ts');
  return requestWebGpuBackend(await requestNodeGpu());
}
