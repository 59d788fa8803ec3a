/**
 * `npm run bench:report -- bench/results/<dir>`: the docs/benchmarks.md table from the JSON curves that
 * `npm run train -- --task mnist-ae ... --out` wrote (adam.json and fishleg-*.json in one folder): steps for
 * FishLeg to reach Adam's final train NLL, final losses, and the wall-clock ratio to that loss.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Point {
  step: number;
  seconds: number;
  trainLoss: number;
  testLoss: number;
  testMse?: number;
  auxLoss?: number;
}
interface RunFile {
  config: { optimizer: { kind: string; approx?: string }; device?: string };
  msPerStep: number;
  curve: Point[];
}

/** First point of the curve at or below `target`, linearly interpolated between evaluations. */
export function crossing(curve: readonly Point[], target: number): { step: number; seconds: number } | null {
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (b.trainLoss <= target) {
      const f = a.trainLoss === b.trainLoss ? 1 : (a.trainLoss - target) / (a.trainLoss - b.trainLoss);
      const t = Math.min(1, Math.max(0, f));
      return { step: a.step + t * (b.step - a.step), seconds: a.seconds + t * (b.seconds - a.seconds) };
    }
  }
  return null;
}

function main(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  // Other JSON in the folder (e.g. matmul-shapes.json) is not a training curve.
  const runs = files
    .map((f) => ({ file: f, run: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Partial<RunFile> }))
    .filter((r): r is { file: string; run: RunFile } => Array.isArray(r.run.curve) && r.run.config !== undefined);
  const adam = runs.find((r) => r.run.config.optimizer.kind === 'adam');
  if (!adam) throw new Error(`no Adam run (optimizer.kind 'adam') among ${files.join(', ')}`);
  const aLast = adam.run.curve[adam.run.curve.length - 1]!;
  console.log(
    `Adam: ${aLast.step} steps, train NLL ${aLast.trainLoss.toFixed(2)}, test NLL ${aLast.testLoss.toFixed(2)}, ${aLast.seconds.toFixed(1)} s training (${adam.run.config.device ?? ''})\n`,
  );
  console.log(
    "| run | final train NLL | final test NLL | test MSE | steps to Adam's final | ÷ Adam steps | time to Adam's final ÷ Adam time | ms/step (incl. aux) |",
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { run } of runs) {
    const last = run.curve[run.curve.length - 1]!;
    const x = crossing(run.curve, aLast.trainLoss);
    const name =
      run.config.optimizer.kind === 'fishleg' ? `FishLeg ${run.config.optimizer.approx}` : run.config.optimizer.kind;
    console.log(
      `| ${name} | ${last.trainLoss.toFixed(2)} | ${last.testLoss.toFixed(2)} | ${last.testMse?.toFixed(4) ?? '–'} | ${x ? Math.round(x.step) : 'not reached'} | ${x ? (x.step / aLast.step).toFixed(2) : '–'} | ${x ? (x.seconds / aLast.seconds).toFixed(2) : '–'} | ${run.msPerStep.toFixed(2)} |`,
    );
  }
}

main(process.argv[2] ?? 'bench/results');
