/**
 * A race on several seeds: every run is trained once per seed, on the same seeds for every run. Seed s
 * seeds the data (toys, the CSV split), the initial weights and the batches exactly as a one-seed race with
 * seed s does, so each replica retraces that race. The seeds are the race's own seed and the ones after it.
 */
import { type Dataset, SETUP } from '../engine/index.ts';
import { loadDataSpec } from './load-data.ts';
import type { DataSpec } from './protocol.ts';
import { raceSeeds } from './seed-list.ts';

export { raceSeeds };

/** At most this many seeds per race (the page's range of the setting). */
export const MAX_SEEDS = SETUP.seeds.page.max;

/** Whether a task's data is the same on every seed (MNIST's fixed split), so one copy serves all of them. */
export function seedFreeData(data: Pick<DataSpec, 'task'>): boolean {
  return data.task === 'mnist' || data.task === 'mnist-ae';
}

/** The dataset of every seed of a race, in the order of raceSeeds (one shared object where the seed does not matter). */
export async function loadSeedData(spec: DataSpec, load: (spec: DataSpec) => Promise<Dataset>): Promise<Dataset[]> {
  const seeds = raceSeeds(spec);
  if (seedFreeData(spec)) {
    const data = await load(spec);
    return seeds.map(() => data);
  }
  const out: Dataset[] = [];
  for (const seed of seeds) out.push(await load({ ...spec, seed }));
  return out;
}

/** loadSeedData with the loader every race uses. */
export function loadRaceData(spec: DataSpec, mnistBytes: () => Promise<ArrayBuffer | Uint8Array>): Promise<Dataset[]> {
  return loadSeedData(spec, (s) => loadDataSpec(s, mnistBytes));
}
