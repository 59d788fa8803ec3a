/**
 * The playground's whole state as one serialisable config (backend, data, model, runs with their optimizers
 * and colours, Inside-FishLeg target, chart settings, speed), its defaults, and its compact round trip
 * through the URL query string. Everything read from a URL is validated: an unknown or out-of-range value
 * falls back to its default with a warning; values are only ever used as data, never as HTML or code.
 */
import {
  TOY_DEFAULTS,
  TOY_TASKS,
  type ToyTask,
  archOfHidden,
  isRegressionToy,
  modelRefusal,
  paramCount,
  parseArch,
  readsImages,
  TASKS,
  BARS_DEFAULTS,
  MNIST_CLASSES,
  MNIST_PIXELS,
  SCALED_REGRESSION_DEFAULTS,
  TASK_NAMES,
  DEFAULT_FEATURES,
  formatFeatures,
  parseFeatures,
  estimateMemory,
  formatBytes,
  type DataShape,
  type FeatureId,
  LIKELIHOODS,
  inSetupRange,
  rangeText,
  SETUP,
  FEATURES_SETTING,
  type SetupSetting,
  defaultFishLeg,
  defaultOptimizer,
  fishLegLearnsQ,
  hasInverseFisher,
  isOptimizerKind,
  OPTIMIZER_KINDS,
  OPTIMIZER_LABELS,
  settingsOfKind,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
  type FishLegConfig,
  type KeyedSetting,
} from '../engine/page.ts';
import { runColour } from './colours.ts';
import { clip, fieldRejection, hiddenRule, settingProblem, unknownKeyNotice } from './link-notices.ts';
import { decodeMarker, encodeMarker, tunedMarker } from './tuned-marker.ts';
import type {
  BackendChoice,
  DataSpec,
  InspectSpec,
  ModelSpec,
  RunSpec,
  Speed,
  TaskChoice,
} from '../worker/protocol.ts';

export interface ChartSettings {
  readonly x: 'step' | 'seconds';
  readonly log: boolean;
  /** Which quantity the main chart plots. */
  readonly metric: ChartMetric;
}

export const CHART_METRICS = ['loss', 'accuracy', 'aux', 'ms'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];

/** Everything the page shows and trains, as plain data. CSV text is not part of it (it is too big for a URL). */
export interface PlaygroundConfig {
  readonly backend: BackendChoice;
  readonly data: Omit<DataSpec, 'csv'> & {
    /** Task 'csv': the name of the file the setup was made with (a link carries the name, never the data). */
    readonly file?: string;
  };
  readonly model: ModelSpec;
  readonly runs: readonly RunSpec[];
  readonly inspect: InspectSpec;
  readonly chart: ChartSettings;
  readonly speed: Speed;
  /** Play pauses by itself at this step (a preset's step budget; null = no budget). */
  readonly stopAt: number | null;
}

export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const satisfies readonly BackendChoice[];
export const TASK_CHOICES = [...TASK_NAMES, 'csv'] as const satisfies readonly TaskChoice[];
export const SPEEDS = [null, 2000, 500, 100, 20, 5] as const;
/** Most runs in one race (each is a full model on the device). */
export const MAX_RUNS = 6;
/** Largest step budget a link may set. */
export const MAX_STOP_AT = 10_000_000;
/** Longest query string read: anything longer is cut, with a warning. */
export const MAX_SEARCH_LENGTH = 4000;

export const TASK_LABELS: Readonly<Record<TaskChoice, string>> = {
  spiral: 'Spiral',
  circles: 'Circles',
  xor: 'XOR',
  gaussians: 'Gaussian blobs',
  plane: 'Plane (regression)',
  bumps: 'Gaussian bumps (regression)',
  bars: 'Bars and stripes (8×8 images)',
  mnist: 'MNIST digits (classification)',
  'mnist-ae': 'MNIST autoencoder',
  'scaled-regression': 'Badly scaled regression (κ = 10⁴)',
  csv: 'Your CSV file',
};

/** Each optimizer's name, from its spec (engine/optim/config.ts). */
export { OPTIMIZER_LABELS };

/** Learning rates that train the toy tasks in a few hundred steps (others keep their spec's default). */
const TOY_LR: Readonly<Partial<Record<OptimizerKind, number>>> = { sgd: 0.1, adam: 0.01, adamw: 0.01, fishleg: 0.1 };

/** An optimizer with the playground's default learning rate for toys (or the one given). */
export function optimizerFor(
  kind: OptimizerKind,
  lr: number = TOY_LR[kind] ?? defaultOptimizer(kind).lr,
): OptimizerConfig {
  return { ...defaultOptimizer(kind), lr };
}

/** The data settings of a task with the playground's small, fast defaults. */
export function dataFor(task: TaskChoice, seed = 1): Omit<DataSpec, 'csv'> {
  const toy = (TOY_TASKS as readonly string[]).includes(task) ? TOY_DEFAULTS[task as ToyTask] : null;
  if (task === 'bars') return { task, n: BARS_DEFAULTS.n, noise: BARS_DEFAULTS.noise, seed };
  return { task, n: toy ? 400 : 0, noise: toy?.noise ?? 0, seed };
}

