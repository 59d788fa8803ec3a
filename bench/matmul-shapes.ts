/**
 * `npx tsx bench/matmul-shapes.ts --backend webgpu|cpu`: matmul GFLOP/s on the shapes batch-100 training
 * of `mnist-ae` really runs (forward 'nt', backprop 'nn', gradient 'tn', FishLeg's X, Y and Q·G) and on
 * squares, for every matmul variant side by side ('auto' and each forced tiling / split-K; docs/benchmarks.md:
 * alternated rounds, medians). Prints one markdown row per shape as soon as it is measured, so a crash
 * (Dawn in Node, docs/webgpu.md) loses one row; --out writes every figure as JSON. Bundles with esbuild.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import type { MatmulVariant } from '../src/engine/gpu/kernels/matmul.ts';
import {
  benchMatmulCases,
  matmulVariantContenders,
  type MatmulBenchCase,
  type MatmulBenchResult,
  type MatmulContender,
} from '../src/engine/gpu/matmul-bench.ts';
import type { MatmulLayout } from '../src/engine/ops.ts';

const BATCH = 100;
/** mnist-ae's layers (in → out): 784-1000-500-250-30-250-500-1000-784. */
const LAYERS: readonly (readonly [number, number])[] = [
  [784, 1000],
  [1000, 500],
  [500, 250],
  [250, 30],
  [30, 250],
  [250, 500],
  [500, 1000],
  [1000, 784],
];
const DEFAULT_VARIANTS =
  'auto,tile32,tile64,tile128,tile32/split,tile64/split,tile128/split,tile64/split4,tile64/split16';

/**
 * The products of one batch-100 mnist-ae training step, deduplicated: S = Ā·W̄ᵀ (nt), dĀ = E·W̄ (nn),
 * G = Eᵀ·Ā (tn, also FishLeg's Q·G = Xᵀ·Y), FishLeg's X = E·(RRᵀ), Y = Ā·(LLᵀ) (nn) and its factor squares.
 */
function mnistAeCases(): MatmulBenchCase[] {
  const out: MatmulBenchCase[] = [];
  const seen = new Set<string>();
  const add = (label: string, layout: MatmulLayout, m: number, n: number, k: number): void => {
    const key = `${layout} ${m} ${n} ${k}`;
    if (!seen.has(key)) out.push({ label, layout, m, n, k });
    seen.add(key);
  };
  for (const [i, o] of LAYERS) add(`fwd S ${i}→${o}`, 'nt', BATCH, o, i + 1);
  for (const [i, o] of LAYERS) add(`bwd dĀ ${i}→${o}`, 'nn', BATCH, i + 1, o);
  for (const [i, o] of LAYERS) add(`grad G, Q·G ${i}→${o}`, 'tn', o, i + 1, BATCH);
  for (const [, o] of LAYERS) add(`FishLeg X ${o}`, 'nn', BATCH, o, o);
  for (const [i] of LAYERS) add(`FishLeg Y ${i + 1}`, 'nn', BATCH, i + 1, i + 1);
  // Every 10 steps FishLeg refreshes its factor products R·Rᵀ (out²) and L·Lᵀ ((in + 1)²).
  for (const [, o] of LAYERS) add(`FishLeg RRᵀ ${o}`, 'nt', o, o, o);
  for (const [i] of LAYERS) add(`FishLeg LLᵀ ${i + 1}`, 'nt', i + 1, i + 1, i + 1);
  return out;
}

