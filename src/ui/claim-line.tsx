/**
 * The active preset's claim under its blurb, with what this race says about it: judged on every seed of the
 * claim once the race gets to the claim's step (claim-verdict.ts), or an offer to run the claim's seeds.
 */
import type { RunSpec } from '../worker/protocol.ts';
import { claimVerdict } from './claim-verdict.ts';
import type { RunHistory } from './history.ts';
import type { PresetClaim } from './preset-claim.ts';
import { seedRange } from './seed-bands.ts';

export interface ClaimLineProps {
  readonly claim: PresetClaim;
  /** The race's seeds (worker/seed-list.ts). */
  readonly seeds: readonly number[];
  readonly runs: readonly RunSpec[];
  readonly states: Readonly<Record<string, RunHistory | undefined>>;
  /** Sets the race to the claim's seeds (shown only where they are consecutive, as a race's are). */
  readonly onClaimSeeds: () => void;
}

const consecutive = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x === xs[i - 1]! + 1);

export function ClaimLine({ claim, seeds, runs, states, onClaimSeeds }: ClaimLineProps) {
  const v = claimVerdict(claim, seeds, runs, states);
  const where = `seeds ${seedRange(claim.seeds)}, step ${claim.steps.toLocaleString('en')}`;
  return (
    <p className="preset-claim" data-testid="preset-claim" data-verdict={v.kind}>
      <strong>Claim:</strong> {claim.sentence}{' '}
      {v.kind === 'holds' && <span className="verdict holds">This race ({where}): it holds on every seed.</span>}
      {v.kind === 'fails' && (
        <span className="verdict fails">
          This race ({where}): it does not hold — {v.why}.
        </span>
      )}
      {v.kind === 'pending' && <span className="verdict">This race checks it on {where}.</span>}
      {v.kind === 'otherSeeds' && consecutive(claim.seeds) && (
        <button type="button" className="link-button" data-testid="claim-seeds" onClick={onClaimSeeds}>
          Race seeds {seedRange(claim.seeds)} to check it here
        </button>
      )}
    </p>
  );
}