/** The default hidden layers of a task (tiny: the playground must stay fast on SwiftShader and CPUs). */
export function hiddenFor(task: TaskChoice): string {
  if (task === 'mnist-ae') return '64r-16-64r';
  if (task === 'mnist') return '64r';
  if (task === 'csv') return '16t';
  // A deep linear network: its Fisher is exactly Kronecker-factored, its loss as badly conditioned as its inputs.
  if (task === 'scaled-regression') return '16-16';
  if (task === 'bars') return 'c4k3p1r-mp2-f';
  return '16t-16t';
}

export function modelFor(task: TaskChoice): ModelSpec {
  const mnist = task === 'mnist' || task === 'mnist-ae';
  const wide = mnist || task === 'scaled-regression';
  return { hidden: hiddenFor(task), likelihood: 'auto', batch: wide ? 100 : 32, evalEvery: mnist ? 50 : 20 };
}

/** A new run's name: its optimizer's label, numbered from the second run of that optimizer on ("FishLeg 2"). */
function runName(kind: OptimizerKind, existing: readonly RunSpec[]): string {
  const same = existing.filter((r) => r.optimizer.kind === kind).length;
  return same > 0 ? `${OPTIMIZER_LABELS[kind]} ${same + 1}` : OPTIMIZER_LABELS[kind];
}

/** A run with a fresh id, its optimizer's colour (colours.ts: a shade when the kind is taken) and name. */
export function newRun(kind: OptimizerKind, existing: readonly RunSpec[], optimizer = optimizerFor(kind)): RunSpec {
  const ids = new Set(existing.map((r) => r.id));
  let i = existing.length + 1;
  while (ids.has(`r${i}`)) i++;
  const colour = runColour(
    kind,
    existing.map((r) => r.colour),
  );
  return { id: `r${i}`, name: runName(kind, existing), colour, optimizer };
}

/** Runs from a list of optimizers, ids r1…, colours by optimizer. */
export function runsFor(optimizers: readonly OptimizerConfig[]): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const o of optimizers) runs.push(newRun(o.kind, runs, o));
  return runs;
}

export const DEFAULT_CHART: ChartSettings = { x: 'step', log: true, metric: 'loss' };

/**
 * Spiral: the sweep (`npx tsx bench/preset-sweep.ts --preset spiral --steps 3000 --seeds 1,2,3 --adam-lr 0.02,0.03,0.05,0.1
 * --lr 0.2,0.5,1 --aux-lr 0.01,0.03 --aux-every 1,3 --damping 0.03,0.1,0.3`) found no FishLeg setting that
 * beats Adam at its best rate on all three seeds: mean train loss over steps 2,300–3,000, seeds 1/2/3,
 *   Adam 0.03                          0.065 / 0.069 / 0.051
 *   Adam 0.01 (the playground default) 0.258 at seed 1 (final 0.152)
 *   FishLeg η0.5 α0.01 γ0.3 K1         0.067 / 0.077 / 0.071   (the steadiest FishLeg setting)
 *   FishLeg η0.1 α1e-4 γ0.1 K10 (old)  the same curve as SGD 0.1 m0.9 (seed 1, step 1,000: 0.664 vs 0.664):
 *                                      Q barely leaves Q₀ = I/γ, and η·Q₀ with β's EMA is SGD with momentum
 *   SGD 0.1 m0.9                       0.61 / 0.62 / 0.50
 * So this preset races Adam at its best rate against the tuned FishLeg and promises a close race, not a win.
 */
export const TOY_FISHLEG: FishLegConfig = {
  ...defaultFishLeg('block-kron'),
  lr: 0.5,
  auxLr: 0.01,
  damping: 0.3,
  auxEvery: 1,
};
/** The page's default race (and the spiral preset's). */
export const SPIRAL_RUNS: readonly OptimizerConfig[] = [
  optimizerFor('sgd', 0.1),
  optimizerFor('adam', 0.03),
  TOY_FISHLEG,
];

export const DEFAULT_CONFIG: PlaygroundConfig = {
  backend: 'auto',
  data: dataFor('spiral'),
  model: modelFor('spiral'),
  runs: runsFor(SPIRAL_RUNS),
  // The FishLeg run's output layer (2×17 weights): Inside FishLeg shows something from the first evaluation.
  inspect: { runId: 'r3', layer: 2 },
  chart: DEFAULT_CHART,
  speed: null,
  stopAt: null,
};

// ---- optimizer fields in the URL: short keys, only values that differ from the defaults ----

type Field = {
  key: string;
  prop: string;
  kind: 'num' | 'int' | 'bool' | 'enum' | 'numOrNull' | 'intOrNull';
  list?: readonly string[];
  /** Largest value a link may set (ints): beyond it the setting is ignored with a warning. */
  max?: number;
};

/** A setting's URL field, from its description (engine/optim/schema.ts). */
function fieldOf(s: KeyedSetting): Field {
  const nullable = s.nullable !== undefined;
  const base = { key: s.url, prop: s.key };
  switch (s.type) {
    case 'number':
      return { ...base, kind: nullable ? 'numOrNull' : 'num' };
    case 'integer':
      return { ...base, kind: nullable ? 'intOrNull' : 'int', ...(s.linkMax !== undefined ? { max: s.linkMax } : {}) };
    case 'enum':
      return { ...base, kind: 'enum', list: s.choices.map((c) => c.value) };
    case 'boolean':
      return { ...base, kind: 'bool' };
    default:
      return s satisfies never;
  }
}

const FIELDS = new Map(OPTIMIZER_KINDS.map((k) => [k, settingsOfKind(k).map(fieldOf)]));
const fieldsOf = (k: OptimizerKind): readonly Field[] => FIELDS.get(k) ?? [];

