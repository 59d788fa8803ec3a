/**
 * `npm run bench:floor`: FishLeg's arithmetic against its floor (docs/benchmarks.md §5). For each network and
 * approximation it counts the multiply-adds of the programs as recorded (cost.ts `countOps` over the op lists
 * the backend was given), the least the math needs for the same shapes (cost.ts `layerFloor`, every product
 * in its cheapest association), the WebGPU dispatches those op lists plan into, and the measured ms/step ÷
 * Adam on the CPU backend, Adam and every FishLeg run alternated in rounds of K steps in one process.
 */
import { Command } from 'commander';
import type { Backend, Program } from '../src/engine/backend.ts';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import type { Dataset } from '../src/engine/data/dataset.ts';
import { barsDataset } from '../src/engine/data/bars.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { toyDataset } from '../src/engine/data/toy.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import {
  addCounts,
  auxSharedFloor,
  countOps,
  layerFloor,
  passFloor,
  total,
  ZERO_COUNT,
  type FloorNet,
  type FloorOptions,
  type OpCount,
} from '../src/engine/fishleg/cost.ts';
import { planOp } from '../src/engine/gpu/kernels/index.ts';
import { kronPositions, kronShape } from '../src/engine/layers/registry.ts';
import type { Likelihood, Op } from '../src/engine/ops.ts';
import { defaultFishLeg, defaultOptimizer, FISHLEG_APPROXES, type FishLegApprox } from '../src/engine/optim/config.ts';
import type { Tensor } from '../src/engine/tensor.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { alternateStepTimes, fmt } from './timing.ts';
import { FishLeg } from '../src/engine/fishleg/fishleg.ts';

interface Net {
  readonly name: string;
  readonly arch: string;
  readonly batch: number;
  readonly likelihood: Likelihood;
  readonly data: () => Dataset;
}

const NETS: Readonly<Record<string, Net>> = {
  spiral: {
    name: 'spiral',
    arch: '2-32t-32t-2',
    batch: 50,
    likelihood: 'categorical',
    data: () => toyDataset('spiral', { n: 2000, seed: 1 }),
  },
  'mnist-64': {
    name: 'mnist-64',
    arch: '784-64r-16-64r-784',
    batch: 100,
    likelihood: 'bernoulli',
    data: () => loadMnistNode('mnist-ae'),
  },
  'mnist-300': {
    name: 'mnist-300',
    arch: '784-300r-100r-30-100r-300r-784',
    batch: 100,
    likelihood: 'bernoulli',
    data: () => loadMnistNode('mnist-ae'),
  },
  // Conv nets: a conv layer's Kronecker rows are batch × output pixels; pooling has none.
  'bars-cnn': {
    name: 'bars-cnn',
    arch: '8x8x1-c8k3p1r-mp2-f-2',
    batch: 64,
    likelihood: 'categorical',
    data: () => barsDataset({ n: 2000, seed: 1 }),
  },
  'mnist-cnn': {
    name: 'mnist-cnn',
    arch: '28x28x1-c8k5s2p2r-mp2-f-10',
    batch: 100,
    likelihood: 'categorical',
    data: () => loadMnistNode('mnist'),
  },
  // The paper's autoencoder: too slow to time on a CPU (use --rounds 0 for its counts and dispatches).
  'mnist-ae': {
    name: 'mnist-ae',
    arch: '784-1000r-500r-250r-30-250r-500r-1000r-784',
    batch: 100,
    likelihood: 'bernoulli',
    data: () => loadMnistNode('mnist-ae'),
  },
};
const DEFAULT_NETS = 'spiral,mnist-64,mnist-300';

/** Passes everything to one CPU backend and keeps the op list of every program recorded through it. */
class Recorder implements Backend {
  readonly programs = new Map<string, readonly Op[]>();
  constructor(private readonly inner: Backend) {}
  get name() {
    return this.inner.name;
  }
  get precision() {
    return this.inner.precision;
  }
  get description() {
    return this.inner.description;
  }
  alloc(size: number, label: string, dtype?: Tensor['storage']['dtype']): Tensor {
    return this.inner.alloc(size, label, dtype);
  }
  free(t: Tensor): void {
    this.inner.free(t);
  }
  liveStorages(): number {
    return this.inner.liveStorages();
  }
  write(t: Tensor, data: ArrayLike<number>, offset?: number): void {
    this.inner.write(t, data, offset);
  }
  read(t: Tensor) {
    return this.inner.read(t);
  }
  record(label: string, ops: readonly Op[]): Program {
    this.programs.set(label, ops);
    return this.inner.record(label, ops);
  }
  run(...programs: readonly Program[]): void {
    this.inner.run(...programs);
  }
  release(p: Program): void {
    this.inner.release(p);
  }
  sync(): Promise<void> {
    return this.inner.sync();
  }
  dispose(): void {
    // The shared inner backend is disposed once by the caller.
  }
}

