/**
 * What a training setup will allocate, estimated from its shapes before anything is allocated, and the
 * check of that estimate against a budget and the backend's per-buffer limit. Without it a typo such as
 * `--batch 1e9` or an auxiliary batch of 1e9 from a link ends in a RangeError from deep inside an
 * allocation (or in minutes of swapping before one). The estimate follows what the engine allocates:
 *   - per run: parameters and gradients; the optimizer's state (SGD momentum; Adam m, v; FishLeg the
 *     momentum, Q·g, v, F·v and r vectors, λ with its gradient, Adam m, v and cache for the approximation,
 *     the Fisher-product workspace for the auxiliary batch and the op lists' scratch); the train workspace
 *     (model/passes.ts Workspace for max(batch, eval chunk) rows, with each layer's scratch such as a conv
 *     layer's patches; the eval chunk shrinks to keep each buffer under the backend's limit);
 *   - once per race: the data, (train + test rows) × (inputDim + outputDim) floats.
 * Everything is float32 (the CPU reference's f64 mode is for gradient checks only).
 */
import type { Backend } from './backend.ts';
import { imageShapeOf, type Dataset } from './data/dataset.ts';
import type { ImageShape } from './layers/types.ts';
import { layerKind } from './layers/registry.ts';
import { paramLayout, type MlpSpec, type ParamLayout } from './model/mlp.ts';
import { specOf, type OptimizerConfig } from './optim/config.ts';

export const BYTES_PER_FLOAT = 4;
/** The trainer's default evaluation chunk (trainer.ts TrainConfig.evalChunk). */
const DEFAULT_EVAL_CHUNK = 500;

/** The data's shape, as far as it is known. */
export interface DataShape {
  readonly trainRows: number;
  readonly testRows: number;
  readonly inputDim: number;
  readonly outputDim: number;
  /** Autoencoders: the targets are the inputs, uploaded once. */
  readonly targetsAreInputs?: boolean;
  /** The inputs' image, for an architecture over images. */
  readonly image?: ImageShape;
}

/** The shape of a data set in memory. */
export function dataShape(data: Dataset): DataShape {
  return {
    trainRows: data.train.n,
    testRows: data.test.n,
    inputDim: data.inputDim,
    outputDim: data.outputDim,
    targetsAreInputs: data.train.y === data.train.x,
    ...(data.image ? { image: imageShapeOf(data)! } : {}),
  };
}

/** A race (or one CLI run): one dataset, one model shape, one optimizer per run. */
export interface TrainingSetup {
  readonly arch: MlpSpec;
  readonly batch: number;
  readonly evalChunk?: number;
  readonly data: DataShape;
  readonly optimizers: readonly OptimizerConfig[];
  /**
   * The backend's largest buffer in bytes (bufferLimit): the evaluation chunk shrinks so that no workspace
   * buffer (a conv layer's patches above all) passes it, as the trainer's does.
   */
  readonly maxBuffer?: number;
}

/** Bytes of one kind of memory, e.g. 'Adam state'; summed over the runs. */
export interface MemoryPart {
  readonly name: string;
  readonly bytes: number;
}

export interface MemoryEstimate {
  readonly total: number;
  /** Largest first. */
  readonly parts: readonly MemoryPart[];
  /** The largest single allocation (WebGPU caps each buffer). */
  readonly largest: MemoryPart;
}

interface Buffer {
  readonly part: string;
  readonly name: string;
  readonly floats: number;
}

/** The buffers of one Workspace of `rows` rows (model/passes.ts). */
function workspaceBuffers(layout: ParamLayout, rows: number, part: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  const L = layout.layers.length;
  const last = layout.layers[L - 1]!;
  const add = (name: string, floats: number) => out.push({ part, name: `${label} ${name}`, floats });
  layout.layers.forEach((layer, l) => {
    const kind = layerKind(layer);
    const stride = kind.inputStride(layer);
    add(`a${l}`, rows * stride);
    add(`s${l}`, rows * layer.m);
    add(`e${l}`, rows * layer.m);
    if (l > 0) add(`da${l}`, rows * stride);
    for (const b of kind.scratch?.(layer, rows) ?? []) add(`${b.name}${l} (${layer.kind} scratch)`, b.size);
  });
  const identity = last.act === 'identity';
  if (!identity) add('mu', rows * last.m);
  add('gout', rows * last.m);
  if (!identity) add('dmu', rows * last.m);
  add('y', rows * last.m);
  add('idx', rows);
  add('nll', rows);
  return out;
}

/**
 * Rows of the trainer's workspace: the batch, or more for evaluation in chunks of up to `evalChunk` rows
 * (no more than the data has), fewer where a workspace buffer of that many rows would pass `maxBuffer` bytes
 * (never fewer than the batch: the estimate then names the buffer that does not fit).
 */
export function workspaceRows(
  layout: ParamLayout,
  batch: number,
  dataRows: number,
  evalChunk = DEFAULT_EVAL_CHUNK,
  maxBuffer = Number.POSITIVE_INFINITY,
): number {
  const perRow = Math.max(...workspaceBuffers(layout, 1, '', '').map((b) => b.floats)) * BYTES_PER_FLOAT;
  const fits = Math.max(1, Math.floor(maxBuffer / perRow));
  return Math.max(batch, Math.min(evalChunk, dataRows, fits));
}

