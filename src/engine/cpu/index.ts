/**
 * The CPU reference backend's public entry point.
 */
export { CpuBackend, CpuBackendError, type CpuBackendOptions } from './backend.ts';
export { GatherIndexError } from './gather.ts';
export { PoolIndexError } from './pool.ts';