const dispatches = (ops: readonly Op[]): number => ops.reduce((s, op) => s + planOp(op).dispatches.length, 0);
const M = (x: number): string => fmt(x / 1e6, 1);
const pct = (x: number): string => `${Math.round(100 * x)} %`;

interface Run {
  readonly name: string;
  readonly approx: FishLegApprox | null;
  readonly trainer: Trainer;
  readonly rec: Recorder;
}

/** Op lists of a run's programs: the train step on ordinary and auxiliary steps, the optimizer's programs. */
function programsOf(run: Run): { trainOrd: readonly Op[]; trainAux: readonly Op[]; opt: Map<string, readonly Op[]> } {
  const trains = [...run.rec.programs.entries()].filter(([k]) => k.startsWith('train-step['));
  const trainAux = trains.find(([k]) => k === 'train-step[all]')?.[1] ?? [];
  const trainOrd = trains.find(([k]) => k !== 'train-step[all]')?.[1] ?? trainAux;
  return { trainOrd, trainAux, opt: run.rec.programs };
}

async function main(): Promise<void> {
  const o = new Command('fishleg-floor')
    .option('--nets <list>', `networks: ${Object.keys(NETS).join(', ')}`, DEFAULT_NETS)
    .option('--approx <list>', 'FishLeg approximations', FISHLEG_APPROXES.join(','))
    .option('--rounds <n>', 'alternated timing rounds of K steps (0: counts only)', '3')
    .option('--layers', 'print the per-layer table')
    .parse()
    .opts<{ nets: string; approx: string; rounds: string; layers?: boolean }>();
  const inner = new CpuBackend({ precision: 'f32' });
  const approxes = o.approx.split(',') as FishLegApprox[];
  console.log(`# FishLeg against its arithmetic floor, ${inner.description}, ${new Date().toISOString()}`);
  for (const key of o.nets.split(',')) {
    const net = NETS[key];
    if (!net) throw new Error(`unknown network '${key}' (expected one of ${Object.keys(NETS).join(', ')})`);
    const data = new DeviceDataset(inner, net.data());
    const base = { arch: net.arch, likelihood: net.likelihood, batch: net.batch, seed: 1 };
    const make = (name: string, approx: FishLegApprox | null): Run => {
      const rec = new Recorder(inner);
      const optimizer = approx ? defaultFishLeg(approx) : defaultOptimizer('adam');
      return { name, approx, rec, trainer: Trainer.create(rec, data, { ...base, optimizer }) };
    };
    const runs = [make('adam', null), ...approxes.map((a) => make(`fishleg ${a}`, a))];
    const K = defaultFishLeg().auxEvery;
    // K + 1 steps record both train programs (ordinary and auxiliary steps); timing warms up past them.
    const rounds = Number(o.rounds);
    const times =
      rounds > 0
        ? await alternateStepTimes(runs, { rounds, steps: K, warmup: K + 2 })
        : (runs.forEach((r) => r.trainer.step(K + 1)), null);
    const layout = runs[0]!.trainer.layout;
    const shapes = layout.layers.map(kronShape);
    const fnet: FloorNet = { layers: layout.layers };
    const B = net.batch;
    const n = layout.total;
    const pass = passFloor(fnet, B);
    const rowsOf = layout.layers.map((l) => B * kronPositions(l));
    const formAll = shapes.reduce((s, { m, p }, l) => s + rowsOf[l]! * m * p, 0);
    const adamFloor = total(pass) + formAll + n;
    const adamP = programsOf(runs[0]!);
    const adamCount = addCounts(countOps(adamP.trainAux), countOps(adamP.opt.get('adam') ?? []));
    const adamDispatches = dispatches(adamP.trainAux) + dispatches(adamP.opt.get('adam') ?? []);
    console.log(`\n## ${net.name}: ${net.arch}, batch ${B}, K = ${K}\n`);
    console.log(
      `Adam: ${M(adamCount.macs)} M multiply-adds per step counted (floor ${M(adamFloor)} M), ${adamDispatches} dispatches per step` +
        (times ? `, ${fmt(times[0]!.msPerStep)} ms/step` : ''),
    );
    console.log(
      '\n| FishLeg | program | counted M | floor M | floor ÷ counted | dispatches |\n|---|---|---|---|---|---|',
    );
    const summary: string[] = [];
    runs.forEach((run, i) => {
      if (!run.approx) return;
      const fo: FloorOptions = { approx: run.approx, batch: B, auxBatch: B, preconditionAux: true };
      const lf = shapes.map((s, l) => layerFloor(s, { ...fo, batch: rowsOf[l]! }));
      const sum = (f: (x: (typeof lf)[number]) => number): number => lf.reduce((s, x) => s + f(x), 0);
      const p = programsOf(run);
      const step = p.opt.get('fishleg.step') ?? [];
      const auxAll = p.opt.get('fishleg.aux') ?? [];
      const refresh = p.opt.get('fishleg.refresh') ?? [];
      const aux = auxAll.slice(0, auxAll.length - refresh.length);
      const c = {
        trainOrd: countOps(p.trainOrd),
        trainAux: countOps(p.trainAux),
        step: countOps(step),
        aux: countOps(aux),
        refresh: countOps(refresh),
      };
      // Floors: the shared passes, then the per-layer programs; an auxiliary step forms every dense G for u.
      const f = {
        trainOrd: total(pass),
        trainAux: total(pass) + formAll,
        step: sum((x) => total(x.step)),
        stepOnAux: sum((x) => total(x.stepOnAux)),
        aux: sum((x) => total(x.aux)) + total(auxSharedFloor(fnet, fo)),
        refresh: sum((x) => total(x.refresh)),
      };
      const perStep = (ord: number, onAux: number, auxStep: number): number => ((K - 1) * ord + onAux + auxStep) / K;
      const counted = perStep(
        c.trainOrd.macs + c.step.macs,
        c.trainAux.macs + c.step.macs,
        c.aux.macs + c.refresh.macs,
      );
      const floorAvg = perStep(f.trainOrd + f.step, f.trainAux + f.stepOnAux, f.aux + f.refresh);
      const d = {
        ord: dispatches(p.trainOrd) + dispatches(step),
        aux: dispatches(p.trainAux) + dispatches(auxAll) + dispatches(step),
        auxProgram: dispatches(auxAll),
      };
      // The train pass and the parameter step are counted together: which of them forms G depends on the layer.
      const rows: [string, OpCount, number, number][] = [
        [
          'ordinary step: train pass + parameter step',
          addCounts(c.trainOrd, c.step),
          f.trainOrd + f.step,
          dispatches(p.trainOrd) + dispatches(step),
        ],
        [
          'auxiliary step: train pass (every dense G) + parameter step',
          addCounts(c.trainAux, c.step),
          f.trainAux + f.stepOnAux,
          dispatches(p.trainAux) + dispatches(step),
        ],
        ['auxiliary update', c.aux, f.aux, dispatches(aux)],
        ['factor refresh', c.refresh, f.refresh, dispatches(refresh)],
      ];
      for (const [name, cnt, fl, dp] of rows) {
        console.log(
          `| ${run.approx} | ${name} | ${M(cnt.macs)} | ${M(fl)} | ${pct(fl / Math.max(1, cnt.macs))} | ${dp} |`,
        );
      }
      console.log(
        `| ${run.approx} | **per step, average over K** | ${M(counted)} | ${M(floorAvg)} | ${pct(floorAvg / counted)} | ${fmt(((K - 1) * d.ord + d.aux) / K, 1)} |`,
      );
      const ms = times ? times[i]!.msPerStep / times[0]!.msPerStep : Number.NaN;
      const floorRatio = floorAvg / adamFloor;
      summary.push(
        `| ${run.approx} | ${fmt(counted / adamCount.macs)} | ${fmt(floorRatio)} | ${fmt(ms)} | ${fmt(ms / floorRatio)} | ${d.ord} / ${d.aux} (aux program ${d.auxProgram}) |`,
      );
      if (o.layers) {
        const fl = run.trainer.inverseFisher;
        const segs = fl instanceof FishLeg ? fl.programSegments : undefined;
        if (segs) {
          console.log(`\n| layer m×p | program | counted M | floor M |\n|---|---|---|---|`);
          shapes.forEach((s, l) => {
            const of = (list: typeof segs.aux, pred: (part: string) => boolean): number =>
              list
                .filter((x) => x.layer === l && pred(x.part))
                .reduce((acc, x) => addCounts(acc, countOps(x.ops)), ZERO_COUNT).macs;
            const items: [string, number, number][] = [
              ['Q·g', of(segs.step, () => true), total(lf[l]!.step)],
              ['aux (v, Q·r, ∇λ)', of(segs.aux, (q) => q !== 'refresh'), total(lf[l]!.aux)],
              ['refresh', of(segs.aux, (q) => q === 'refresh'), total(lf[l]!.refresh)],
            ];
            for (const [name, cnt, fl] of items) console.log(`| ${s.m}×${s.p} | ${name} | ${M(cnt)} | ${M(fl)} |`);
          });
          console.log('');
        }
      }
    });
    console.log(
      '\n| FishLeg | counted ÷ Adam | floor ÷ Adam (floor ratio) | measured ms ÷ Adam | measured ÷ floor ratio | dispatches per step: ordinary / auxiliary |\n|---|---|---|---|---|---|',
    );
    for (const s of summary) console.log(s);
    for (const r of runs) r.trainer.dispose();
    data.dispose();
  }
  inner.dispose();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`fishleg-floor failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
