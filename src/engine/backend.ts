/**
 * The interface both backends implement: memory, host↔device transfers, and recorded op lists.
 * An op list is recorded once (GPU: pipelines, uniforms and bind groups made up front) and run many
 * times; `run` takes several programs and submits them as one command encoder.
 */
import type { Op } from './ops.ts';
import type { DType, Tensor } from './tensor.ts';

export type BackendName = 'cpu' | 'webgpu';

/** A recorded, validated op list. Opaque to callers. */
export interface Program {
  readonly label: string;
  readonly ops: readonly Op[];
}

export interface Backend {
  readonly name: BackendName;
  /** 'f64' only on the CPU reference (gradient checks). */
  readonly precision: 'f32' | 'f64';
  /** Human-readable adapter or machine description. */
  readonly description: string;

  /** A zero-initialised allocation. Labels appear in errors and GPU debugging tools. */
  alloc(size: number, label: string, dtype?: DType): Tensor;
  /** Frees the storage behind a tensor (all views of it become invalid). */
  free(t: Tensor): void;
  /** Number of storages allocated and not yet freed (leak tests). */
  liveStorages(): number;

  /** Host → device copy into a view (queued in order with later runs). */
  write(t: Tensor, data: ArrayLike<number>, offset?: number): void;
  /** Device → host copy of a view, after all work submitted so far. */
  read(t: Tensor): Promise<Float32Array | Float64Array | Uint32Array>;

  /** Validates and prepares an op list for repeated execution. */
  record(label: string, ops: readonly Op[]): Program;
  /** Executes programs in order: one command encoder and one submit on the GPU. */
  run(...programs: readonly Program[]): void;
  /** Frees what a program holds (uniform buffers, bind groups). */
  release(p: Program): void;
  /** Resolves when all submitted work has finished. */
  sync(): Promise<void>;
  /**
   * Kernels the backend has built of those recorded programs need, where building takes noticeable time
   * (WebGPU pipelines compile asynchronously); absent where there is nothing to build (CPU).
   */
  compileProgress?(): { readonly done: number; readonly total: number };
  /** Frees everything, including storages still alive. */
  dispose(): void;
}

/** Thrown for an op whose shapes or views do not fit its tensors. */
export class OpValidationError extends Error {
  override readonly name = 'OpValidationError';
}
