/**
 * The 2D toy classification tasks of the playground (spiral, circles, xor, gaussian blobs), generated from
 * the counter RNG on Stream.data so that a seed always gives the same points. Inputs lie roughly in
 * [-1, 1]²; row i belongs to class i % classes, so classes are balanced to within one point in each split.
 */
import { oneHot, type Dataset } from './dataset.ts';
import { Rng, Stream } from '../rng.ts';

export type ToyTask = 'spiral' | 'circles' | 'xor' | 'gaussians' | 'plane' | 'bumps';
export const TOY_TASKS = [
  'spiral',
  'circles',
  'xor',
  'gaussians',
  'plane',
  'bumps',
] as const satisfies readonly ToyTask[];
/** The 2D regression toys (TF Playground's "plane" and "multi-gaussian"): one real target per point. */
export const TOY_REGRESSION: readonly ToyTask[] = ['plane', 'bumps'];
export const isRegressionToy = (task: ToyTask): boolean => TOY_REGRESSION.includes(task);

/** Generation settings; every field has a per-task default (TOY_DEFAULTS). */
export interface ToyOptions {
  /** Total points, train + test. */
  n?: number;
  /** Standard deviation of the Gaussian jitter added to each coordinate (gaussians: each blob's spread). */
  noise?: number;
  seed?: number;
  /** Share of the points held out as the test split. */
  testFraction?: number;
  /** Number of classes: spiral arms, circle rings, blobs. xor has exactly 2. */
  classes?: number;
}

export const TOY_DEFAULTS: Readonly<Record<ToyTask, Required<ToyOptions>>> = {
  spiral: { n: 1000, noise: 0.05, seed: 0, testFraction: 0.2, classes: 2 },
  circles: { n: 1000, noise: 0.05, seed: 0, testFraction: 0.2, classes: 2 },
  xor: { n: 1000, noise: 0.05, seed: 0, testFraction: 0.2, classes: 2 },
  gaussians: { n: 1000, noise: 0.15, seed: 0, testFraction: 0.2, classes: 3 },
  // Regression: `classes` is the one target; noise jitters the target, not the point.
  plane: { n: 1000, noise: 0.05, seed: 0, testFraction: 0.2, classes: 1 },
  bumps: { n: 1000, noise: 0.05, seed: 0, testFraction: 0.2, classes: 1 },
};

/**
 * Most points a toy task generates: a million 2D points train in seconds per epoch on the CPU, while 1e8
 * would take gigabytes and minutes before the first step (a typo, not an experiment).
 */
export const TOY_MAX_POINTS = 1_000_000;

/**
 * Largest noise level: the points lie in [-1, 1]², so a thousand times that is long past telling the classes
 * apart, while 1e38 would push coordinates beyond float32 (∞, then a NaN loss from the first evaluation).
 */
export const TOY_MAX_NOISE = 1000;

/** Thrown for options a toy task cannot honour. */
export class ToyError extends Error {
  override name = 'ToyError';
}

/** Spiral arms turn 1.75 times (as in TF Playground) from the origin out to radius 1. */
const SPIRAL_TURNS = 1.75;
/** Radial gap between circle rings, as a share of one ring's band. */
const RING_GAP = 0.15;
/** xor keeps points this far from the axes, so the quadrant (and hence the class) is unambiguous. */
const XOR_MARGIN = 0.1;
/** Radius of the circle on which the gaussian blob centres sit. */
const BLOB_RADIUS = 0.6;

/** Centre of blob c of k (gaussians), first one on the upper-right diagonal. */
export function blobCentre(c: number, k: number): [number, number] {
  const a = Math.PI / 4 + (2 * Math.PI * c) / k;
  return [BLOB_RADIUS * Math.cos(a), BLOB_RADIUS * Math.sin(a)];
}

/** The bumps: centre and sign of each Gaussian, and their common width. */
const BUMPS: readonly (readonly [number, number, number])[] = [
  [-0.5, 0.5, 1],
  [0.5, 0.5, -1],
  [-0.5, -0.5, -1],
  [0.5, -0.5, 1],
  [0, 0, 0.6],
];
const BUMP_WIDTH = 0.3;

/** The noise-free target of a regression toy at (a, b): the views draw it over the plane. */
export function toyTarget(task: ToyTask, a: number, b: number): number {
  if (task === 'plane') return (a + b) / 2;
  if (task === 'bumps') {
    let v = 0;
    for (const [cx, cy, s] of BUMPS) v += s * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * BUMP_WIDTH ** 2));
    return v;
  }
  throw new ToyError(`${task} is not a regression task`);
}

