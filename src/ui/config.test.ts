/**
 * The URL round trip of the playground config: defaults, every field, FishLeg's settings, invalid values that
 * fall back with a warning, and a seeded fuzz of random and hostile query strings that must never throw and
 * must always yield a config the worker can run (valid optimizers, parseable layers, bounded sizes).
 */
import { describe, expect, it } from 'vitest';
import { parseArch } from '../engine/data/arch.ts';
import { TOY_DEFAULTS, TOY_TASKS, type ToyTask } from '../engine/data/toy.ts';
import { checkMemory, estimateMemory } from '../engine/memory.ts';
import { defaultFishLeg, validateOptimizer } from '../engine/optim/config.ts';
import type { InspectSpec } from '../worker/protocol.ts';
import { PAGE_MEMORY_BUDGET } from '../worker/session.ts';
import { KIND_HUES, kindShades } from './colours.ts';
import {
  DEFAULT_CONFIG,
  LINK_MEMORY_BUDGET,
  MAX_RUNS,
  dataFor,
  decodeRun,
  encodeRun,
  modelFor,
  normaliseIds,
  optimizerFor,
  modelRefusals,
  parseSearch,
  runsFor,
  toSearch,
  type PlaygroundConfig,
} from './config.ts';

describe('parseSearch / toSearch', () => {
  it('gives the defaults for an empty query: spiral, SGD vs Adam vs FishLeg, auto backend', () => {
    const { config, warnings } = parseSearch('');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.runs.map((r) => r.optimizer.kind)).toEqual(['sgd', 'adam', 'fishleg']);
    expect(warnings).toEqual([]);
  });

  it('round-trips a config with every field set', () => {
    const fl = {
      ...defaultFishLeg('sum-kron'),
      lr: 0.03,
      damping: 0.5,
      initScale: 2,
      auxBatch: 8,
      fisher: 'sampled' as const,
      preconditionAux: false,
      auxEvery: 3,
    };
    const config: PlaygroundConfig = {
      backend: 'cpu',
      data: { ...dataFor('circles', 7), n: 300, noise: 0.1 },
      model: { ...modelFor('circles'), hidden: '8r-4s', likelihood: 'gaussian', batch: 10, evalEvery: 5 },
      runs: runsFor([{ kind: 'sgd', lr: 0.3, momentum: 0, weightDecay: 0.01 }, optimizerFor('adamw', 0.002), fl]),
      inspect: { runId: 'r3', layer: 1 },
      chart: { x: 'seconds', log: false, metric: 'aux' },
      speed: 20,
      stopAt: 1500,
    };
    const search = toSearch(config);
    const back = parseSearch(search);
    expect(back.warnings).toEqual([]);
    expect(back.config).toEqual(config);
    // Compact: defaults are not written.
    expect(search).not.toContain('b1');
    expect(search.length).toBeLessThan(400);
  });

  it('encodes a run as kind~name~colour~fields with only non-default fields', () => {
    const [run] = runsFor([optimizerFor('sgd', 0.3)]);
    expect(encodeRun(run!)).toBe('sgd~SGD~e69f00~lr:0.3');
    const w: string[] = [];
    expect(decodeRun('sgd~SGD~e69f00~lr:0.3', 'r1', 0, w)).toEqual(run);
    expect(w).toEqual([]);
  });

  it('falls back with a warning for unknown, out-of-range and malformed values', () => {
    const { config, warnings } = parseSearch(
      '?backend=metal&task=moons&seed=-1&batch=0&hidden=16q&n=1e9&run=sgd~A~zz~lr:-1&run=nope~x&inspect=9.9&speed=7',
    );
    expect(config.backend).toBe('auto');
    expect(config.data.task).toBe('spiral');
    expect(config.data.seed).toBe(1);
    expect(config.model.batch).toBe(32);
    expect(config.model.hidden).toBe('16t-16t');
    expect(config.runs).toHaveLength(1);
    expect(config.runs[0]!.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 });
    expect(config.runs[0]!.colour).toBe(KIND_HUES.sgd);
    expect(config.inspect.runId).toBeNull();
    expect(config.speed).toBeNull();
    expect(warnings.join('\n')).toMatch(/backend=metal/);
    expect(warnings.join('\n')).toMatch(/learning rate must be a positive number/);
    expect(warnings.join('\n')).toMatch(/unknown optimizer 'nope'/);
    expect(warnings.length).toBeGreaterThanOrEqual(9);
  });

  it('bounds integers where the worker would otherwise allocate without limit, and keeps floats in float32', () => {
    // An auxiliary batch of a billion rows killed the race in the worker (RangeError: Invalid typed array length).
    const huge = parseSearch('?run=fishleg~F~009e73~ab:1e9,k:10001');
    expect(huge.config.runs[0]!.optimizer).toEqual(defaultFishLeg());
    expect(huge.warnings).toEqual([
      "run 1: ignored setting 'ab:1e9' (at most 4096)",
      "run 1: ignored setting 'k:10001' (at most 10000)",
    ]);
    const edge = parseSearch('?run=fishleg~F~009e73~ab:4096,k:10000');
    expect(edge.config.runs[0]!.optimizer).toMatchObject({ auxBatch: 4096, auxEvery: 10000 });
    expect(edge.warnings).toEqual([]);
    const f32 = parseSearch('?run=sgd~S~0072b2~lr:1e39&run=fishleg~F~009e73~dmp:1e-45&run=adam~A~d55e00~eps:1e300');
    expect(f32.config.runs.map((r) => r.optimizer)).toEqual([
      optimizerFor('sgd', 0.1),
      defaultFishLeg(),
      { ...optimizerFor('adam', 0.001) },
    ]);
    expect(f32.warnings).toEqual([
      `run 1: learning rate must fit in float32 (at most 3.4028234663852886e+38 in size; got 1e+39); 'lr:1e39' was ignored, using ${optimizerFor('sgd', 0.1).lr}`,
      `run 2: FishLeg damping must be 0 or at least 1.1754943508222875e-38 in size, the smallest normal float32 (got 1e-45); 'dmp:1e-45' was ignored, using ${defaultFishLeg().damping}`,
      "run 3: eps must fit in float32 (at most 3.4028234663852886e+38 in size; got 1e+300); 'eps:1e300' was ignored, using 1e-8",
    ]);
  });

  it("gives a run without its own colour its optimizer's first shade no earlier run has; keeps chosen colours", () => {
    const { config } = parseSearch('?run=sgd~Boom~d55e00~lr:1e30&run=adam&run=fishleg&run=adam&run=sgd');
    const [adam1, adam2] = kindShades('adam');
    expect(config.runs.map((r) => r.colour)).toEqual(['#d55e00', adam1, KIND_HUES.fishleg, adam2, KIND_HUES.sgd]);
  });

  it("carries a CSV setup's file name (never its data); refuses names that are paths or hold control characters", () => {
    const { config, warnings } = parseSearch('?task=csv&file=train%20set.csv&hidden=8t');
    expect(warnings).toEqual([]);
    expect(config.data).toMatchObject({ task: 'csv', file: 'train set.csv' });
    expect(parseSearch(toSearch(config)).config.data.file).toBe('train set.csv');
    for (const bad of ['../etc/passwd', 'a\\b.csv', '%1b%5B31mred.csv', 'x'.repeat(200), '%E2%80%AEcsv.exe']) {
      const r = parseSearch(`?task=csv&file=${bad}`);
      expect(r.config.data.file, bad).toBeUndefined();
      expect(r.warnings.join(' '), bad).toMatch(/not a file name/);
    }
    expect(parseSearch('?task=spiral&file=a.csv').config.data.file).toBeUndefined(); // only CSV setups name a file
  });

  it('keeps at most MAX_RUNS runs', () => {
    const q = Array.from({ length: 10 }, () => 'run=adam').join('&');
    const { config, warnings } = parseSearch(`?${q}`);
    expect(config.runs).toHaveLength(MAX_RUNS);
    expect(warnings[0]).toMatch(/at most/);
  });

  it('names unnamed runs of one optimizer as the page names added ones, so the legend tells them apart', () => {
    const { config } = parseSearch(
      '?task=bars&run=fishleg&run=fishleg~~~ap:kron-diag&run=kfac&run=fishleg~Mine&run=fishleg~~~ap:sum-kron',
    );
    expect(config.runs.map((r) => r.name)).toEqual(['FishLeg', 'FishLeg 2', 'K-FAC', 'Mine', 'FishLeg 4']);
    expect(new Set(config.runs.map((r) => r.colour)).size).toBe(5);
  });

  it('drops a run whose optimizer the model is too large for, saying why, and keeps the others', () => {
    const cnn = parseSearch('?task=mnist&hidden=c8k5s2p2r-mp2-f&run=natural&run=adam');
    expect(cnn.config.runs.map((r) => [r.id, r.optimizer.kind])).toEqual([['r1', 'adam']]);
    expect(cnn.warnings).toContain(
      'run 1: Natural gradient is for models of at most 1,000 parameters; this one has 4,138; run dropped',
    );
    const alone = parseSearch('?task=mnist&hidden=c8k5s2p2r-mp2-f&run=natural');
    expect(alone.config.runs).toEqual(DEFAULT_CONFIG.runs);
    // The bars CNN (170 parameters) is small enough.
    const bars = parseSearch('?task=bars&run=natural');
    expect(bars.config.runs.map((r) => r.optimizer.kind)).toEqual(['natural']);
    expect(bars.warnings).toEqual([]);
  });

  it('modelRefusals names each run a model is too large for, and nothing when all fit', () => {
    const { config } = parseSearch('?task=spiral&hidden=16t-16t&run=natural&run=natural~Mine&run=adam');
    expect(modelRefusals(config)).toEqual([]);
    const big = { ...config, model: { ...config.model, hidden: '64t-16t' } };
    expect(modelRefusals(big)).toEqual([
      'Natural gradient is for models of at most 1,000 parameters; this one has 1,266',
      'Natural gradient is for models of at most 1,000 parameters; this one has 1,266 (run “Mine”)',
    ]);
  });

  it('says that log=1 does not apply to an accuracy chart, and keeps it for the loss', () => {
    const acc = parseSearch('?task=spiral&log=1&metric=accuracy');
    expect(acc.config.chart).toMatchObject({ log: true, metric: 'accuracy' });
    expect(acc.warnings).toContain(
      'log=1 does not apply to metric=accuracy, which is drawn on a linear axis; the loss chart uses it',
    );
    // A regression task's "accuracy" is its MSE, which a log axis shows.
    expect(parseSearch('?task=scaled-regression&log=1&metric=accuracy').warnings).toEqual([]);
    expect(parseSearch('?task=spiral&metric=accuracy').warnings).toEqual([]);
  });

  it("inspect= counts the link's runs as written, so a dropped run does not move it onto another", () => {
    const cnn = '?task=mnist&hidden=c8k5s2p2r-mp2-f&run=natural&run=fishleg&run=fishleg~~~ap:kron-diag';
    const second = parseSearch(`${cnn}&inspect=3.0`);
    // Link run 3 is the kron-diag FishLeg, now the race's second run (r2).
    expect(second.config.inspect).toEqual({ runId: 'r2', layer: 0 });
    expect(second.config.runs.find((r) => r.id === 'r2')!.optimizer).toMatchObject({ approx: 'kron-diag' });
    const gone = parseSearch(`${cnn}&inspect=1.0`);
    expect(gone.config.inspect.runId).toBeNull();
    expect(gone.warnings).toContain('inspect=1.0 names run 1, which was dropped; Inside FishLeg is off');
    // An invalid run is dropped the same way.
    const bad = parseSearch('?run=nope&run=fishleg&inspect=2.1');
    expect(bad.config.runs.map((r) => r.id)).toEqual(['r1']);
    expect(bad.config.inspect).toEqual({ runId: 'r1', layer: 1 });
    // A link without runs may inspect the default race's.
    expect(parseSearch('?inspect=3.0').config.inspect).toEqual({ runId: DEFAULT_CONFIG.runs[2]!.id, layer: 0 });
  });

  it('normaliseIds renumbers runs so that a config equals its round trip', () => {
    const runs = DEFAULT_CONFIG.runs.slice(1).map((r, i) => ({ ...r, id: `r${i + 7}` }));
    const c = normaliseIds({ ...DEFAULT_CONFIG, runs, inspect: { runId: 'r8', layer: 0 } });
    expect(c.runs.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(c.inspect.runId).toBe('r2');
    expect(parseSearch(toSearch(c)).config).toEqual(c);
  });
});

