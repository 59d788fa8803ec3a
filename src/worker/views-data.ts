/**
 * The data behind the task views and the Inside-FishLeg view, computed in the worker from a run's Trainer:
 * class probabilities on a grid over the plane (2D tasks), reconstructions or predictions of a few fixed
 * test digits (MNIST), and FishLeg's materialised Q next to the exact damped inverse Fisher for one small
 * layer. Each costs readbacks, so the race calls these every few evaluations, never per step.
 */
import { labelsOf, type Dataset } from '../engine/data/dataset.ts';
import { relativeError } from '../engine/fishleg/linalg.ts';
import { dampedInverse, exactFisher, fisherBlock, materializeQ } from '../engine/fishleg/views.ts';
import type { Trainer } from '../engine/trainer.ts';
import type { FishLegFrame, TaskFrame, TaskStatic } from './protocol.ts';

/** Cells per side of a decision-boundary grid. */
export const GRID_SIZE = 40;
/** Test images shown by the MNIST views. */
export const VIEW_IMAGES = 6;
/** Largest layer block m·(n+1) the Inside-FishLeg view materialises (a d² heat map stays readable). */
export const MAX_INSPECT_BLOCK = 400;
/** Largest model whose exact Fisher is built: one R-op pass and one readback per parameter. */
export const MAX_FISHER_PARAMS = 600;
/** Training rows the exact Fisher averages over. */
export const FISHER_ROWS = 64;

/** The static part of a dataset's task view, sent once per race. */
export function taskStatic(data: Dataset): TaskStatic {
  if (data.inputDim === 2 && data.kind === 'classification' && data.numClasses !== undefined) {
    const n = Math.min(data.train.n, 600);
    return {
      kind: 'points',
      x: data.train.x.slice(0, 2 * n),
      labels: labelsOf(data.train.y.subarray(0, n * data.numClasses), data.numClasses),
      classes: data.numClasses,
    };
  }
  if (data.image && data.test.n > 0) {
    const { width, height } = data.image;
    const count = Math.min(VIEW_IMAGES, data.test.n);
    const px = width * height;
    // Evenly spread test rows: a fixed, varied set of digits for the whole race.
    const rows = Array.from({ length: count }, (_, i) => Math.floor((i * data.test.n) / count));
    const images = rows.map((r) => data.test.x.slice(r * px, (r + 1) * px));
    const classes = data.numClasses ?? 0;
    const labels =
      data.kind === 'classification' && classes > 0
        ? Uint32Array.from(rows, (r) => labelsOf(data.test.y.subarray(r * classes, (r + 1) * classes), classes)[0]!)
        : undefined;
    return { kind: 'images', width, height, images, classes, ...(labels ? { labels } : {}) };
  }
  return { kind: 'none' };
}

/** The grid's extent: the data's bounding box with a 10 % margin. */
export function gridExtent(x: Float32Array): [number, number, number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < x.length; i += 2) {
    x0 = Math.min(x0, x[i]!);
    x1 = Math.max(x1, x[i]!);
    y0 = Math.min(y0, x[i + 1]!);
    y1 = Math.max(y1, x[i + 1]!);
  }
  if (!(x1 > x0)) [x0, x1] = [-1, 1];
  if (!(y1 > y0)) [y0, y1] = [-1, 1];
  const mx = 0.1 * (x1 - x0);
  const my = 0.1 * (y1 - y0);
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

/** Row-wise softmax of k-wide logits, in place. */
export function softmaxRows(v: Float32Array, k: number): Float32Array {
  for (let r = 0; r < v.length; r += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, v[r + j]!);
    let z = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(v[r + j]! - max);
      v[r + j] = e;
      z += e;
    }
    for (let j = 0; j < k; j++) v[r + j] = v[r + j]! / z;
  }
  return v;
}

/** Class probabilities of a categorical model; a single Bernoulli logit becomes (1 − p, p). */
function probabilities(mu: Float32Array, k: number): { probs: Float32Array; classes: number } {
  if (k === 1) {
    const probs = new Float32Array(2 * mu.length);
    mu.forEach((m, i) => {
      const p = 1 / (1 + Math.exp(-m));
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    });
    return { probs, classes: 2 };
  }
  return { probs: softmaxRows(mu, k), classes: k };
}

/** A run's task-view frame, or null when the task has no view. */
export async function taskFrame(trainer: Trainer, stat: TaskStatic): Promise<TaskFrame | null> {
  const k = trainer.ws.outDim;
  if (stat.kind === 'points') {
    const extent = gridExtent(stat.x);
    const [x0, x1, y0, y1] = extent;
    const s = GRID_SIZE;
    const input = new Float32Array(2 * s * s);
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        input[2 * (r * s + c)] = x0 + (c * (x1 - x0)) / (s - 1);
        input[2 * (r * s + c) + 1] = y0 + (r * (y1 - y0)) / (s - 1);
      }
    }
    const mu = await trainer.predict(input, s * s);
    return { kind: 'grid', size: s, extent, probs: probabilities(mu, k).probs };
  }
  if (stat.kind === 'images') {
    const px = stat.width * stat.height;
    const input = new Float32Array(stat.images.length * px);
    stat.images.forEach((img, i) => input.set(img, i * px));
    const mu = await trainer.predict(input, stat.images.length);
    const rows = stat.images.map((_, i) => mu.slice(i * k, (i + 1) * k));
    if (trainer.likelihood === 'categorical') return { kind: 'probs', probs: rows.map((r) => softmaxRows(r, k)) };
    return { kind: 'recon', logits: rows };
  }
  return null;
}

/** Inside-FishLeg data for layer `index` of a FishLeg run (null when the run is not FishLeg). */
export async function fishlegFrame(trainer: Trainer, runId: string, index: number): Promise<FishLegFrame | null> {
  const fl = trainer.fishleg;
  if (!fl) return null;
  const cfg = fl.config;
  const layers = trainer.layout.layers;
  const l = layers[Math.min(Math.max(0, index), layers.length - 1)]!;
  const layer = { index: Math.min(Math.max(0, index), layers.length - 1), m: l.m, n: l.n };
  const base = { runId, step: trainer.stepCount, layer, damping: cfg.damping };
  if (l.size > MAX_INSPECT_BLOCK) {
    return {
      ...base,
      q: null,
      fInv: null,
      relError: null,
      note: `layer ${layer.index} has ${l.size} weights; the view materialises blocks of at most ${MAX_INSPECT_BLOCK}`,
    };
  }
  const q = await materializeQ(fl, trainer.layout, layer.index);
  if (trainer.layout.total > MAX_FISHER_PARAMS) {
    return {
      ...base,
      q,
      fInv: null,
      relError: null,
      note: `the exact Fisher needs one pass per parameter; shown for models up to ${MAX_FISHER_PARAMS} parameters`,
    };
  }
  const rows = Math.min(FISHER_ROWS, trainer.trainSplit.n);
  const F = await exactFisher(
    trainer,
    trainer.trainSplit,
    Array.from({ length: rows }, (_, i) => i),
  );
  const fInv = dampedInverse(fisherBlock(F, trainer.layout, layer.index), l.size, cfg.damping);
  return { ...base, q, fInv, relError: relativeError(q, fInv) };
}