/** Square products n³ in each layout. */
function squareCases(sizes: readonly number[], layouts: readonly MatmulLayout[]): MatmulBenchCase[] {
  return sizes.flatMap((n) => layouts.map((layout) => ({ label: `square ${n}`, layout, m: n, n, k: n })));
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** The table row of one shape: GFLOP/s per contender (with the kernel it ran when that is not its name). */
function row(results: readonly MatmulBenchResult[]): string {
  const r0 = results[0]!;
  const best = results.reduce((b, r) => (r.gflops > b.gflops ? r : b));
  const cells = results.map((r) => {
    const g = fmt(r.gflops);
    const cell = r.kernel && r.kernel !== r.contender ? `${g} [${r.kernel}]` : g;
    return r === best && results.length > 1 ? `**${cell}**` : cell;
  });
  const ratio = results.length > 1 ? ` ${(r0.gflops / best.gflops).toFixed(2)} |` : '';
  return `| ${r0.label ?? ''} | ${r0.layout} | ${r0.m}×${r0.n}×${r0.k} | ${r0.ms.toFixed(4)} | ${cells.join(' | ')} |${ratio}`;
}

/** Command-line options (node:util's parseArgs rather than commander: the bundle must run without a require shim). */
const OPTIONS = {
  backend: { type: 'string', default: 'webgpu', help: 'webgpu (every variant side by side) or cpu' },
  variants: { type: 'string', default: DEFAULT_VARIANTS, help: 'matmul variants (webgpu)' },
  set: { type: 'string', default: 'all', help: 'mnist (batch-100 shapes), square, or all' },
  squares: { type: 'string', help: 'square sizes (default 1024,2048,4096 on webgpu, 512,1024 on cpu)' },
  'square-layouts': { type: 'string', default: 'nn,nt,tn', help: 'layouts of the squares' },
  filter: { type: 'string', help: 'only shapes whose label or layout contains this text' },
  repeats: { type: 'string', default: '5', help: 'alternated rounds per shape (median reported)' },
  'target-ms': { type: 'string', default: '20', help: 'calibrated batch length of the fastest variant' },
  iterations: { type: 'string', help: 'fixed products per batch instead of calibrating' },
  out: { type: 'string', help: 'write every figure as JSON' },
  help: { type: 'boolean', help: 'print this' },
} as const;

function parseOptions() {
  const { values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    const lines = Object.entries(OPTIONS).map(([k, v]) => {
      const dflt = 'default' in v ? ` (default ${v.default})` : '';
      return `  --${k.padEnd(16)} ${v.help}${dflt}`;
    });
    console.log(`usage: matmul-shapes [options]\n${lines.join('\n')}`);
    process.exit(0);
  }
  return {
    backend: values.backend,
    variants: values.variants,
    set: values.set,
    squares: values.squares,
    squareLayouts: values['square-layouts'],
    filter: values.filter,
    repeats: values.repeats,
    targetMs: values['target-ms'],
    iterations: values.iterations,
    out: values.out,
  };
}

async function main(): Promise<void> {
  const o = parseOptions();
  if (o.backend !== 'webgpu' && o.backend !== 'cpu') {
    throw new Error(`--backend must be webgpu or cpu, not '${o.backend}'`);
  }
  const gpu = o.backend === 'webgpu';
  const list = (s: string): string[] => s.split(',').filter(Boolean);
  const squares = list(o.squares ?? (gpu ? '1024,2048,4096' : '512,1024')).map(Number);
  let cases = [
    ...(o.set === 'all' || o.set === 'mnist' ? mnistAeCases() : []),
    ...(o.set === 'all' || o.set === 'square' ? squareCases(squares, list(o.squareLayouts) as MatmulLayout[]) : []),
  ];
  if (o.filter) cases = cases.filter((c) => `${c.label ?? ''} ${c.layout}`.includes(o.filter!));

  let contenders: MatmulContender[];
  let device: GPUDevice | undefined;
  if (gpu) {
    const { requestNodeGpu } = await import('../src/engine/gpu/node-device.ts');
    const { requestGpuDevice } = await import('../src/engine/gpu/device.ts');
    const handle = await requestGpuDevice(await requestNodeGpu());
    device = handle.device;
    contenders = matmulVariantContenders(device, list(o.variants) as MatmulVariant[], handle.info);
  } else {
    contenders = [{ name: 'cpu', backend: new CpuBackend({ precision: 'f32' }) }];
  }
  const description = contenders[0]!.backend.description;

  const names = contenders.map((c) => c.name);
  console.log(`# matmul shapes, ${description}, ${new Date().toISOString()}, node ${process.version}`);
  console.log(
    `GFLOP/s (median of ${o.repeats} alternated rounds; bold = best; [kernel] = what a variant ran). ` +
      `ms = first column's time per product.${gpu ? ' GPU batches timed from submit to completion.' : ''}\n`,
  );
  const ratio = names.length > 1 ? ` ${names[0]} ÷ best |` : '';
  console.log(`| shape | layout | m×n×k | ms | ${names.join(' | ')} |${ratio}`);
  console.log(`|---|---|---|---|${names.map(() => '---|').join('')}${ratio ? '---|' : ''}`);
  try {
    const results = await benchMatmulCases(contenders, cases, {
      repeats: Number(o.repeats),
      targetMs: Number(o.targetMs),
      ...(o.iterations ? { iterations: Number(o.iterations) } : {}),
      onCase: (rs) => console.log(row(rs)),
    });
    if (o.out) {
      writeFileSync(o.out, JSON.stringify({ date: new Date().toISOString(), description, results }, null, 2));
    }
  } finally {
    for (const c of contenders) c.backend.dispose();
    device?.destroy();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`matmul-shapes failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
