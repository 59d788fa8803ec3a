/**
 * The data behind the task views and the Inside-FishLeg view, computed in the worker from a run's Trainer:
 * class probabilities on a grid over the plane (2D tasks), reconstructions or predictions of a few fixed
 * test digits (MNIST), and for one layer of a FishLeg run the measures of its step against the exact natural
 * gradient (engine/fishleg/step-measures.ts) with, for small blocks, the materialised Q next to the exact damped
 * inverse Fisher. Each costs readbacks, so the race calls these every few evaluations, never per step.
 */
import {
  labelsOf,
  computeFeatures,
  isFeatureId,
  TOY_TASKS,
  toyTarget,
  type ToyTask,
  type Dataset,
  materializeHostQ,
  denseDampedInverse,
  layerFisher,
  layerFisherColumns,
  layerFisherEigen,
  relativeError,
  stepMeasures,
  wholeStepMeasures,
  exactFisher,
  type Trainer,
  slice,
  kronShape,
  layerInfo,
  layerKind,
} from '../engine/index.ts';
import type { ConvFrame, InsideFrame, InverseComparison, NetworkFrame, TaskFrame, TaskStatic } from './protocol.ts';

/** Cells per side of a decision-boundary grid. */
export const GRID_SIZE = 40;
/** Units drawn per layer in the network view (wider layers show their first ones, and say so). */
export const MAX_NETWORK_UNITS = 8;
/** Test images shown by the MNIST views. */
export const VIEW_IMAGES = 6;
/** Largest layer block m·(n+1) the Inside-FishLeg view materialises (a d² heat map stays readable). */
export const MAX_INSPECT_BLOCK = 400;
/**
 * Largest layer block the measures look at. The exact block costs m R-op passes (layer-fisher.ts), whatever
 * the model's size; what grows is the host work, d² to d³. 1,100 admits the MNIST autoencoder's bottleneck
 * layers (64→16: 1,040 weights; 16→64: 1,088) and no layer of 784 inputs or outputs.
 */
export const MAX_MEASURE_BLOCK = 1100;
/** Training rows the exact Fisher averages over. */
export const FISHER_ROWS = 64;
/**
 * Largest model whose whole exact Fisher is built, for the whole-step comparison: one R-op pass and one
 * readback per parameter (the toys' 354 parameters take ≈ 70 ms on the CPU backend).
 */
export const MAX_FISHER_PARAMS = 600;
/**
 * Largest matrix the frame eigendecomposes: F_l itself (d×d) or its rank-r Gram (r = rows·rank M_i), whichever
 * is smaller. The toys' blocks fit with all 64 rows (softmax with 2 classes adds rank 1 per row). The MNIST
 * autoencoder's Bernoulli output adds rank m per row, so its 64→16 layer gets 256/16 = 16 rows. Measured on the
 * CPU backend (warm, idle): that frame takes ≈ 200 ms (16 R-op passes ≈ 40, λ readback ≈ 55, eigen ≈ 65, measures
 * ≈ 35); 24 rows (r = 384) took ≈ 400 ms and 32 rows ≈ 1.3 s (the eigensolver is cubic), 8 rows ≈ 120 ms.
 */
export const MAX_EIGEN_DIM = 256;