// Numbers as JavaScript prints them; no hex, no 'Infinity', no spaces.
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NAME = /^[\p{L}\p{N} ._+()-]{1,24}$/u;
const COLOUR = /^[0-9a-f]{6}$/i;

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

function encodeValue(v: unknown): string {
  if (v === null) return 'auto';
  if (typeof v === 'boolean') return v ? '1' : '0';
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
}

function decodeValue(f: Field, raw: string): unknown {
  if ((f.kind === 'numOrNull' || f.kind === 'intOrNull') && raw === 'auto') return null;
  if (f.kind === 'bool') return raw === '1' ? true : raw === '0' ? false : undefined;
  if (f.kind === 'enum') return f.list && isOneOf(f.list, raw) ? raw : undefined;
  if (!NUMBER.test(raw)) return undefined;
  const x = Number(raw);
  if (!Number.isFinite(x)) return undefined;
  if ((f.kind === 'int' || f.kind === 'intOrNull') && !Number.isSafeInteger(x)) return undefined;
  if (f.max !== undefined && x > f.max) return undefined;
  return x + 0; // -0 → 0
}

/**
 * '<kind>~<name>~<colour>~<key>:<value>,…' with only non-default fields, and '~<marker>' when its rate is a
 * tuned one (tuned-marker.ts).
 */
export function encodeRun(run: RunSpec): string {
  const def = defaultOptimizer(run.optimizer.kind) as unknown as Record<string, unknown>;
  const o = run.optimizer as unknown as Record<string, unknown>;
  const fields = fieldsOf(run.optimizer.kind)
    .filter((f) => o[f.prop] !== def[f.prop])
    .map((f) => `${f.key}:${encodeValue(o[f.prop])}`);
  const marker = tunedMarker(run);
  const parts = [run.optimizer.kind, run.name, run.colour.replace('#', ''), fields.join(',')];
  return [...parts, ...(marker ? [encodeMarker(marker)] : [])].join('~');
}

/** The inverse of encodeRun; problems become warnings and defaults. */
export function decodeRun(
  text: string,
  id: string,
  index: number,
  warnings: string[],
  earlier: readonly RunSpec[] = [],
): RunSpec | null {
  const [kind = '', name = '', colour = '', fields = '', marker = ''] = text.split('~');
  if (!isOptimizerKind(kind)) {
    warnings.push(
      `run ${index + 1}: unknown optimizer '${clip(kind)}' (expected ${OPTIMIZER_KINDS.join(', ')}); run dropped`,
    );
    return null;
  }
  const o: Record<string, unknown> = { ...defaultOptimizer(kind) };
  const byKey = new Map(fieldsOf(kind).map((f) => [f.key, f]));
  const settings = new Map(settingsOfKind(kind).map((s) => [s.url, s]));
  let rateRefused = false;
  for (const part of fields === '' ? [] : fields.split(',')) {
    const [key = '', raw = ''] = part.split(':');
    const f = byKey.get(key);
    const v = f ? decodeValue(f, raw) : undefined;
    if (!f || v === undefined) {
      rateRefused ||= f?.prop === 'lr';
      warnings.push(`run ${index + 1}: ignored setting '${clip(part)}' (${fieldRejection(kind, key, raw, f?.max)})`);
      continue;
    }
    // One refused value drops that setting only, not the run's others.
    const problem = settingProblem(settings.get(key)!, v);
    if (problem !== null) {
      rateRefused ||= f.prop === 'lr';
      warnings.push(`run ${index + 1}: ${problem}; '${clip(part)}' was ignored, using ${encodeValue(o[f.prop])}`);
      continue;
    }
    o[f.prop] = v;
  }
  let optimizer = o as unknown as OptimizerConfig;
  let own = true;
  try {
    validateOptimizer(optimizer);
  } catch (e) {
    own = false;
    warnings.push(`run ${index + 1}: ${e instanceof Error ? e.message : String(e)}; using ${kind}'s defaults`);
    optimizer = defaultOptimizer(kind);
  }
  // Without a name of its own a run is named as the page names an added run, so that a link's three FishLeg
  // runs are told apart in the legend.
  const okName = NAME.test(name) ? name : runName(kind, earlier);
  if (name !== '' && okName !== name)
    warnings.push(
      `run ${index + 1}: name '${clip(name)}' is not 1 to 24 letters, digits, spaces or . _ + ( ) -; using ${okName}`,
    );
  // Without a (valid) colour of its own a run takes its optimizer's first shade no earlier run has.
  const okColour = COLOUR.test(colour)
    ? `#${colour.toLowerCase()}`
    : runColour(
        kind,
        earlier.map((r) => r.colour),
      );
  if (colour !== '' && !COLOUR.test(colour))
    warnings.push(`run ${index + 1}: colour '${clip(colour)}' is not 6 hex digits`);
  // A marker vouches for the link's own rate, not for the defaults put in its place.
  const tuned = marker === '' || !own || rateRefused ? null : decodeMarker(marker, optimizer.lr, index, warnings);
  return { id, name: okName, colour: okColour, optimizer, ...(tuned ? { tuned } : {}) };
}

