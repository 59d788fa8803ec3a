/**
 * Node-only MNIST loader (CLI, benchmarks, unit tests): reads public/mnist.bin, building it first with the
 * asset script when it is missing or stale. Kept apart from mnist.ts so that node:fs never reaches the
 * browser bundle.
 */
import { readFileSync } from 'node:fs';
import { buildMnistAsset, DEFAULT_OUT } from '../../../scripts/build-mnist-asset.mjs';
import type { Dataset } from './dataset.ts';
import { mnistDataset, parseMnistAsset, type MnistAsset, type MnistTask } from './mnist.ts';

/** Reads the raw asset bytes from `file` (default public/mnist.bin), building the default file if needed. */
export function readMnistAssetBytes(file: string = DEFAULT_OUT): Uint8Array {
  // The builder is a no-op (two stats) when the file is up to date.
  if (file === DEFAULT_OUT) buildMnistAsset();
  return readFileSync(file);
}

/** Reads and validates the asset. */
export function loadMnistAssetNode(file?: string): MnistAsset {
  return parseMnistAsset(readMnistAssetBytes(file));
}

/** The `mnist` or `mnist-ae` dataset, read from disk. */
export function loadMnistNode(task: MnistTask, file?: string): Dataset {
  return mnistDataset(loadMnistAssetNode(file), task);
}