function check(task: ToyTask, o: Required<ToyOptions>): void {
  if (isRegressionToy(task)) {
    if (o.classes !== 1) throw new ToyError(`${task} has one real target, not classes (got classes = ${o.classes})`);
  } else if (!Number.isInteger(o.classes) || o.classes < 2 || o.classes > 16) {
    throw new ToyError(`${task}: classes must be an integer from 2 to 16, got ${o.classes}`);
  }
  if (task === 'xor' && o.classes !== 2) throw new ToyError(`xor has exactly 2 classes, got classes = ${o.classes}`);
  if (!Number.isInteger(o.n) || o.n < 2 * o.classes) {
    throw new ToyError(`${task}: n must be an integer ≥ 2 × classes = ${2 * o.classes}, got ${o.n}`);
  }
  if (o.n > TOY_MAX_POINTS) throw new ToyError(`${task}: n must be at most ${TOY_MAX_POINTS} points, got ${o.n}`);
  if (!(o.noise >= 0 && o.noise <= TOY_MAX_NOISE)) {
    throw new ToyError(`${task}: noise must be from 0 to ${TOY_MAX_NOISE}, got ${o.noise}`);
  }
  if (!(o.testFraction >= 0 && o.testFraction < 1)) {
    throw new ToyError(`${task}: testFraction must be in [0, 1), got ${o.testFraction}`);
  }
  if (!Number.isInteger(o.seed)) throw new ToyError(`${task}: seed must be an integer, got ${o.seed}`);
}

/** One noise-free point of class c of k. */
function point(task: ToyTask, c: number, k: number, rng: Rng): [number, number] {
  switch (task) {
    case 'spiral': {
      const r = rng.uniform();
      const a = 2 * Math.PI * (SPIRAL_TURNS * r + c / k);
      return [r * Math.sin(a), r * Math.cos(a)];
    }
    case 'circles': {
      // Ring c spans radii [(c + gap) / k, (c + 1 - gap) / k]; the innermost ring is a full disc.
      const lo = c === 0 ? 0 : (c + RING_GAP) / k;
      const hi = (c + 1 - RING_GAP) / k;
      const r = lo + (hi - lo) * rng.uniform();
      const a = 2 * Math.PI * rng.uniform();
      return [r * Math.cos(a), r * Math.sin(a)];
    }
    case 'xor': {
      // Class 0: the (+,+) and (−,−) quadrants; class 1: (+,−) and (−,+).
      const sx = rng.uniform() < 0.5 ? -1 : 1;
      const sy = c === 0 ? sx : -sx;
      const ax = XOR_MARGIN + (1 - XOR_MARGIN) * rng.uniform();
      const ay = XOR_MARGIN + (1 - XOR_MARGIN) * rng.uniform();
      return [sx * ax, sy * ay];
    }
    case 'gaussians':
      return blobCentre(c, k);
    case 'plane':
    case 'bumps':
      return [2 * rng.uniform() - 1, 2 * rng.uniform() - 1];
    default:
      return task satisfies never;
  }
}

/** Generates a toy dataset; the same options (seed included) always give bit-identical arrays. */
export function toyDataset(task: ToyTask, options: ToyOptions = {}): Dataset {
  const o: Required<ToyOptions> = { ...TOY_DEFAULTS[task], ...stripUndefined(options) };
  check(task, o);
  if (isRegressionToy(task)) return regressionToy(task, o);
  const k = o.classes;
  const rng = new Rng(o.seed, Stream.data);
  const x = new Float32Array(2 * o.n);
  const labels = new Uint32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const c = i % k;
    const [px, py] = point(task, c, k, rng);
    x[2 * i] = px + (o.noise > 0 ? o.noise * rng.normal() : 0);
    x[2 * i + 1] = py + (o.noise > 0 ? o.noise * rng.normal() : 0);
    labels[i] = c;
  }
  const y = oneHot(labels, k);
  // Points are independent given their class and classes interleave, so the tail is a fair test split.
  const nTest = Math.round(o.n * o.testFraction);
  const nTrain = o.n - nTest;
  return {
    name: task,
    inputDim: 2,
    outputDim: k,
    kind: 'classification',
    numClasses: k,
    featureNames: ['x1', 'x2'],
    train: { x: x.slice(0, 2 * nTrain), y: y.slice(0, k * nTrain), n: nTrain },
    test: { x: x.slice(2 * nTrain), y: y.slice(k * nTrain), n: nTest },
  };
}

/** A regression toy: points uniform in [-1, 1]², targets the task's function plus Gaussian noise. */
function regressionToy(task: ToyTask, o: Required<ToyOptions>): Dataset {
  const rng = new Rng(o.seed, Stream.data);
  const x = new Float32Array(2 * o.n);
  const y = new Float32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const [a, b] = point(task, 0, 1, rng);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = toyTarget(task, a, b) + (o.noise > 0 ? o.noise * rng.normal() : 0);
  }
  // Points are independent and identically drawn, so the tail is a fair test split.
  const nTest = Math.round(o.n * o.testFraction);
  const nTrain = o.n - nTest;
  return {
    name: task,
    inputDim: 2,
    outputDim: 1,
    kind: 'regression',
    featureNames: ['x1', 'x2'],
    targetNames: ['y'],
    train: { x: x.slice(0, 2 * nTrain), y: y.slice(0, nTrain), n: nTrain },
    test: { x: x.slice(2 * nTrain), y: y.slice(nTrain), n: nTest },
  };
}

function stripUndefined(o: ToyOptions): ToyOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