/** The static part of a dataset's task view, sent once per race. */
export function taskStatic(data: Dataset): TaskStatic {
  const plane = data.plane ?? (data.inputDim === 2 ? { train: data.train.x, test: data.test.x } : null);
  if (plane && data.kind === 'classification' && data.numClasses !== undefined) {
    const n = Math.min(data.train.n, 600);
    const t = Math.min(data.test.n, 600);
    return {
      kind: 'points',
      x: plane.train.slice(0, 2 * n),
      labels: labelsOf(data.train.y.subarray(0, n * data.numClasses), data.numClasses),
      classes: data.numClasses,
      testX: plane.test.slice(0, 2 * t),
      testLabels: labelsOf(data.test.y.subarray(0, t * data.numClasses), data.numClasses),
      ...(data.plane ? { features: data.plane.features.filter(isFeatureId) } : {}),
    };
  }
  if (plane && data.kind === 'regression' && data.outputDim === 1 && isToyName(data.name)) {
    const n = Math.min(data.train.n, 600);
    const extent = gridExtent(plane.train);
    const task = data.name;
    const grid = planeGrid(extent);
    const target = new Float32Array(GRID_SIZE * GRID_SIZE);
    for (let i = 0; i < target.length; i++) target[i] = toyTarget(task, grid[2 * i]!, grid[2 * i + 1]!);
    return {
      kind: 'field',
      x: plane.train.slice(0, 2 * n),
      y: data.train.y.slice(0, n),
      size: GRID_SIZE,
      extent,
      target,
      ...(data.plane ? { features: data.plane.features.filter(isFeatureId) } : {}),
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

/** The grid's points, (x₁, x₂) pairs row-major from ymin: GRID_SIZE² of them over `extent`. */
function planeGrid([x0, x1, y0, y1]: readonly [number, number, number, number]): Float32Array {
  const s = GRID_SIZE;
  const input = new Float32Array(2 * s * s);
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      input[2 * (r * s + c)] = x0 + (c * (x1 - x0)) / (s - 1);
      input[2 * (r * s + c) + 1] = y0 + (r * (y1 - y0)) / (s - 1);
    }
  }
  return input;
}

const isToyName = (name: string): name is ToyTask => (TOY_TASKS as readonly string[]).includes(name);

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

/**
 * A run's network view on the grid's inputs: one forward pass that also reads the first MAX_NETWORK_UNITS units of
 * each hidden layer, and the weights between the units drawn (one bounded read per layer).
 */
async function networkOnGrid(
  trainer: Trainer,
  input: Float32Array,
  cells: number,
): Promise<{ mu: Float32Array; network: NetworkFrame }> {
  const layers = trainer.layout.layers;
  const { mu, hidden } = await trainer.activations(input, cells, MAX_NETWORK_UNITS);
  const widths = [layers[0]!.n, ...layers.map((l) => l.m)];
  const shown = widths.map((w) => Math.min(w, MAX_NETWORK_UNITS));
  // The weight from unit c to unit r sits at r·ld + c (a dense W̄ is m×(n+1) row-major): the first shown rows are
  // one contiguous block. A kind without unit-to-unit weights draws no edges.
  const lds = layers.map((l) => layerKind(l).view.unitWeights?.(l).ld ?? 0);
  const blocks = await Promise.all(
    layers.map((l, i) =>
      lds[i]! > 0
        ? trainer.backend.read(slice(trainer.params, l.offset, shown[i + 1]! * lds[i]!))
        : Promise.resolve(null),
    ),
  );
  const weights = layers.map((_, i) => {
    const rows = shown[i + 1]!;
    const cols = shown[i]!;
    const w = new Float32Array(rows * cols);
    const block = blocks[i];
    const ld = lds[i]!;
    if (block) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) w[r * cols + c] = block[r * ld + c]!;
    return w;
  });
  const acts = layers.slice(0, -1).map((l) => l.act);
  return { mu, network: { widths, shown, acts, hidden, weights } };
}

/** A run's task-view frame, or null when the task has no view; `network` adds the network view's data (2D tasks). */
export async function taskFrame(trainer: Trainer, stat: TaskStatic, network = false): Promise<TaskFrame | null> {
  const k = trainer.ws.outDim;
  if (stat.kind === 'field') {
    const input = planeGrid(stat.extent);
    const fed = stat.features ? computeFeatures(input, stat.features) : input;
    const cells = stat.size * stat.size;
    if (network) {
      // The regression output μ is the prediction itself: the one forward pass serves both views.
      const n = await networkOnGrid(trainer, fed, cells);
      const net = stat.features ? { ...n.network, features: stat.features } : n.network;
      return { kind: 'field', size: stat.size, values: n.mu, network: net };
    }
    return { kind: 'field', size: stat.size, values: await trainer.predict(fed, cells) };
  }
  if (stat.kind === 'points') {
    const extent = gridExtent(stat.x);
    const s = GRID_SIZE;
    const input = planeGrid(extent);
    // The grid lies in the plane; the network sees its points' features.
    const fed = stat.features ? computeFeatures(input, stat.features) : input;
    if (network) {
      const n = await networkOnGrid(trainer, fed, s * s);
      const net = stat.features ? { ...n.network, features: stat.features } : n.network;
      return { kind: 'grid', size: s, extent, probs: probabilities(n.mu, k).probs, network: net };
    }
    const mu = await trainer.predict(fed, s * s);
    return { kind: 'grid', size: s, extent, probs: probabilities(mu, k).probs };
  }
  if (stat.kind === 'images') {
    const px = stat.width * stat.height;
    const input = new Float32Array(stat.images.length * px);
    stat.images.forEach((img, i) => input.set(img, i * px));
    const count = stat.images.length;
    const first = trainer.layout.layers[0]!;
    if (trainer.likelihood === 'categorical' && first.image) {
      const { mu, conv } = await convFrame(trainer, input, count);
      const probs = stat.images.map((_, i) => softmaxRows(mu.slice(i * k, (i + 1) * k), k));
      return { kind: 'probs', probs, conv };
    }
    const mu = await trainer.predict(input, count);
    const rows = stat.images.map((_, i) => mu.slice(i * k, (i + 1) * k));
    if (trainer.likelihood === 'categorical') return { kind: 'probs', probs: rows.map((r) => softmaxRows(r, k)) };
    return { kind: 'recon', logits: rows };
  }
  return null;
}

