/**
 * A preset's claim judged on the race the page is running: when the race runs on the claim's seeds and every
 * run has reached the claim's step on every seed (or diverged before it), the claim's own check runs on each
 * run's training loss there, seed by seed — the same check CI runs headless (preset-claims.test.ts), so what
 * the page says about a claim is about all of its seeds, never seed 1 alone.
 */
import type { RunSpec } from '../worker/protocol.ts';
import type { RunHistory } from './history.ts';
import type { PresetClaim } from './preset-claim.ts';
import { seedCurves } from './seed-bands.ts';

export type ClaimVerdict =
  /** The race runs on other seeds than the claim's: it cannot say. */
  | { readonly kind: 'otherSeeds' }
  /** On the claim's seeds, not yet at its step. */
  | { readonly kind: 'pending' }
  | { readonly kind: 'holds' }
  | { readonly kind: 'fails'; readonly why: string };

export function claimVerdict(
  claim: PresetClaim,
  seeds: readonly number[],
  runs: readonly RunSpec[],
  states: Readonly<Record<string, RunHistory | undefined>>,
): ClaimVerdict {
  if (seeds.join() !== claim.seeds.join()) return { kind: 'otherSeeds' };
  const finals = new Map<string, number[]>();
  for (const run of runs) {
    const st = states[run.id];
    if (!st) return { kind: 'pending' };
    const curves = seedCurves(st, seeds[0]!);
    const values: number[] = [];
    for (const seed of seeds) {
      const c = curves.find((x) => x.seed === seed);
      const at = c?.points.find((p) => p.step === claim.steps);
      // A seed that diverged before the claim's step has no final loss there, as in CI.
      if (c && c.diverged !== null && c.diverged <= claim.steps) values.push(Number.NaN);
      else if (at) values.push(at.trainLoss);
      else return { kind: 'pending' };
    }
    finals.set(run.name, values);
  }
  const why = claim.check((name) => finals.get(name) ?? [], seeds);
  return why === null ? { kind: 'holds' } : { kind: 'fails', why };
}
