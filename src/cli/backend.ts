/**
 * Opens the CLI's backend: the CPU reference, WebGPU through Dawn's Node binding (`webgpu` package), or
 * 'auto': WebGPU when Dawn finds a real GPU, the CPU reference otherwise. On machines without a GPU the
 * only WebGPU adapter is SwiftShader (Vulkan on the CPU), several times slower than the TypeScript backend,
 * so 'auto' does not pick it; `--backend webgpu` still does.
 */
import { existsSync, readdirSync } from 'node:fs';
import { type Backend, CpuBackend } from '../engine/index.ts';
import { loadNodeWebGpu } from '../engine/node.ts';

export type CliBackend = 'auto' | 'cpu' | 'webgpu';

export async function openBackend(name: CliBackend, log: (line: string) => void = () => {}): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend({ precision: 'f32' });
  const { requestNodeGpu, requestWebGpuBackend, isCpuEmulated } = await loadNodeWebGpu();
  if (name === 'webgpu') return requestWebGpuBackend(await requestNodeGpu());
  if (!hasVulkanDriver()) {
    log('backend auto: using the CPU (no Vulkan GPU driver is installed)');
    return new CpuBackend({ precision: 'f32' });
  }
  try {
    const gpu = await requestNodeGpu({ swiftShaderFallback: false });
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    if (isCpuEmulated(adapter.info))
      throw new Error(`the only adapter is ${adapter.info.architecture}, a CPU emulation`);
    return await requestWebGpuBackend(gpu);
  } catch (e) {
    log(`backend auto: using the CPU (${e instanceof Error ? e.message : String(e)})`);
    return new CpuBackend({ precision: 'f32' });
  }
}

/** Whether any Vulkan driver manifest is visible (without one, probing Dawn only prints loader warnings). */
function hasVulkanDriver(): boolean {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return true;
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  return dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}
