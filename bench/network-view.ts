/**
 * What the network diagram costs the worker: a spiral run's decision-boundary frame without and with the network
 * data (views-data.ts taskFrame, network off/on), alternated in one process on the CPU backend, so the ratio is
 * side by side. Frames are computed every few evaluations (never per step), so this is a per-view figure.
 *
 *   npx tsx bench/network-view.ts [--rounds 30] [--hidden 16t-16t]
 */
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { toyDataset } from '../src/engine/data/toy.ts';
import { defaultOptimizer } from '../src/engine/optim/config.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { taskFrame, taskStatic } from '../src/worker/views-data.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '30'));
const hidden = arg('hidden', '16t-16t');

const data = toyDataset('spiral', { n: 400, seed: 1 });
const backend = new CpuBackend({ precision: 'f32' });
const trainer = Trainer.create(backend, data, {
  arch: `2-${hidden}-2`,
  likelihood: 'categorical',
  optimizer: defaultOptimizer('adam'),
  batch: 32,
  seed: 1,
});
trainer.step(100);
await trainer.settle();
const stat = taskStatic(data);
const times = { plain: [] as number[], network: [] as number[] };
// Warm-up, then alternate so that both see the same machine state.
await taskFrame(trainer, stat, false);
await taskFrame(trainer, stat, true);
for (let r = 0; r < rounds; r++) {
  for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
    const t0 = performance.now();
    await taskFrame(trainer, stat, on);
    (on ? times.network : times.plain).push(performance.now() - t0);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const plain = median(times.plain);
const network = median(times.network);
console.log(`spiral 2-${hidden}-2, 40×40 grid, CPU backend f32, ${rounds} rounds alternated (median):`);
console.log(`  decision-boundary frame            ${plain.toFixed(2)} ms`);
console.log(`  with the network view's data       ${network.toFixed(2)} ms`);
console.log(`  ratio network / plain              ${(network / plain).toFixed(2)}`);
trainer.dispose();
backend.dispose();