/** Checks hidden layers; returns the canonical string or null. */
export function checkHidden(hidden: string, task: TaskChoice = 'spiral'): string | null {
  const h = hidden.trim();
  if (h === '') return '';
  if (h.length > 120) return null;
  try {
    const layout = hiddenLayout(h, task);
    const { hiddenLayers, hiddenSize } = SETUP;
    // A dense layer's width is its size; a conv or pooling layer's size is its output image, bounded by the grammar.
    const dense = layout.filter((l) => l.kind === 'dense').map((l) => l.size);
    if (layout.length > hiddenLayers.page.max || dense.some((s) => s > hiddenSize.page.max)) return null;
    return h.toLowerCase().replace(/\s+/g, '');
  } catch {
    return null;
  }
}

/** The hidden layers' kinds and sizes, parsed over the task's image when the list starts with image layers. */
function hiddenLayout(h: string, task: TaskChoice): { kind: string; size: number }[] {
  const image = task === 'csv' ? undefined : TASKS[task].image;
  const inputDim = image ? image.h * image.w * image.c : 1;
  // Parsed with a one-unit output layer, so that image layers left unflattened are refused as the race would.
  const arch = parseArch(archOfHidden(h, { inputDim, outputDim: 1, ...(image ? { image } : {}) }));
  const kinds = arch.kinds ?? arch.acts.map(() => 'dense');
  return arch.sizes.slice(1, -1).map((size, i) => ({ kind: kinds[i]!, size }));
}

/**
 * Why checkHidden refused a hidden-layer list: too many layers, a layer too wide, an unknown activation, or
 * not a list at all. A layer is judged by its own text first, so '99999x' is called too wide as well as
 * having no activation 'x'.
 */
