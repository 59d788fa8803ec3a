/**
 * The dataset a race's DataSpec names, loaded the same way wherever a race runs (the worker, the CLI's
 * `--preset`, the benchmarks): a CSV from its text, MNIST from bytes the caller supplies (fetched in the
 * page, read from disk in Node), a toy generated from its size, noise, split and seed.
 */
import { csvDataset, type Dataset, getTask, withFeatures } from '../engine/index.ts';
import type { DataSpec } from './protocol.ts';

/** Thrown for a DataSpec that cannot be loaded as given (a CSV task without its file). */
export class DataSpecError extends Error {
  override readonly name = 'DataSpecError';
}

export function loadDataSpec(spec: DataSpec, mnistBytes: () => Promise<ArrayBuffer | Uint8Array>): Promise<Dataset> {
  if (spec.task === 'csv') {
    if (!spec.csv) return Promise.reject(new DataSpecError('the CSV task needs a file: upload one first'));
    return Promise.resolve(csvDataset({ text: spec.csv.text, name: spec.csv.name }, undefined, { seed: spec.seed }));
  }
  if (spec.task === 'mnist' || spec.task === 'mnist-ae') return getTask(spec.task).load({ mnistBytes });
  const split = spec.testFraction !== undefined ? { testFraction: spec.testFraction } : {};
  const data = getTask(spec.task).load({ n: spec.n, noise: spec.noise, seed: spec.seed, ...split });
  return spec.features ? data.then((d) => withFeatures(d, spec.features!)) : data;
}
