/**
 * What a kernel wrapper produces for one op: a plan of dispatches described as data (shader, entry point,
 * Params values, which tensor goes in which logical slot, pipeline constants, grid). The backend turns a
 * plan into pipelines, uniform buffers and bind groups once at record time (gpu/program.ts), so kernel
 * files stay small, pure and free of GPU plumbing.
 */
import type { Tensor } from '../../tensor.ts';
import type { ShaderName } from '../shaders.ts';
import type { FieldValue } from '../uniforms.ts';

/** One compute dispatch of an op. */
export interface DispatchSpec {
  readonly shader: ShaderName;
  readonly entry: string;
  /** Values of every member of the shader's `Params` struct. */
  readonly params: Readonly<Record<string, FieldValue>>;
  /**
   * The f32 tensors the entry point touches, by logical name: the backend binds each distinct storage in
   * one slot and sets the pipeline constant `<name>_slot` (every name must have that override in the WGSL).
   */
  readonly f32: Readonly<Record<string, Tensor>>;
  /** The u32 tensor (indices, RNG counter), bound at u0. */
  readonly u32?: Tensor;
  /** Whether the dispatch uses the op's scratch buffer. */
  readonly scratch?: boolean;
  /** Other pipeline-overridable constants (activation, layout, workgroup size...). */
  readonly constants?: Readonly<Record<string, number | boolean>>;
  /** Workgroup counts (x, y, z). */
  readonly grid: readonly [number, number, number];
}

/** The dispatches of one op, in order, and the f32 scratch they share (elements; 0 for none). */
export interface OpPlan {
  readonly scratch: number;
  readonly dispatches: readonly DispatchSpec[];
}

/** Invocations per workgroup of the 1-D kernels (the WebGPU default limit, and SwiftShader's maximum). */
export const WG_1D = 256;

/** WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS_PER_DIM = 65535;

/**
 * A grid for `total` invocations in workgroups of `wg`: x up to 65,535 workgroups, the rest wrapping
 * into y (the WGSL side recovers the flat index with flat_index in bindings.wgsl).
 */
export function grid1d(total: number, wg = WG_1D): [number, number, number] {
  const groups = Math.max(1, Math.ceil(total / wg));
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIM);
  return [Math.ceil(groups / y), y, 1];
}
