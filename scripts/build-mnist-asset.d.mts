// Types for scripts/build-mnist-asset.mjs, so that the Node loader (src/engine/data/mnist-node.ts) can call
// its builder under strict TypeScript. Keep in step with the script.

export const MAGIC: 'MNST';
export const VERSION: 1;
export const NUM_CLASSES: 10;
export const PIXELS: 784;
export const TABLE_SIZE: 256;
export const HEADER_BYTES: number;
/** `<repo>/public/mnist.bin`. */
export const DEFAULT_OUT: string;
/** The folder holding `0.json` … `9.json` of the installed `mnist` package. */
export function defaultDigitsDir(): string;
/** Builds the asset unless it is newer than every input; `written` says whether it did. */
export function buildMnistAsset(options?: { digitsDir?: string; outFile?: string; force?: boolean }): {
  outFile: string;
  written: boolean;
  counts: number[];
  bytes: number;
};
