/**
 * What `npm run bench:claims` reports for one preset: every run's train loss on every seed at the claim's step
 * and at the preset's full budget (test loss at the budget too), and the claim's own check on all the seeds at
 * both steps, as a record (its --json) and as a Markdown table (what BENCHMARKS.md quotes).
 */
import type { Preset } from '../ui/presets.ts';
import { judgeClaim, lossesAt, type PresetRaces } from './claim-race.ts';

/** The claim's check at one step: why it fails, or null when it holds. */
export interface ClaimVerdictAt {
  readonly step: number;
  readonly seeds: readonly number[];
  readonly why: string | null;
}

export interface ClaimReport {
  readonly preset: string;
  readonly sentence: string;
  readonly seeds: readonly number[];
  readonly claimStep: number;
  readonly fullStep: number;
  readonly evalEvery: number;
  /** Wall-clock seconds of the whole preset's races (every seed). */
  readonly seconds: number;
  readonly runs: readonly {
    readonly name: string;
    /** Train loss per seed at the claim's step and at the full budget; NaN where the run diverged before. */
    readonly atClaim: readonly number[];
    readonly atFull: readonly number[];
    readonly testAtFull: readonly number[];
  }[];
  /** On every seed raced: at the claim's step, then at the full budget (one entry where the two are the same). */
  readonly verdicts: readonly ClaimVerdictAt[];
  /** At the claim's step on the claim's own seeds (what CI checks), where those are among the seeds raced. */
  readonly ciVerdict: ClaimVerdictAt | null;
}

/** Judges the preset's claim on races that reached its full budget with both steps on every curve. */
export function claimReport(
  preset: Preset,
  races: PresetRaces,
  fullStep: number,
  evalEvery: number,
  seconds: number,
): ClaimReport {
  const claim = preset.claim;
  if (!claim) throw new Error(`the preset '${preset.id}' makes no claim`);
  const { seeds } = races;
  const [atClaim, atFull, testAtFull] = [
    lossesAt(races, claim.steps),
    lossesAt(races, fullStep),
    lossesAt(races, fullStep, 'testLoss'),
  ];
  const verdictAt = (step: number, losses: ReadonlyMap<string, readonly number[]>): ClaimVerdictAt => ({
    step,
    seeds,
    why: judgeClaim(claim.check, losses, seeds),
  });
  const verdicts = [verdictAt(claim.steps, atClaim)];
  if (fullStep !== claim.steps) verdicts.push(verdictAt(fullStep, atFull));
  const picks = claim.seeds.map((s) => seeds.indexOf(s));
  const ciVerdict = picks.every((k) => k >= 0)
    ? {
        step: claim.steps,
        seeds: claim.seeds,
        why: judgeClaim(
          claim.check,
          new Map([...atClaim].map(([name, xs]) => [name, picks.map((k) => xs[k]!)])),
          claim.seeds,
        ),
      }
    : null;
  return {
    preset: preset.id,
    sentence: claim.sentence,
    seeds,
    claimStep: claim.steps,
    fullStep,
    evalEvery,
    seconds,
    runs: races.runs.map((r) => ({
      name: r.name,
      atClaim: atClaim.get(r.name)!,
      atFull: atFull.get(r.name)!,
      testAtFull: testAtFull.get(r.name)!,
    })),
    verdicts,
    ciVerdict,
  };
}

/** Four significant figures, "—" where there is no loss (diverged, or no evaluation there). */
export const showLoss = (x: number): string => (Number.isFinite(x) ? x.toPrecision(4) : '—');

const verdictText = (v: ClaimVerdictAt): string =>
  `step ${v.step.toLocaleString('en-US')}, seeds ${v.seeds.join(', ')}: ${v.why === null ? 'holds' : `fails (${v.why})`}`;

/**
 * A Markdown table with a row per run: train loss per seed at the claim's step (where it is not the budget),
 * at the budget, and test loss at the budget; then the verdicts and the wall time.
 */
export function formatClaimReport(r: ClaimReport): string {
  const join = (xs: readonly number[]) => xs.map(showLoss).join(' / ');
  const split = r.claimStep !== r.fullStep;
  const steps = (n: number) => n.toLocaleString('en-US');
  const head = [
    'run',
    ...(split ? [`train @ ${steps(r.claimStep)} (claim)`] : []),
    `train @ ${steps(r.fullStep)}${split ? ' (budget)' : ' (claim = budget)'}`,
    `test @ ${steps(r.fullStep)}`,
  ];
  const rows = r.runs.map((run) => [
    run.name,
    ...(split ? [join(run.atClaim)] : []),
    join(run.atFull),
    join(run.testAtFull),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const lines = [
    `${r.preset}: seeds ${r.seeds.join(' / ')}, evaluated every ${steps(r.evalEvery)} steps`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `claim: ${r.sentence}`,
    ...r.verdicts.map((v) => `- ${verdictText(v)}`),
    ...(r.ciVerdict ? [`- as CI checks it (${verdictText(r.ciVerdict)})`] : []),
    `- wall time ${r.seconds.toFixed(0)} s`,
  ];
  return lines.join('\n') + '\n';
}
