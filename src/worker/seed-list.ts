/**
 * Which seeds a race trains on: its own seed and the ones after it, `DataSpec.seeds` of them. Plain data, so
 * the page (legends, claims) and the worker (its replicas) read the same list.
 */
import type { DataSpec } from './protocol.ts';

/** The seeds of a race, its own first. */
export function raceSeeds(data: Pick<DataSpec, 'seed' | 'seeds'>): number[] {
  const count = data.seeds ?? 1;
  return Array.from({ length: count }, (_, k) => data.seed + k);
}