describe('parseSearch: setups the worker would refuse (second fuzz pass)', () => {
  const FL6 = Array.from({ length: 6 }, () => 'run=fishleg').join('&');
  it.each<
    [string, string, Partial<{ hidden: string; batch: number; kinds: string; inspect: InspectSpec; lik: string }>]
  >([
    // Every setting in range, together gigabytes: the worker refused the race the link described.
    [
      '?task=spiral&hidden=2048r-2048r-2048r',
      "the link's setup needs ≈ 1.1 GB, more than the page's 1 GB; using spiral's hidden layers 16t-16t and batch 32",
      { hidden: '16t-16t', batch: 32, kinds: 'sgd,adam,fishleg' },
    ],
    [
      `?task=mnist-ae&hidden=${Array(11).fill('2048r').join('-')}&batch=4096&${FL6}`,
      "the link's setup needs ≈ 36 GB, more than the page's 1 GB; using mnist-ae's hidden layers 64r-16-64r and batch 100",
      { hidden: '64r-16-64r', batch: 100, kinds: 'fishleg,fishleg,fishleg,fishleg,fishleg,fishleg' },
    ],
    // Inside FishLeg on a layer the model does not have.
    [
      '?hidden=&run=fishleg&inspect=1.5',
      "inspect=1.5: the model's layers are 0 to 0; using layer 0",
      { inspect: { runId: 'r1', layer: 0 } },
    ],
    [
      '?hidden=8t&run=fishleg&inspect=1.99',
      "inspect=1.99: the model's layers are 0 to 1; using layer 1",
      { inspect: { runId: 'r1', layer: 1 } },
    ],
    // The trainer refuses categorical without labels.
    [
      '?task=mnist-ae&lik=categorical',
      'lik=categorical needs class labels, which mnist-ae has not; using auto',
      { lik: 'auto' },
    ],
    // Decay rates that are 1 in float32 (Adam's second moment never grows: m/ε steps).
    [
      '?run=adam~A~~b2:0.9999999999',
      'run 1: beta2 must be in [0, 1) in float32, where 0.9999999999 is 1',
      { kinds: 'adam' },
    ],
    ['?run=sgd~S~~m:0.99999999999', 'run 1: momentum must be in [0, 1) in float32', { kinds: 'sgd' }],
    ['?run=fishleg~F~~be:0.999999999', 'run 1: FishLeg beta must be in [0, 1) in float32', { kinds: 'fishleg' }],
  ])('%s', (search, warning, expected) => {
    const { config, warnings } = parseSearch(search);
    expect(warnings.join('\n')).toContain(warning);
    if (expected.hidden !== undefined) expect(config.model.hidden).toBe(expected.hidden);
    if (expected.batch !== undefined) expect(config.model.batch).toBe(expected.batch);
    if (expected.kinds !== undefined) expect(config.runs.map((r) => r.optimizer.kind).join(',')).toBe(expected.kinds);
    if (expected.inspect !== undefined) expect(config.inspect).toEqual(expected.inspect);
    if (expected.lik !== undefined) expect(config.model.likelihood).toBe(expected.lik);
    expectRunnable(config);
    const again = parseSearch(toSearch(config));
    expect(again.warnings).toEqual([]);
    expect(again.config).toEqual(config);
  });

  it("uses the worker's budget", () => {
    expect(LINK_MEMORY_BUDGET).toBe(PAGE_MEMORY_BUDGET);
  });

  it('keeps setups that fit, up to the largest the page offers', () => {
    const { config, warnings } = parseSearch('?task=spiral&hidden=2048r-2048r&batch=4096&run=adam&run=sgd');
    expect(warnings).toEqual([]);
    expect(config.model).toMatchObject({ hidden: '2048r-2048r', batch: 4096 });
  });
});

