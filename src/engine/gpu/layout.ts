/**
 * The one bind-group layout every kernel shares (shaders/bindings.wgsl): binding 0 the kernel's uniform
 * Params, 1–5 the f32 storage slots, 6 the u32 slot, 7 the op's scratch. One layout means one pipeline
 * layout for all pipelines, and bind groups are built the same way for every op.
 */

/** Binding index of the uniform Params struct. */
export const PARAMS_BINDING = 0;
/** Binding index of f32 slot 0; slots 0..F32_SLOTS-1 follow. */
export const F32_BINDING = 1;
/** Number of f32 storage slots (f0..f4): the most distinct f32 storages one dispatch can touch. */
export const F32_SLOTS = 5;
/** Binding index of the u32 slot (u0). */
export const U32_BINDING = 6;
/** Binding index of the op-owned scratch buffer. */
export const SCRATCH_BINDING = 7;
/** Storage bindings per dispatch, which must fit maxStorageBuffersPerShaderStage (8 by default). */
export const STORAGE_BINDINGS = F32_SLOTS + 2;

/** Creates the shared bind group layout and the pipeline layout that wraps it. */
export function createSharedLayout(device: GPUDevice): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: PARAMS_BINDING, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
  ];
  for (let b = F32_BINDING; b <= SCRATCH_BINDING; b++) {
    entries.push({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  }
  const group = device.createBindGroupLayout({ label: 'kernels: shared bind group layout', entries });
  const pipeline = device.createPipelineLayout({ label: 'kernels: shared pipeline layout', bindGroupLayouts: [group] });
  return { group, pipeline };
}
