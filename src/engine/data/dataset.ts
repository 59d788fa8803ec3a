/**
 * The in-memory dataset every task produces (MNIST, the 2D toys, user CSV files): dense row-major float32
 * inputs and targets, already split into train and test. Trainers sample batches from `train` by index
 * (sampler.ts) and evaluate on both splits in chunks.
 */
import type { ImageShape } from '../layers/types.ts';

/** What the targets are, which picks the default likelihood (tasks.ts `likelihoodFor`). */
export type DatasetKind = 'classification' | 'regression' | 'autoencoder';

/** One split: n rows of x (n × inputDim) and y (n × outputDim), contiguous and row-major. */
export interface Split {
  readonly x: Float32Array;
  /** Targets; for an autoencoder this is the same array as x (no copy): treat both as read-only. */
  readonly y: Float32Array;
  readonly n: number;
}

/** A task's data: dimensions, kind and both splits. */
export interface Dataset {
  readonly name: string;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly kind: DatasetKind;
  /** Classification only: y rows are one-hot over this many classes (outputDim === numClasses). */
  readonly numClasses?: number;
  /** Inputs that are images (MNIST): lets views draw rows of x and of the model's output as pictures. */
  readonly image?: { readonly width: number; readonly height: number };
  /** Column names, when the data came with them (CSV). */
  readonly featureNames?: readonly string[];
  readonly targetNames?: readonly string[];
  /**
   * A 2D task fed through input features (features.ts): the feature ids in input order and each split's
   * (x₁, x₂) rows, which the views draw over. Absent when the inputs are the plane itself.
   */
  readonly plane?: PlaneInputs;
  readonly train: Split;
  readonly test: Split;
}

/** A dataset's images as the architecture grammar writes them (h×w×c, one channel for MNIST and bars). */
export function imageShapeOf(data: Pick<Dataset, 'image' | 'inputDim'>): ImageShape | undefined {
  const im = data.image;
  if (!im) return undefined;
  return { h: im.height, w: im.width, c: Math.max(1, Math.round(data.inputDim / (im.width * im.height))) };
}

/** The plane behind a featured 2D dataset; `features` are ids of features.ts' FEATURES. */
export interface PlaneInputs {
  readonly features: readonly string[];
  readonly train: Float32Array;
  readonly test: Float32Array;
}

/** Thrown when arrays handed to `makeSplit` do not match the dimensions they claim. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Builds a split after checking that x and y hold exactly n rows of the given widths. */
export function makeSplit(x: Float32Array, y: Float32Array, n: number, inputDim: number, outputDim: number): Split {
  if (!Number.isInteger(n) || n < 0) throw new DatasetError(`split size must be a non-negative integer, got ${n}`);
  if (x.length !== n * inputDim) {
    throw new DatasetError(`x holds ${x.length} values, expected ${n} rows × ${inputDim} = ${n * inputDim}`);
  }
  if (y.length !== n * outputDim) {
    throw new DatasetError(`y holds ${y.length} values, expected ${n} rows × ${outputDim} = ${n * outputDim}`);
  }
  return { x, y, n };
}

/** One-hot rows: out[i, labels[i]] = 1, numClasses wide. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new DatasetError(`label ${c} at row ${i} is not a class in 0..${numClasses - 1}`);
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}

/** The class of each one-hot row (argmax), e.g. for accuracy and for colouring toy-task plots. */
export function labelsOf(y: Float32Array, numClasses: number): Uint32Array {
  const n = y.length / numClasses;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (y[i * numClasses + c]! > y[i * numClasses + best]!) best = c;
    out[i] = best;
  }
  return out;
}
