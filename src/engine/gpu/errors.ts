/**
 * Named errors of the WebGPU backend, each saying what went wrong and what to do about it.
 */

/** No WebGPU here: navigator.gpu is missing or no adapter was found. */
export class WebGpuUnavailableError extends Error {
  override readonly name: string = 'WebGpuUnavailableError';
}

/** The only adapter emulates a GPU on the CPU and the caller asked for a real one ('auto' choice). */
export class SoftwareAdapterError extends WebGpuUnavailableError {
  override readonly name = 'SoftwareAdapterError';
}

/** A WGSL module or compute pipeline failed to compile; the message holds the compiler's and the source lines. */
export class ShaderCompileError extends Error {
  override readonly name = 'ShaderCompileError';
}

/** Misuse of the backend: a freed storage or released program, a foreign tensor, an oversized allocation. */
export class WebGpuBackendError extends Error {
  override readonly name = 'WebGpuBackendError';
}

/** A GPU error reported by the device (validation, out of memory, internal) after work was submitted. */
export class GpuDeviceError extends Error {
  override readonly name = 'GpuDeviceError';
}
