/**
 * WebGPU in Node through Dawn's binding (npm `webgpu`), for the CLI (`--backend webgpu`) and benchmarks.
 * Never imported by browser code (it loads a native addon). On machines without a GPU driver, Dawn
 * runs on SwiftShader's Vulkan ICD, which the Chromium package ships; VK_ICD_FILENAMES selects it.
 * Stability notes (docs/webgpu.md): keep runs short, and destroy the device before the process exits.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { WebGpuUnavailableError } from './errors.ts';

/** SwiftShader's Vulkan driver as installed with Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** The Vulkan loader that Debian's chromium package ships beside it. */
export const CHROMIUM_VULKAN_LOADER = '/usr/lib/chromium/libvulkan.so.1';

/** Options of requestNodeGpu. */
export interface NodeGpuOptions {
  /** Dawn options (`create([...])`), e.g. 'backend=vulkan' or 'enable-dawn-features=...'. */
  readonly dawnOptions?: readonly string[];
  /** Use SwiftShader when no Vulkan ICD is configured (default: when the file exists and VK_ICD_FILENAMES is unset). */
  readonly swiftShaderFallback?: boolean;
}

let gpuInstance: GPU | undefined;

/**
 * Dawn's GPU object (the `navigator.gpu` of Node), created once per process: Dawn keeps one instance
 * alive for the process, and creating several has been seen to crash at exit.
 */
export async function requestNodeGpu(opts: NodeGpuOptions = {}): Promise<GPU> {
  if (gpuInstance) return gpuInstance;
  const env = process.env;
  if (
    (opts.swiftShaderFallback ?? true) &&
    !env.VK_ICD_FILENAMES &&
    !env.VK_DRIVER_FILES &&
    existsSync(SWIFTSHADER_ICD)
  ) {
    // The Vulkan loader reads this when Dawn creates its instance, which happens after this point.
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  preloadVulkanLoader();
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new WebGpuUnavailableError(
      `Dawn's Node binding (npm package 'webgpu') could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  // Dawn's classes (GPUBufferUsage, GPUShaderStage, ...) are globals in browsers; the engine uses them.
  Object.assign(globalThis, mod.globals);
  gpuInstance = mod.create([...(opts.dawnOptions ?? [])]);
  return gpuInstance;
}

/**
 * Dawn dlopen()s "libvulkan.so.1" and finds no adapter when the system has no Vulkan loader (libvulkan1
 * is not installed on these machines, but Chromium ships one). LD_LIBRARY_PATH cannot be changed once
 * the process runs, so load Chromium's copy first, global and never unloaded: the dynamic linker then
 * resolves Dawn's dlopen by soname to the library already in memory. process.dlopen throws because it
 * is not a Node addon, which is expected; a missing or unloadable file just leaves Dawn to its search.
 */
/** glibc's RTLD_NODELETE (os.constants.dlopen does not export it): Node's dlclose after the failed addon
 * registration must not unload the library. */
const RTLD_NODELETE_GLIBC = 0x1000;

function preloadVulkanLoader(): void {
  if (process.platform !== 'linux' || !existsSync(CHROMIUM_VULKAN_LOADER)) return;
  const { RTLD_NOW, RTLD_GLOBAL } = constants.dlopen;
  if (RTLD_NOW === undefined || RTLD_GLOBAL === undefined) return;
  try {
    process.dlopen({ exports: {} }, CHROMIUM_VULKAN_LOADER, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE_GLIBC);
  } catch {
    // "Module did not self-register": the library is loaded all the same.
  }
}

/** A device from Dawn with the adapter's largest buffer limits (see device.ts). The caller destroys it. */
export async function requestNodeGpuDevice(opts: NodeGpuOptions = {}): Promise<GPUDevice> {
  const { requestGpuDevice } = await import('./device.ts');
  return (await requestGpuDevice(await requestNodeGpu(opts))).device;
}
