/**
 * What loading a CSV in the page will cost, said before it happens. Parsing runs on the page's thread
 * (to name the bad line at once), about a second per few million cells; and a wide file makes FishLeg's
 * block-Kron and sum-of-Kron keep a p×p Gram of the input layer (p = features + 1), refreshed at creation and
 * after every auxiliary update at p³ multiply-adds — 2.7·10¹⁰ for 3,000 columns, tens of seconds on the CPU,
 * where the file itself parses in well under a second. Kron+diag has no such Gram.
 */
import type { OptimizerConfig } from '../engine/page.ts';

/** Cells from which the parse is announced (a few hundred milliseconds of parsing on a laptop). */
export const CSV_NOTICE_CELLS = 1_000_000;
/** Multiply-adds of one Gram refresh from which FishLeg's cost is announced (about a second on the CPU). */
export const GRAM_NOTICE_MACS = 1e9;

const MB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const millions = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} million` : n.toLocaleString('en'));

/** The notice to show before parsing `name` (null for a file small enough to parse unnoticed). */
export function csvParseNotice(name: string, bytes: number, cells: number): string | null {
  if (cells < CSV_NOTICE_CELLS) return null;
  return `Reading ${name} (${MB(bytes)}, ≈ ${millions(cells)} cells): the page pauses while it is parsed.`;
}

/**
 * The notice for FishLeg runs whose input-layer Gram is costly on data with `features` columns (null when
 * none is): p³ multiply-adds per refresh, p = features + 1, for each block-Kron term.
 */
export function wideInputNotice(
  features: number,
  runs: readonly { readonly optimizer: OptimizerConfig }[],
): string | null {
  const p = features + 1;
  const gram = p ** 3;
  if (gram < GRAM_NOTICE_MACS) return null;
  const costly = runs.filter((r) => r.optimizer.kind === 'fishleg' && r.optimizer.approx !== 'kron-diag');
  if (costly.length === 0) return null;
  return `This CSV has ${features.toLocaleString('en')} feature columns: FishLeg's ${costly.length === 1 ? 'run keeps' : 'runs keep'} a ${p.toLocaleString('en')} × ${p.toLocaleString('en')} Gram of the input layer, ≈ ${gram.toExponential(1)} multiply-adds at the start and after every auxiliary update (tens of seconds on the CPU). FishLeg's Kron+diag approximation has no such Gram.`;
}