export function hiddenRejection(hidden: string, task: TaskChoice = 'spiral'): string {
  const { hiddenLayers, hiddenSize } = SETUP;
  const h = hidden.trim();
  if (readsImages(h) || /(^|-)\s*f\s*(-|$)/i.test(h)) {
    try {
      hiddenLayout(h, task);
    } catch (e) {
      return `is not a network for this task's data: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (h.length > 120) return `is longer than 120 characters (${hiddenRule()})`;
  const layers = h.split('-').map((t) => t.trim());
  if (layers.length > hiddenLayers.page.max) return `has ${layers.length} layers; the most is ${hiddenLayers.page.max}`;
  for (const [i, tok] of layers.entries()) {
    const m = /^(\d+)([a-z]*)$/i.exec(tok);
    if (!m) continue;
    const size = Number(m[1]);
    const at = `layer ${i + 1}, '${clip(tok)}'`;
    const problems = [
      ...(size > hiddenSize.page.max
        ? [`has a layer of ${size} units; the most is ${hiddenSize.page.max} (${at})`]
        : []),
      ...(size < hiddenSize.page.min
        ? [`has a layer of ${size} units; the least is ${hiddenSize.page.min} (${at})`]
        : []),
      ...(!/^[rts]?$/i.test(m[2]!) ? [`has no activation '${clip(m[2]!)}' (${at}): r, t, s, or none for linear`] : []),
    ];
    if (problems.length > 0) return problems.join('; and ');
  }
  return 'is not a list of layers like 16t-16t';
}

/**
 * The keys parseSearch reads one value of (`run` may repeat; `embed` is parseEmbed's, `preset` start-config.ts's).
 */
const SINGLE_KEYS = [
  'backend',
  'task',
  'n',
  'noise',
  'seed',
  'seeds',
  'file',
  'test',
  FEATURES_SETTING.url,
  'hidden',
  'lik',
  'batch',
  'eval',
  'inspect',
  'x',
  'log',
  'metric',
  'speed',
  'stop',
  'embed',
  'preset',
] as const;

/**
 * Notices for what a link holds that no single setting can say: a key given twice (the first value is used,
 * so the second would be lost without a word), a key the page does not read (link-notices.ts says what it
 * most likely meant), a CSV task with no file named (the race cannot start until one is picked) and a file
 * named for another task.
 */
export function linkNotices(q: URLSearchParams): string[] {
  const out: string[] = [];
  for (const key of SINGLE_KEYS) {
    const all = q.getAll(key);
    if (all.length > 1) {
      out.push(
        `${key} is given ${all.length} times (${all.map((v) => `'${clip(v)}'`).join(', ')}); using the first, '${clip(all[0]!)}'`,
      );
    }
  }
  const known = new Set<string>([...SINGLE_KEYS, 'run']);
  const unknown = [...new Set(q.keys())].filter((k) => !known.has(k));
  for (const key of unknown) out.push(unknownKeyNotice(key, q.get(key) ?? '', [...known]));
  const file = q.get('file');
  // A file that is given but not a file name has its own notice (parseSearch).
  if (q.get('task') === 'csv' && file === null) {
    out.push('task=csv names no file: pick a CSV file to train on');
  }
  if (q.get('task') !== 'csv' && file !== null) out.push(`file=${clip(file)} applies to task=csv only; it was ignored`);
  const features = q.get(FEATURES_SETTING.url);
  const task = q.get('task') ?? DEFAULT_CONFIG.data.task;
  if (features !== null && !(TOY_TASKS as readonly string[]).includes(task))
    out.push(`${FEATURES_SETTING.url}=${clip(features)} applies to the 2D toy tasks only; it was ignored`);
  return out;
}

/** Reads a config from a query string; never throws. */
export function parseSearch(search: string): { config: PlaygroundConfig; warnings: string[] } {
  const warnings: string[] = [];
  let text = search;
  if (text.length > MAX_SEARCH_LENGTH) {
    warnings.push(`the link is longer than ${MAX_SEARCH_LENGTH} characters; the rest was ignored`);
    text = text.slice(0, MAX_SEARCH_LENGTH);
  }
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(text);
  } catch {
    q = new URLSearchParams();
  }
  warnings.push(...linkNotices(q));
  const pick = <T extends string>(key: string, list: readonly T[], fallback: T): T => {
    const v = q.get(key);
    if (v === null) return fallback;
    if (isOneOf(list, v)) return v;
    warnings.push(`${key}=${clip(v)} is not one of ${list.join(', ')}; using ${fallback}`);
    return fallback;
  };
  const number = (key: string, ok: (x: number) => boolean, fallback: number, rule: string, used?: string): number => {
    const v = q.get(key);
    if (v === null) return fallback;
    const x = Number(v);
    if (NUMBER.test(v) && ok(x)) return x + 0; // -0 → 0
    warnings.push(`${key}=${clip(v)} must be ${rule}; ${used ?? `using ${fallback}`}`);
    return fallback;
  };
  const int = (lo: number, hi: number) => (x: number) => Number.isSafeInteger(x) && x >= lo && x <= hi;
  /** A task or model setting in the page's range (engine/setup-spec.ts). */
  const setting = (s: SetupSetting & { url: string; page: { min: number; max: number } }, fallback: number) =>
    number(s.url, (x) => inSetupRange(s, s.page, x), fallback, rangeText(s, s.page));

  const backend = pick('backend', BACKEND_CHOICES, DEFAULT_CONFIG.backend);
  const task = pick('task', TASK_CHOICES, DEFAULT_CONFIG.data.task);
  const dd = dataFor(task);
  const isToy = (TOY_TASKS as readonly string[]).includes(task);
  const rawFile = task === 'csv' ? q.get('file') : null;
  const file = rawFile !== null ? csvFileName(rawFile) : null;
  if (rawFile !== null && file === null) warnings.push(`file=${clip(rawFile)} is not a file name; it was ignored`);
  const data = {
    task,
    n: isToy ? setting(SETUP.samples, dd.n) : dd.n,
    noise: isToy ? setting(SETUP.noise, dd.noise) : dd.noise,
    seed: setting(SETUP.seed, dd.seed),
    ...seedsOf(setting(SETUP.seeds, 1)),
    ...(file !== null ? { file } : {}),
    ...(isToy ? testFractionOf(q.get('test'), task as ToyTask, warnings) : {}),
    ...(isToy ? featuresOf(q.get(FEATURES_SETTING.url), warnings) : {}),
  };
  const md = modelFor(task);
  const rawHidden = q.get('hidden');
  let hidden = md.hidden;
  if (rawHidden !== null) {
    const h = checkHidden(rawHidden, task);
    if (h === null) warnings.push(`hidden=${clip(rawHidden)} ${hiddenRejection(rawHidden, task)}; using ${md.hidden}`);
    else hidden = h;
  }
  let likelihood = pick('lik', ['auto', ...LIKELIHOODS] as const, 'auto');
  if (likelihood === 'categorical' && (task === 'mnist-ae' || (isToy && isRegressionToy(task as ToyTask)))) {
    // The trainer refuses it (an autoencoder's targets are pixels, not classes): the race would never start.
    warnings.push(`lik=categorical needs class labels, which ${task} has not; using auto`);
    likelihood = 'auto';
  }
  let model: ModelSpec = {
    hidden,
    likelihood,
    batch: setting(SETUP.batch, md.batch),
    evalEvery: setting(SETUP.evalEvery, md.evalEvery),
  };
  let runs: RunSpec[] = [];
  const rawRuns = q.getAll('run');
  if (rawRuns.length > MAX_RUNS) {
    const dropped = rawRuns.length - MAX_RUNS;
    warnings.push(
      `the link has ${rawRuns.length} runs and a race takes at most ${MAX_RUNS}; the last ${dropped === 1 ? 'one was' : `${dropped} were`} dropped`,
    );
  }
  // inspect=<run>.<layer> counts the link's runs as written: which of them each kept run is.
  let linkIndex: number[] = [];
  rawRuns.slice(0, MAX_RUNS).forEach((r, i) => {
    const run = decodeRun(r, `r${runs.length + 1}`, i, warnings, runs);
    if (run) {
      runs.push(run);
      linkIndex.push(i);
    }
  });
  if (runs.length === 0) {
    if (rawRuns.length > 0) warnings.push('no valid run in the link; using the default race');
    runs = [...DEFAULT_CONFIG.runs];
    // A link with no runs may still inspect one of the default race's.
    linkIndex = rawRuns.length === 0 ? runs.map((_, i) => i) : [];
  }
  // Each setting is bounded, but together (12 layers of 2048, a batch of 4096, six FishLeg runs) they can
  // still need gigabytes, which the worker would refuse: fall back to the task's model, then to its race.
  let defaultRace = rawRuns.length === 0;
  const over = () => linkMemory(data, model, runs);
  let need = over();
  if (need !== null) {
    const sized = `the link's setup needs ≈ ${formatBytes(need)}, more than the page's ${formatBytes(LINK_MEMORY_BUDGET)}`;
    model = { ...model, hidden: md.hidden, batch: md.batch };
    need = over();
    if (need === null) warnings.push(`${sized}; using ${task}'s hidden layers ${md.hidden} and batch ${md.batch}`);
    else {
      warnings.push(`${sized}; using ${task}'s hidden layers ${md.hidden}, batch ${md.batch} and the default race`);
      runs = [...DEFAULT_CONFIG.runs];
      linkIndex = [];
      defaultRace = true;
    }
  }
  // An optimizer the model is too large for would stop the race before its first step.
  const params = paramCount(linkModel(data, model).arch);
  const refusals = runs.map((r) => modelRefusal(r.optimizer.kind, params));
  refusals.forEach((refusal, i) => {
    if (refusal !== null) warnings.push(`run ${i + 1}: ${refusal}; run dropped`);
  });
  if (refusals.some((r) => r !== null)) {
    const keep = (_: unknown, i: number) => refusals[i] === null;
    const kept = runs.filter(keep);
    runs = kept.length > 0 ? kept.map((r, i) => ({ ...r, id: `r${i + 1}` })) : [...DEFAULT_CONFIG.runs];
    linkIndex = kept.length > 0 ? linkIndex.filter(keep) : [];
    if (kept.length === 0) defaultRace = true;
  }
  let inspect: InspectSpec = { runId: null, layer: 0 };
  const rawInspect = q.get('inspect');
  const layers = model.hidden.split('-').filter(Boolean).length + 1;
  if (rawInspect === null && defaultRace) {
    // The default race inspects its FishLeg run's output layer, whatever the hidden layers are.
    inspect = { ...DEFAULT_CONFIG.inspect, layer: Math.min(DEFAULT_CONFIG.inspect.layer, layers - 1) };
  } else if (rawInspect !== null) {
    const m = /^(\d{1,2})\.(\d{1,2})$/.exec(rawInspect);
    const at = m ? linkIndex.indexOf(Number(m[1]) - 1) : -1;
    const run = at >= 0 ? runs[at] : undefined;
    if (m && !run && Number(m[1]) >= 1 && Number(m[1]) <= rawRuns.length)
      warnings.push(`inspect=${clip(rawInspect)} names run ${m[1]}, which was dropped; Inside FishLeg is off`);
    else if (m && run && hasInverseFisher(run.optimizer.kind)) {
      const layer = Number(m[2]);
      // Layers count from 0: a model with h hidden layers has h + 1.
      if (layer >= layers)
        warnings.push(
          `inspect=${clip(rawInspect)}: the model's layers are 0 to ${layers - 1}; using layer ${layers - 1}`,
        );
      inspect = { runId: run.id, layer: Math.min(layer, layers - 1) };
    } else
      warnings.push(`inspect=${clip(rawInspect)} does not name a FishLeg run as <run>.<layer>; Inside FishLeg is off`);
  }
  const chart: ChartSettings = {
    x: pick('x', ['step', 'seconds'] as const, DEFAULT_CHART.x),
    log: pick('log', ['1', '0'] as const, DEFAULT_CHART.log ? '1' : '0') === '1',
    metric: pick('metric', CHART_METRICS, DEFAULT_CHART.metric),
  };
  if (
    q.get('log') === '1' &&
    chart.metric === 'accuracy' &&
    data.task !== 'csv' &&
    TASKS[data.task].kind === 'classification'
  )
    warnings.push('log=1 does not apply to metric=accuracy, which is drawn on a linear axis; the loss chart uses it');
  if (chart.metric === 'aux' && !runs.some((r) => r.optimizer.kind === 'fishleg' && fishLegLearnsQ(r.optimizer))) {
    // Kept (a run added later fills it), but an empty chart without a word would look broken.
    warnings.push("metric=aux plots FishLeg's auxiliary loss, and no run of this race learns Q: the chart is empty");
  }
  const rawSpeed = q.get('speed');
  let speed: Speed = null;
  if (rawSpeed !== null) {
    const s = SPEEDS.find((v) => String(v ?? 'max') === rawSpeed);
    if (s === undefined)
      warnings.push(`speed=${clip(rawSpeed)} is not one of ${SPEEDS.map((v) => v ?? 'max').join(', ')}; using max`);
    else speed = s;
  }
  // An invalid budget falls back to 0, which means none.
  const stop = number('stop', int(1, MAX_STOP_AT), 0, `an integer in [1, ${MAX_STOP_AT}]`, 'the race has no stop');
  const stopAt = stop > 0 ? stop : null;
  return { config: { backend, data, model, runs, inspect, chart, speed, stopAt }, warnings };
}

/**
 * What a race built from a link may need: the worker's PAGE_MEMORY_BUDGET (worker/session.ts, which this
 * module does not import: it would pull the engine into the page's bundle), so that no link makes a setup the
 * worker refuses.
 */
export const LINK_MEMORY_BUDGET = 1e9;

/** The shipped MNIST asset's digits (scripts/build-mnist-asset.mjs), split 4:1 (mnist.ts mnistSplit). */
const MNIST_DIGITS = 10_000;

/**
 * Bytes a setup needs beyond LINK_MEMORY_BUDGET, by the engine's own estimate (engine/memory.ts), or null
 * when it fits. A CSV file's size is unknown until it is loaded: its data counts as empty (a lower bound).
 */
/** The shape of a link's data and the network its hidden layers make of it. */
function linkModel(
  data: PlaygroundConfig['data'],
  model: ModelSpec,
): { shape: DataShape; arch: ReturnType<typeof parseArch> } {
  const toy = (TOY_TASKS as readonly string[]).includes(data.task) ? TOY_DEFAULTS[data.task as ToyTask] : null;
  const mnist = data.task === 'mnist' || data.task === 'mnist-ae';
  const bars = data.task === 'bars';
  const image = data.task === 'csv' ? undefined : TASKS[data.task].image;
  const testRows = toy
    ? Math.round(data.n * (data.testFraction ?? toy.testFraction))
    : mnist
      ? MNIST_DIGITS / 5
      : bars
        ? Math.round(data.n * BARS_DEFAULTS.testFraction)
        : 0;
  const r = SCALED_REGRESSION_DEFAULTS;
  const shape: DataShape =
    data.task === 'scaled-regression'
      ? { trainRows: r.rows, testRows: Math.ceil(r.rows / 4), inputDim: r.inputs, outputDim: r.targets }
      : {
          trainRows: toy ? data.n - testRows : mnist ? MNIST_DIGITS - testRows : bars ? data.n - testRows : 0,
          testRows,
          inputDim: toy ? (data.features?.length ?? 2) : image ? image.h * image.w * image.c : 1,
          outputDim: toy ? toy.classes : data.task === 'mnist' ? MNIST_CLASSES : mnist ? MNIST_PIXELS : bars ? 2 : 1,
          targetsAreInputs: data.task === 'mnist-ae',
          ...(image ? { image } : {}),
        };
  return { shape, arch: parseArch(archOfHidden(model.hidden, shape)) };
}

function linkMemory(data: PlaygroundConfig['data'], model: ModelSpec, runs: readonly RunSpec[]): number | null {
  const { shape, arch } = linkModel(data, model);
  // Every seed trains its own copy of every run.
  const optimizers = runs.flatMap((r) => Array<RunSpec['optimizer']>(data.seeds ?? 1).fill(r.optimizer));
  const { total } = estimateMemory({ arch, batch: model.batch, data: shape, optimizers });
  return total > LINK_MEMORY_BUDGET ? total : null;
}

/**
 * Why runs of `config` cannot train its model (an optimizer's parameter cap, e.g. the natural gradient's),
 * one line per refused run; empty when all can. A CSV's width is unknown here: it counts as one input.
 */
export function modelRefusals(config: PlaygroundConfig): string[] {
  const params = paramCount(linkModel(config.data, config.model).arch);
  return config.runs.flatMap((r) => {
    const why = modelRefusal(r.optimizer.kind, params);
    if (why === null) return [];
    // The refusal names the optimizer; a run the user named is named too.
    return [r.name === OPTIMIZER_LABELS[r.optimizer.kind] ? why : `${why} (run “${r.name}”)`];
  });
}

/** `seeds` of a data spec: absent for one seed, so that a one-seed config round-trips unchanged. */
export function seedsOf(count: number): { seeds?: number } {
  return count > 1 ? { seeds: count } : {};
}

/** The test split a link or the setup panel may choose for a toy task: 5 % to 90 % of the points. */
export const TEST_FRACTION_RANGE = [0.05, 0.9] as const;

/**
 * `test=<fraction>` of a toy task: {} when absent or the task's default (a config then round-trips unchanged),
 * else the fraction; out of range or malformed warns and keeps the default.
 */
function testFractionOf(raw: string | null, task: ToyTask, warnings: string[]): { testFraction?: number } {
  if (raw === null) return {};
  const [lo, hi] = TEST_FRACTION_RANGE;
  const x = Number(raw);
  const fallback = TOY_DEFAULTS[task].testFraction;
  if (!NUMBER.test(raw) || !(x >= lo && x <= hi)) {
    warnings.push(`test=${clip(raw)} must be a share of the points in [${lo}, ${hi}]; using ${fallback}`);
    return {};
  }
  return x === fallback ? {} : { testFraction: x };
}

/**
 * `features=<id>,<id>…` of a toy task (engine/data/features.ts): {} when absent or the plane itself (x₁, x₂),
 * so that a config round-trips unchanged; a bad list warns and keeps the plane.
 */
export function featuresOf(raw: string | null, warnings: string[]): { features?: readonly FeatureId[] } {
  if (raw === null) return {};
  try {
    const features = parseFeatures(raw);
    return formatFeatures(features) === formatFeatures(DEFAULT_FEATURES) ? {} : { features };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    warnings.push(`${FEATURES_SETTING.url}=${clip(raw)}: ${why}; using ${formatFeatures(DEFAULT_FEATURES)}`);
    return {};
  }
}

/** Longest CSV file name a link keeps. */
const MAX_FILE_NAME = 120;

/**
 * A CSV file name from a link, if it is one: printable, without path separators, at most MAX_FILE_NAME
 * characters. It is only ever shown as text ("load train.csv"), never used as a path.
 */
export function csvFileName(raw: string): string | null {
  const name = raw.trim();
  if (name === '' || name.length > MAX_FILE_NAME || /[/\\]/.test(name)) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.test(name)) return null;
  return name;
}

