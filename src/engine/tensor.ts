/**
 * Device-agnostic handles to memory. A Storage is one allocation on a backend (a GPUBuffer or a typed
 * array); a Tensor is a view (element offset + size) into one. Ops address views, and kernels receive the
 * offset as a parameter, so flat parameter buffers can be sliced per layer without binding-offset
 * alignment rules.
 */

export type DType = 'f32' | 'u32';

export interface Storage {
  readonly id: number;
  readonly size: number;
  readonly dtype: DType;
  readonly label: string;
}

export interface Tensor {
  readonly storage: Storage;
  /** Offset in elements from the start of the storage. */
  readonly offset: number;
  readonly size: number;
}

/** A sub-view of a tensor; throws if it would reach past the parent. */
export function slice(t: Tensor, offset: number, size: number): Tensor {
  if (!Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size < 0 || offset + size > t.size) {
    throw new RangeError(`slice [${offset}, ${offset + size}) is outside ${t.storage.label} view of size ${t.size}`);
  }
  return { storage: t.storage, offset: t.offset + offset, size };
}

/** A view of the whole storage. */
export function whole(s: Storage): Tensor {
  return { storage: s, offset: 0, size: s.size };
}
