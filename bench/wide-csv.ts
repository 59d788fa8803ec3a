/**
 * `npx tsx bench/wide-csv.ts [columns] [rows] [steps]`: where a wide CSV's time goes between picking it and the
 * first curve point, through the worker session on the CPU backend: the parse, then building and stepping
 * the default race's first-order runs and its FishLeg run separately. Prints milliseconds of each, measured
 * side by side in one process (compare them with each other, not with another machine's).
 */
import { csvDataset } from '../src/engine/data/csv.ts';
import { DEFAULT_CONFIG } from '../src/ui/config.ts';
import type { RunSpec } from '../src/worker/protocol.ts';
import { WorkerSession } from '../src/worker/session.ts';

const [cols = 3000, rows = 500, steps = 10] = process.argv.slice(2).map(Number);
const header = [...Array.from({ length: cols }, (_, j) => `x${j}`), 'label'].join(',');
const lines = [header];
for (let i = 0; i < rows; i++) {
  lines.push([...Array.from({ length: cols }, (_, j) => (((i * 7 + j) % 13) / 13).toFixed(3)), i % 3].join(','));
}
const text = lines.join('\n');
const csv = { name: 'wide.csv', text };

let t = performance.now();
const data = csvDataset(csv);
console.log(
  `${cols} columns × ${rows} rows (${(text.length / 1e6).toFixed(1)} MB): parse ${(performance.now() - t).toFixed(0)} ms, ${data.inputDim} features`,
);

async function race(label: string, runs: readonly RunSpec[]): Promise<void> {
  const session = new WorkerSession(() => {});
  await session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
  t = performance.now();
  await session.handle({
    type: 'setup',
    requestId: 2,
    raceId: 1,
    spec: {
      data: { task: 'csv', n: 0, noise: 0, seed: 1, csv },
      model: { hidden: '16t', likelihood: 'auto', batch: 32, evalEvery: steps },
      runs,
      inspect: { runId: null, layer: 0 },
    },
  });
  const setup = performance.now() - t;
  t = performance.now();
  await session.handle({ type: 'step', raceId: 1, steps });
  console.log(`${label}: setup ${setup.toFixed(0)} ms, ${steps} steps ${(performance.now() - t).toFixed(0)} ms`);
  await session.dispose();
}

const runs = DEFAULT_CONFIG.runs;
await race(
  'SGD + Adam',
  runs.filter((r) => r.optimizer.kind !== 'fishleg'),
);
for (const r of runs.filter((x) => x.optimizer.kind === 'fishleg')) {
  await race(`FishLeg ${r.optimizer.kind === 'fishleg' ? r.optimizer.approx : ''}`, [r]);
  if (r.optimizer.kind === 'fishleg')
    await race('FishLeg kron-diag', [{ ...r, optimizer: { ...r.optimizer, approx: 'kron-diag' } }]);
}
process.exit(0);