/** The query string for a config; the inverse of parseSearch. */
export function toSearch(config: PlaygroundConfig): string {
  const q = new URLSearchParams();
  if (config.backend !== 'auto') q.set('backend', config.backend);
  q.set('task', config.data.task);
  if ((TOY_TASKS as readonly string[]).includes(config.data.task)) {
    q.set('n', String(config.data.n));
    q.set('noise', String(config.data.noise));
    const tf = config.data.testFraction;
    if (tf !== undefined && tf !== TOY_DEFAULTS[config.data.task as ToyTask].testFraction) q.set('test', String(tf));
    const f = config.data.features;
    if (f !== undefined && formatFeatures(f) !== formatFeatures(DEFAULT_FEATURES))
      q.set(FEATURES_SETTING.url, formatFeatures(f));
  }
  q.set('seed', String(config.data.seed));
  if ((config.data.seeds ?? 1) > 1) q.set('seeds', String(config.data.seeds));
  if (config.data.task === 'csv' && config.data.file !== undefined) q.set('file', config.data.file);
  q.set('hidden', config.model.hidden);
  if (config.model.likelihood !== 'auto') q.set('lik', config.model.likelihood);
  q.set('batch', String(config.model.batch));
  q.set('eval', String(config.model.evalEvery));
  for (const r of config.runs) q.append('run', encodeRun(r));
  const ii = config.runs.findIndex((r) => r.id === config.inspect.runId);
  if (ii >= 0) q.set('inspect', `${ii + 1}.${config.inspect.layer}`);
  if (config.chart.x !== DEFAULT_CHART.x) q.set('x', config.chart.x);
  if (config.chart.log !== DEFAULT_CHART.log) q.set('log', config.chart.log ? '1' : '0');
  if (config.chart.metric !== DEFAULT_CHART.metric) q.set('metric', config.chart.metric);
  if (config.speed !== null) q.set('speed', String(config.speed));
  if (config.stopAt !== null) q.set('stop', String(config.stopAt));
  return `?${q.toString()}`;
}