/**
 * An image net's filters and feature maps on `rows` images (`input`, rows × the net's input width): one forward
 * pass through the engine that reads every hidden layer's whole output, and one bounded read of the first
 * layer's weights when they form filters. Also returns the output layer's μ for the same images.
 */
export async function convFrame(
  trainer: Trainer,
  input: Float32Array,
  rows: number,
): Promise<{ mu: Float32Array; conv: ConvFrame }> {
  const layers = trainer.layout.layers;
  const first = layers[0]!;
  if (!first.image)
    throw new RangeError(`the feature-map view needs a net over images; its first layer is ${first.kind}`);
  const widest = Math.max(1, ...layers.slice(0, -1).map((l) => l.m));
  const { mu, hidden } = await trainer.activations(input, rows, widest);
  const conv: ConvFrame = {
    input: first.image.input,
    filters: await filtersOf(trainer),
    layers: hidden.map((h, li) => {
      const l = layers[li]!;
      const view = layerKind(l).view;
      const maps = view.maps?.(l);
      // activations() stores unit-major (unit u's rows at u·rows); a view wants each image's m outputs together.
      const values = Array.from({ length: rows }, (_, r) => {
        const v = new Float32Array(l.m);
        for (let u = 0; u < l.m; u++) v[u] = h[u * rows + r]!;
        return v;
      });
      return { kind: l.kind, label: view.label(l), ...(maps ? { maps } : {}), values };
    }),
  };
  return { mu, conv };
}

/** The first layer's filters, one bounded read of its parameters; null when its weights form no images. */
async function filtersOf(trainer: Trainer): Promise<ConvFrame['filters']> {
  const l = trainer.layout.layers[0]!;
  const f = layerKind(l).view.filters?.(l);
  if (!f) return null;
  const w = await trainer.backend.read(slice(trainer.params, l.offset, f.count * f.ld));
  const plane = f.channels * f.h * f.w;
  const values = new Float32Array(f.count * plane);
  for (let o = 0; o < f.count; o++) values.set(w.subarray(o * f.ld, o * f.ld + plane), o * plane);
  return { count: f.count, channels: f.channels, h: f.h, w: f.w, values };
}

/**
 * Training rows the exact Fisher block averages over: FISHER_ROWS, or fewer when the block's eigendecomposition
 * (of a min(d, rows·rank) square matrix) would pass MAX_EIGEN_DIM.
 */
export function fisherRows(trainer: Trainer, layer: number): number {
  const l = trainer.layout.layers[layer]!;
  const perRow = layerFisherColumns(l, trainer.ws.outDim, trainer.likelihood);
  const all = Math.min(FISHER_ROWS, trainer.trainSplit.n);
  if (Math.min(l.size, all * perRow) <= MAX_EIGEN_DIM) return all;
  return Math.max(1, Math.min(all, Math.floor(MAX_EIGEN_DIM / perRow)));
}

/**
 * The layer the Inside view shows for `index`: clamped to the model, then the nearest layer with parameters
 * after it (else before it), since a pooling layer has no Fisher block.
 */