/** The optimizer's state, as its spec lists it (engine/optim/schema.ts stateBuffers). */
function optimizerBuffers(o: OptimizerConfig, layout: ParamLayout, batch: number): readonly Buffer[] {
  const workspace = (rows: number, part: string, label: string) => workspaceBuffers(layout, rows, part, label);
  return specOf(o.kind).stateBuffers(o, { layout, batch, workspace });
}

/** The memory a setup will allocate, by kind, with its largest single buffer. Allocates nothing. */
export function estimateMemory(setup: TrainingSetup): MemoryEstimate {
  const layout = paramLayout(setup.arch);
  const d = setup.data;
  const dataRows = Math.max(d.trainRows, d.testRows);
  const wsRows = workspaceRows(layout, setup.batch, dataRows, setup.evalChunk, setup.maxBuffer);
  const buffers: Buffer[] = [
    { part: 'data', name: 'train inputs', floats: d.trainRows * d.inputDim },
    { part: 'data', name: 'test inputs', floats: d.testRows * d.inputDim },
  ];
  if (!d.targetsAreInputs) {
    buffers.push(
      { part: 'data', name: 'train targets', floats: d.trainRows * d.outputDim },
      { part: 'data', name: 'test targets', floats: d.testRows * d.outputDim },
    );
  }
  for (const o of setup.optimizers) {
    buffers.push(
      { part: 'parameters', name: 'parameters', floats: layout.total },
      { part: 'gradients', name: 'gradients', floats: layout.total },
      ...workspaceBuffers(layout, wsRows, 'workspace', 'workspace'),
      ...optimizerBuffers(o, layout, setup.batch),
    );
  }
  const parts = new Map<string, number>();
  let largest: MemoryPart = { name: 'none', bytes: 0 };
  let total = 0;
  for (const b of buffers) {
    const bytes = b.floats * BYTES_PER_FLOAT;
    total += bytes;
    parts.set(b.part, (parts.get(b.part) ?? 0) + bytes);
    if (bytes > largest.bytes) largest = { name: b.name, bytes };
  }
  const sorted = [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { total, parts: sorted, largest };
}

/** What a setup may use. */
export interface MemoryLimits {
  /** Total bytes. */
  readonly budget: number;
  /** How the user can change the budget or the setup, e.g. 'raise it with --memory-budget'. */
  readonly hint: string;
  /** Largest single buffer in bytes, and the limit's name; absent where there is no such limit. */
  readonly maxBuffer?: { readonly bytes: number; readonly name: string };
}

/** A setup that would not fit; the message names the estimate and the limit. */
export class MemoryBudgetError extends Error {
  override readonly name = 'MemoryBudgetError';
}

/** '3.2 GB', '16 MB', '512 B' (decimal units, two significant digits below 10). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than anyone has';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  const digits = v < 10 ? Number(v.toFixed(1)) : Math.round(v);
  return `${digits} ${units[u]}`;
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Parses '4GB', '512MB', '1.5GiB' or a plain byte count; null when it is not a positive size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[3]!.toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(`${m[1]}e${m[2] ?? '0'}`) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : null;
}

/** Throws MemoryBudgetError when the estimate exceeds the budget or its largest buffer the per-buffer limit. */
export function checkMemory(estimate: MemoryEstimate, limits: MemoryLimits): void {
  if (!(estimate.total <= limits.budget)) {
    const shown = estimate.parts.filter((p) => p.bytes > 0).slice(0, 5);
    const more = estimate.parts.filter((p) => p.bytes > 0).length > shown.length ? ', …' : '';
    const parts = shown.map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ');
    throw new MemoryBudgetError(
      `this setup needs ≈ ${formatBytes(estimate.total)} (${parts}${more}); the memory budget is ${formatBytes(limits.budget)} (${limits.hint})`,
    );
  }
  const max = limits.maxBuffer;
  if (max && estimate.largest.bytes > max.bytes) {
    throw new MemoryBudgetError(
      `this setup's largest buffer, ${estimate.largest.name}, needs ≈ ${formatBytes(estimate.largest.bytes)}; ` +
        `the limit is ${formatBytes(max.bytes)} per buffer (${max.name})`,
    );
  }
}

/** JavaScript typed arrays hold at most 2³² elements (V8), which caps every CPU-backend buffer. */
export const CPU_MAX_BUFFER_BYTES = 2 ** 32 * BYTES_PER_FLOAT;

/** The per-buffer limit of a backend: a WebGPU device's buffer limits, or the typed-array cap on the CPU. */
export function bufferLimit(backend: Backend): { bytes: number; name: string } {
  const limits = (backend as { readonly device?: { readonly limits?: Partial<GPUSupportedLimits> } }).device?.limits;
  if (backend.name === 'webgpu' && limits) {
    const binding = limits.maxStorageBufferBindingSize ?? Number.POSITIVE_INFINITY;
    const buffer = limits.maxBufferSize ?? Number.POSITIVE_INFINITY;
    return binding <= buffer
      ? { bytes: binding, name: "this GPU's maxStorageBufferBindingSize" }
      : { bytes: buffer, name: "this GPU's maxBufferSize" };
  }
  return { bytes: CPU_MAX_BUFFER_BYTES, name: 'the largest JavaScript typed array' };
}
