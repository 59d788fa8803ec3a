/**
 * The input features a 2D toy task may feed its network (TF Playground's set): each computed from a point
 * (x₁, x₂) of the plane, described once here with its label, its name in a link or on the command line, and
 * the NumPy expression the PyTorch export computes it with. The network's input width is the number of
 * features chosen; the plane itself stays the toy's (x₁, x₂), kept beside the features for the task views.
 */
import { printable } from '../printable.ts';
import { DatasetError, type Dataset } from './dataset.ts';

export interface FeatureSpec {
  /** Name in a link, on the command line and in saved state. */
  readonly id: string;
  /** How the page writes it. */
  readonly label: string;
  /** The feature's value at (a, b) = (x₁, x₂). */
  readonly compute: (a: number, b: number) => number;
  /** The same value in NumPy, of arrays `x1` and `x2` (the PyTorch export). */
  readonly numpy: string;
}

export const FEATURES = [
  { id: 'x1', label: 'x₁', compute: (a) => a, numpy: 'x1' },
  { id: 'x2', label: 'x₂', compute: (_a, b) => b, numpy: 'x2' },
  { id: 'x1sq', label: 'x₁²', compute: (a) => a * a, numpy: 'x1 * x1' },
  { id: 'x2sq', label: 'x₂²', compute: (_a, b) => b * b, numpy: 'x2 * x2' },
  { id: 'x1x2', label: 'x₁x₂', compute: (a, b) => a * b, numpy: 'x1 * x2' },
  { id: 'sin1', label: 'sin x₁', compute: (a) => Math.sin(a), numpy: 'np.sin(x1)' },
  { id: 'sin2', label: 'sin x₂', compute: (_a, b) => Math.sin(b), numpy: 'np.sin(x2)' },
] as const satisfies readonly FeatureSpec[];

export type FeatureId = (typeof FEATURES)[number]['id'];
export const FEATURE_IDS: readonly FeatureId[] = FEATURES.map((f) => f.id);
/** The plane itself: what a toy task feeds its network unless told otherwise. */
export const DEFAULT_FEATURES: readonly FeatureId[] = ['x1', 'x2'];

const BY_ID: ReadonlyMap<string, FeatureSpec> = new Map(FEATURES.map((f) => [f.id, f]));

export function isFeatureId(s: string): s is FeatureId {
  return BY_ID.has(s);
}

export function featureSpec(id: FeatureId): FeatureSpec {
  return BY_ID.get(id)!;
}

/** Thrown for a feature list that names no feature, an unknown one, or one twice. */
export class FeatureError extends Error {
  override name = 'FeatureError';
}

/**
 * Parses a comma-separated feature list ('x1,x2,x1sq') into FEATURES' order (so that the same set is always
 * the same network input); throws FeatureError naming what is wrong.
 */
export function parseFeatures(text: string): FeatureId[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new FeatureError(`names no feature: choose from ${FEATURE_IDS.join(', ')}`);
  const seen = new Set<string>();
  for (const p of parts) {
    if (!isFeatureId(p))
      throw new FeatureError(`'${printable(p, 24)}' is not a feature: choose from ${FEATURE_IDS.join(', ')}`);
    if (seen.has(p)) throw new FeatureError(`names '${p}' twice`);
    seen.add(p);
  }
  return FEATURE_IDS.filter((id) => seen.has(id));
}

/** The canonical text of a feature list (parseFeatures' inverse). */
export function formatFeatures(features: readonly FeatureId[]): string {
  return FEATURE_IDS.filter((id) => features.includes(id)).join(',');
}

/** Whether a list is the plane itself (x₁, x₂ in that order): then a dataset needs no mapping. */
export function isPlainPlane(features: readonly FeatureId[]): boolean {
  return features.length === 2 && features[0] === 'x1' && features[1] === 'x2';
}

/** Rows of (x₁, x₂) pairs mapped to the chosen features, n × features.length row-major. */
export function computeFeatures(plane: Float32Array, features: readonly FeatureId[]): Float32Array {
  const specs = features.map(featureSpec);
  const k = specs.length;
  const n = Math.floor(plane.length / 2);
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const a = plane[2 * i]!;
    const b = plane[2 * i + 1]!;
    for (let j = 0; j < k; j++) out[i * k + j] = specs[j]!.compute(a, b);
  }
  return out;
}

/**
 * A 2D dataset whose inputs are the chosen features of its points; `plane` keeps the points themselves. The
 * plain plane (x₁, x₂) returns the dataset as it is.
 */
export function withFeatures(data: Dataset, features: readonly FeatureId[]): Dataset {
  if (isPlainPlane(features)) return data;
  if (data.inputDim !== 2)
    throw new DatasetError(`input features apply to 2D data; ${data.name} has ${data.inputDim} inputs`);
  if (features.length === 0) throw new FeatureError(`names no feature: choose from ${FEATURE_IDS.join(', ')}`);
  if (data.plane) throw new DatasetError(`${data.name} already has features ${data.plane.features.join(', ')}`);
  return {
    ...data,
    inputDim: features.length,
    featureNames: features.map((f) => featureSpec(f).label),
    train: { ...data.train, x: computeFeatures(data.train.x, features) },
    test: { ...data.test, x: computeFeatures(data.test.x, features) },
    plane: { features, train: data.train.x, test: data.test.x },
  };
}