export function inspectedLayer(layers: readonly { readonly size: number }[], index: number): number {
  const li = Math.min(Math.max(0, index), layers.length - 1);
  for (let j = li; j < layers.length; j++) if (layers[j]!.size > 0) return j;
  for (let j = li - 1; j >= 0; j--) if (layers[j]!.size > 0) return j;
  return li;
}

/** Inside-FishLeg data for layer `index` of a FishLeg run (null when the run is not FishLeg). */
export async function insideFrame(trainer: Trainer, runId: string, index: number): Promise<InsideFrame | null> {
  const fl = trainer.inverseFisher;
  if (!fl) return null;
  const cfg = { damping: fl.damping };
  const layers = trainer.layout.layers;
  const li = inspectedLayer(layers, index);
  const l = layers[li]!;
  const layer = { index: li, ...layerInfo(l) };
  const base = { runId, step: trainer.stepCount, layer, damping: cfg.damping };
  if (l.size > MAX_MEASURE_BLOCK) {
    return {
      ...base,
      q: null,
      fInv: null,
      relError: null,
      note: `layer ${li + 1} has ${l.size} weights; Inside FishLeg looks at layers of at most ${MAX_MEASURE_BLOCK}`,
    };
  }
  const rows = fisherRows(trainer, li);
  const idx = Array.from({ length: rows }, (_, i) => i);
  const eig = layerFisherEigen(await layerFisher(trainer, trainer.trainSplit, idx, li));
  const lambdas = (await fl.hostLambda()).layers;
  const lambda = lambdas[li]!;
  const shape = kronShape(l);
  // The gradient the last step preconditioned (one readback). A layer whose step applies Q in factored form
  // (FishLeg.gradientLayers) only refreshes its part on auxiliary steps; the small layers this view allows never
  // do at the playground's batch sizes.
  const g = Float64Array.from(await trainer.backend.read(trainer.grads));
  const layerMeasures = stepMeasures(eig, lambda, shape, g.subarray(l.offset, l.offset + l.size), cfg.damping);
  const whole =
    layerMeasures && trainer.layout.total <= MAX_FISHER_PARAMS
      ? wholeStepMeasures(
          await exactFisher(trainer, trainer.trainSplit, idx),
          trainer.layout,
          lambdas,
          g,
          cfg.damping,
          li,
        )
      : null;
  const measures = layerMeasures && { ...layerMeasures, whole };
  const extra = { measures, fisherRows: rows };
  if (l.size > MAX_INSPECT_BLOCK) {
    return {
      ...base,
      ...extra,
      q: null,
      fInv: null,
      relError: null,
      note: `layer ${li + 1} has ${l.size} weights: heat maps are drawn for blocks of at most ${MAX_INSPECT_BLOCK}; the measures use the exact Fisher on ${rows} rows`,
    };
  }
  const q = materializeHostQ(lambda, shape);
  const fInv = denseDampedInverse(eig, cfg.damping);
  return { ...base, ...extra, q, fInv, relError: relativeError(q, fInv) };
}

/**
 * Layer `index`'s dense inverse-Fisher block of every run whose optimizer offers one (Optimizer.denseLayerInverse),
 * with its relative error to the exact (F + γI)⁻¹ on that run's own weights (the Fisher rows of insideFrame);
 * only for blocks small enough for heat maps.
 */
export async function inverseComparisons(
  runs: readonly { readonly runId: string; readonly trainer: Trainer }[],
  index: number,
): Promise<InverseComparison[]> {
  const out: InverseComparison[] = [];
  for (const { runId, trainer } of runs) {
    const layers = trainer.layout.layers;
    const li = inspectedLayer(layers, index);
    if (layers[li]!.size > MAX_INSPECT_BLOCK) continue;
    const inv = await trainer.denseLayerInverse(li);
    if (!inv) continue;
    const idx = Array.from({ length: fisherRows(trainer, li) }, (_, i) => i);
    const eig = layerFisherEigen(await layerFisher(trainer, trainer.trainSplit, idx, li));
    const fInv = denseDampedInverse(eig, inv.damping);
    out.push({ runId, ...inv, exact: fInv, relError: relativeError(inv.matrix, fInv) });
  }
  return out;
}
