/**
 * `npm run bench:claims [-- --presets id,id --seeds 1,2,3,4,5 --json FILE]`: every preset that makes a claim,
 * raced headless on the CPU backend (f32, the worker's own race, src/cli/claim-race.ts — the loop CI's
 * src/ui/preset-claims.test.ts runs on the claim's seeds at the claim's step) on five seeds at the preset's full
 * budget (stopAt), evaluated every gcd(claim step, budget) steps so that both steps are on every curve. Prints
 * each run's train loss per seed at the claim's step and at the budget, the test loss at the budget, the claim's
 * own check on all the seeds at both steps (and on the claim's seeds at its step, as CI checks it), and the wall
 * time. The losses do not depend on the machine's load; the wall time does.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { gcd, racePresetOnSeeds } from '../src/cli/claim-race.ts';
import { claimReport, formatClaimReport, type ClaimReport } from '../src/cli/claim-report.ts';
import { PRESETS } from '../src/ui/presets.ts';

const o = new Command('preset-claims')
  .option('--presets <ids>', 'comma list of preset ids (default: every preset with a claim)')
  .option('--seeds <list>', 'comma list of seeds', '1,2,3,4,5')
  .option('--eval-every <n>', 'steps between evaluations (must divide the claim step and the budget)')
  .option('--json <file>', 'also write the reports as JSON')
  .parse()
  .opts<{ presets?: string; seeds: string; evalEvery?: string; json?: string }>();

const seeds = o.seeds.split(',').map(Number);
if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s))) throw new Error(`bad --seeds ${o.seeds}`);
const claimed = PRESETS.filter((p) => p.claim !== undefined);
const ids = o.presets?.split(',') ?? claimed.map((p) => p.id);
const presets = ids.map((id) => {
  const p = claimed.find((x) => x.id === id);
  if (!p) throw new Error(`no preset '${id}' with a claim (those with one: ${claimed.map((x) => x.id).join(', ')})`);
  return p;
});

const reports: (ClaimReport & { readonly curves: unknown })[] = [];
console.log(`# preset claims at the full budget, CPU f32, seeds ${seeds.join(', ')}, ${new Date().toISOString()}\n`);
for (const preset of presets) {
  const claim = preset.claim!;
  const full = preset.config('cpu').stopAt ?? claim.steps;
  const evalEvery = o.evalEvery !== undefined ? Number(o.evalEvery) : gcd(claim.steps, full);
  if (!(evalEvery >= 1) || claim.steps % evalEvery !== 0 || full % evalEvery !== 0)
    throw new Error(`--eval-every ${evalEvery} does not divide both ${claim.steps} and ${full}`);
  const t0 = performance.now();
  const races = await racePresetOnSeeds(preset, {
    seeds,
    steps: full,
    evalEvery,
    onSeed: (s) => console.error(`  ${preset.id}: seed ${s} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`),
  });
  const report = claimReport(preset, races, full, evalEvery, (performance.now() - t0) / 1000);
  // The JSON keeps every curve ([step, train, test] per evaluation), for figures between the two steps.
  const curves = races.runs.map((r) => ({
    name: r.name,
    seeds: r.seeds.map((c) => ({
      seed: c.seed,
      diverged: c.diverged,
      points: c.curve.map((p) => [p.step, p.trainLoss, p.testLoss]),
    })),
  }));
  reports.push({ ...report, curves });
  console.log(formatClaimReport(report));
  // NaN (a diverged run) is written as null.
  if (o.json) writeFileSync(o.json, JSON.stringify(reports, null, 2));
}