/** A tiny seeded generator (mulberry32) so that a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '__proto__',
  'constructor',
  '%00%ff%fe',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  ' 1',
  '9'.repeat(400),
  '\u202e\u0000',
  'sgd~<b>x</b>~ff0000~lr:1e-3',
  'fishleg~F~123456~ap:block-kron,lr:0,dmp:0,is:auto,k:0.5,ab:-3,fi:exact,pa:2',
  // Second fuzz pass: bounded settings that add up to gigabytes, float32-rounding decays, layers out of range.
  '2048r-2048r-2048r-2048r-2048r-2048r-2048r-2048r-2048r-2048r-2048r',
  '4096',
  'fishleg~F~~ab:4096,fi:sampled',
  'adam~A~~b2:0.9999999999',
  '1.99',
  'categorical',
];
const KEYS = [
  'backend',
  'task',
  'n',
  'noise',
  'seed',
  'hidden',
  'lik',
  'batch',
  'eval',
  'run',
  'inspect',
  'x',
  'log',
  'metric',
  'speed',
  '__proto__',
];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789~:,.-=&?%+#<>"\' \u00e9\u4e2d';

function randomSearch(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const parts: string[] = [];
  const count = Math.floor(r() * 12);
  for (let i = 0; i < count; i++) {
    const value =
      r() < 0.3 ? pick(HOSTILE) : Array.from({ length: Math.floor(r() * 30) }, () => pick([...CHARS])).join('');
    parts.push(`${pick(KEYS)}=${r() < 0.5 ? encodeURIComponent(value) : value}`);
  }
  return (r() < 0.8 ? '?' : '') + parts.join('&');
}

/** What the worker needs of any config: it must build a race from it without validation errors. */
function expectRunnable(c: PlaygroundConfig): void {
  expect(() => parseArch(`2-${c.model.hidden}${c.model.hidden ? '-' : ''}2`.replace('--', '-'))).not.toThrow();
  expect(c.runs.length).toBeGreaterThanOrEqual(1);
  expect(c.runs.length).toBeLessThanOrEqual(MAX_RUNS);
  for (const run of c.runs) {
    expect(() => validateOptimizer(run.optimizer)).not.toThrow();
    if (run.optimizer.kind === 'fishleg') expect(run.optimizer.auxBatch ?? 0).toBeLessThanOrEqual(4096);
    expect(run.colour).toMatch(/^#[0-9a-f]{6}$/);
    expect(run.name).not.toMatch(/[<>"'&]/);
  }
  expect(Number.isSafeInteger(c.model.batch) && c.model.batch >= 1).toBe(true);
  expect(Number.isSafeInteger(c.data.seed) && c.data.seed >= 0).toBe(true);
  // The worker's own checks: the race fits its memory budget, Inside FishLeg names a layer the model has.
  const toy = (TOY_TASKS as readonly string[]).includes(c.data.task) ? TOY_DEFAULTS[c.data.task as ToyTask] : null;
  const mnist = c.data.task === 'mnist' || c.data.task === 'mnist-ae';
  const [inputDim, outputDim] = toy ? [2, toy.classes] : mnist ? [784, c.data.task === 'mnist' ? 10 : 784] : [1, 1];
  const arch = parseArch(`${inputDim}-${c.model.hidden}${c.model.hidden ? '-' : ''}${outputDim}`);
  const testRows = toy ? Math.round(c.data.n * toy.testFraction) : mnist ? 2000 : 0;
  const trainRows = toy ? c.data.n - testRows : mnist ? 8000 : 0;
  const data = { trainRows, testRows, inputDim, outputDim, targetsAreInputs: c.data.task === 'mnist-ae' };
  const estimate = estimateMemory({ arch, batch: c.model.batch, data, optimizers: c.runs.map((r) => r.optimizer) });
  expect(() => checkMemory(estimate, { budget: PAGE_MEMORY_BUDGET, hint: '' })).not.toThrow();
  if (c.inspect.runId !== null) expect(c.inspect.layer).toBeLessThan(arch.sizes.length - 1);
  if (c.data.task === 'mnist-ae') expect(c.model.likelihood).not.toBe('categorical');
  expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
}

describe('parseSearch fuzz', () => {
  it('never throws on 3000 random and hostile query strings, always gives a runnable config that round-trips', () => {
    const r = rng(20240601);
    for (let i = 0; i < 3000; i++) {
      const s = randomSearch(r);
      let parsed: ReturnType<typeof parseSearch>;
      try {
        parsed = parseSearch(s);
      } catch (e) {
        throw new Error(`parseSearch threw on case ${i}: ${JSON.stringify(s)}`, { cause: e });
      }
      expectRunnable(parsed.config);
      // Whatever came in, what goes out is stable: parse(toSearch(c)) = c, without warnings.
      const again = parseSearch(toSearch(parsed.config));
      expect(again.warnings, JSON.stringify(s)).toEqual([]);
      expect(again.config, JSON.stringify(s)).toEqual(parsed.config);
    }
  });

  it('survives every hostile value in every key, and overlong links', () => {
    for (const key of KEYS) {
      for (const v of HOSTILE) {
        const { config } = parseSearch(`?${key}=${encodeURIComponent(v)}`);
        expectRunnable(config);
      }
    }
    const { config, warnings } = parseSearch(`?seed=3&hidden=${'8t-'.repeat(3000)}8t`);
    expectRunnable(config);
    expect(warnings.some((w) => /longer than/.test(w))).toBe(true);
  });
});

describe('URL notices say what was wrong and what the page does instead', () => {
  it('names a layer that is too wide rather than calling a valid list malformed', () => {
    const { config, warnings } = parseSearch('?hidden=8000r-8000r-8000r');
    const w = warnings.find((x) => x.startsWith('hidden='));
    expect(w).toMatch(/layer of 8000 units; the most is \d+/);
    expect(w).not.toMatch(/not a list/);
    expect(config.model.hidden).not.toContain('8000');
    expect(parseSearch('?hidden=16t-x').warnings.some((x) => /not a list of layers/.test(x))).toBe(true);
  });

  it('says a refused stop leaves the race without one, not "using 0"', () => {
    const { config, warnings } = parseSearch('?stop=-5');
    expect(config.stopAt).toBeNull();
    const w = warnings.find((x) => x.startsWith('stop='));
    expect(w).toMatch(/the race has no stop/);
    expect(w).not.toMatch(/using 0/);
  });
});