/** Run ids follow positions in a URL: renumbering makes a config equal to its own round trip. */
export function normaliseIds(config: PlaygroundConfig): PlaygroundConfig {
  const ids = new Map(config.runs.map((r, i) => [r.id, `r${i + 1}`]));
  return {
    ...config,
    runs: config.runs.map((r, i) => ({ ...r, id: `r${i + 1}` })),
    inspect: {
      ...config.inspect,
      runId: config.inspect.runId === null ? null : (ids.get(config.inspect.runId) ?? null),
    },
  };
}

// ---- embedding: `?embed=…` hides the controls, for slides and iframes ----

/** What an embedded page may show (the chart comes with its legend); the rest (header, presets, exports) is hidden. */
export const EMBED_PARTS = ['chart', 'play', 'views', 'network', 'runs', 'setup', 'inside'] as const;
export type EmbedPart = (typeof EMBED_PARTS)[number];
/** `embed=1`: the chart and the transport bar (Play, Step, Reset), as for a slide. */
export const EMBED_MINIMAL: readonly EmbedPart[] = ['chart', 'play'];

/**
 * Reads `embed=<part>,<part>…` (or `embed=1` for EMBED_MINIMAL); null when absent. Never throws: unknown parts
 * are dropped with a warning, and a value with no known part falls back to the minimal view.
 */
