/**
 * Run colours follow the optimizer, not the run's place in the list: SGD is always orange, FishLeg always
 * green, on every preset and link, so a teacher's "the green curve" means the same thing everywhere. Hues come
 * from the Okabe–Ito and Paul Tol sets, picked so that every pair stays apart for viewers with deuteranopia or
 * protanopia as well (colours.test.ts measures it with colour-vision.ts); several runs of one optimizer get shades
 * of its hue (darker, lighter, …), which differ in lightness and so stay apart for every viewer. A colour a user or a
 * link chose is kept as it is: these are only the defaults. The two-parameter demo uses the same convention
 * (plain gradient = SGD's hue, natural gradient = 'natural').
 */
import type { OptimizerKind } from '../engine/page.ts';

/** Everything that gets a hue: the optimizers, and the kinds announced next (K-FAC, exact natural gradient). */
export type ColourKind = OptimizerKind | 'kfac' | 'natural';

/**
 * One hue per kind; no two kinds share one. SGD, Adam, FishLeg and K-FAC are Okabe–Ito's orange, reddish
 * purple, bluish green and sky blue. AdamW is Tol's red rather than Okabe–Ito's vermillion, which a viewer
 * with deuteranopia sees too close to SGD's orange; the exact natural gradient is Tol's indigo, far darker than
 * K-FAC's sky blue, so the two curvature methods never read as two similar blues.
 */
export const KIND_HUES: Readonly<Record<ColourKind, string>> = {
  sgd: '#e69f00',
  adam: '#cc79a7',
  adamw: '#cc3311',
  fishleg: '#009e73',
  kfac: '#56b4e9',
  natural: '#332288',
};

/** How each further run of a kind moves from the hue: + towards white, − towards black (share of the way). */
const SHADE_STEPS = [0, -0.35, 0.4, -0.6, 0.65, -0.15] as const;

function mix(hex: string, t: number): string {
  const target = t > 0 ? 255 : 0;
  const a = Math.abs(t);
  const ch = (i: number) => {
    const v = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
    return Math.round(v + (target - v) * a)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${ch(0)}${ch(1)}${ch(2)}`;
}

/** The shades of a kind's hue, the hue itself first (lower-case '#rrggbb'). */
export function kindShades(kind: ColourKind): readonly string[] {
  return SHADE_STEPS.map((t) => mix(KIND_HUES[kind], t));
}

/**
 * The default colour of a new run of `kind`: the first shade of its hue that no run in `taken` has; when all
 * are taken (more runs of one kind than shades, which MAX_RUNS rules out today) the hue itself.
 */
export function runColour(kind: ColourKind, taken: Iterable<string>): string {
  const used = new Set([...taken].map((c) => c.toLowerCase()));
  const shades = kindShades(kind);
  return shades.find((c) => !used.has(c)) ?? shades[0]!;
}
