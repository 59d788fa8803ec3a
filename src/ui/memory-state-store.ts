/** For tests: an in-memory StateStore that clones like IndexedDB does, with the stored record in view. */
import type { StateRecord, StateStore } from './saved-state.ts';

export function memoryStateStore(): StateStore & { readonly record: () => StateRecord | undefined } {
  let value: StateRecord | undefined;
  return {
    record: () => value,
    get: () => Promise.resolve(structuredClone(value)),
    put: (r) => {
      value = structuredClone(r);
      return Promise.resolve();
    },
    clear: () => {
      value = undefined;
      return Promise.resolve();
    },
  };
}