export function parseEmbed(search: string): { embed: readonly EmbedPart[] | null; warnings: string[] } {
  let raw: string | null;
  try {
    raw = new URLSearchParams(search.slice(0, MAX_SEARCH_LENGTH)).get('embed');
  } catch {
    raw = null;
  }
  if (raw === null) return { embed: null, warnings: [] };
  if (raw === '1') return { embed: EMBED_MINIMAL, warnings: [] };
  const warnings: string[] = [];
  const parts: EmbedPart[] = [];
  for (const p of raw.split(',')) {
    if (isOneOf(EMBED_PARTS, p)) {
      if (!parts.includes(p)) parts.push(p);
    } else warnings.push(`embed: '${clip(p)}' is not one of 1, ${EMBED_PARTS.join(', ')}; it was ignored`);
  }
  if (parts.length === 0) {
    warnings.push(`embed=${clip(raw)} names nothing to show; using embed=1 (${EMBED_MINIMAL.join(', ')})`);
    return { embed: EMBED_MINIMAL, warnings };
  }
  return { embed: parts, warnings };
}

/** The `embed` parameter of a query string ('' when not embedded); parseEmbed's inverse. */
export function embedParam(embed: readonly EmbedPart[] | null): string {
  if (embed === null) return '';
  const same = embed.length === EMBED_MINIMAL.length && EMBED_MINIMAL.every((p) => embed.includes(p));
  return `embed=${same ? '1' : embed.join(',')}`;
}

/**
 * The Inside-FishLeg target a config can use: the chosen run and layer where they still apply (the layer clamped
 * to the model's), else the first FishLeg run (at the chosen layer if the model has it, else its output layer),
 * else none. `keepNone`: the user picked "none" on purpose, and no FishLeg run is picked for them.
 */
export function fitInspect(config: PlaygroundConfig, keepNone = false): InspectSpec {
  const layers = config.model.hidden.split('-').filter(Boolean).length + 1;
  const { runId, layer } = config.inspect;
  const fits = (l: number) => (Number.isInteger(l) && l >= 0 && l < layers ? l : layers - 1);
  const fishleg = config.runs.filter((r) => hasInverseFisher(r.optimizer.kind));
  if (fishleg.some((r) => r.id === runId))
    return layer === fits(layer) ? config.inspect : { runId, layer: fits(layer) };
  if (fishleg.length === 0 || (keepNone && runId === null)) {
    return runId === null && layer === fits(layer) ? config.inspect : { runId: null, layer: fits(layer) };
  }
  return { runId: fishleg[0]!.id, layer: fits(layer) };
}
