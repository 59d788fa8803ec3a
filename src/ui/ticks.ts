/**
 * Ticks of the race chart's axes. On a log axis one format serves every metric: round values (decades, 1-2-5,
 * digits, or on a narrow range halves and tenths of a digit) written as plain decimals (0.01, 0.2, 0.65, 1,
 * 50, 3000), never in exponent form, so a loss, an MSE and milliseconds per step read alike. The decimals are
 * built from digits, not printed from floats, so 0.3 never shows as 0.30000000000000004.
 */

/** A log-axis tick: the integer m times 10^e. */
interface Tick {
  readonly m: number;
  readonly e: number;
}

const value = (t: Tick): number => Number(`${t.m}e${t.e}`);

/** m·10^e written out as a decimal from m's digits: (1, −2) → '0.01', (65, −2) → '0.65', (5, 3) → '5000'. */
function decimal(t: Tick): string {
  const digits = String(t.m);
  if (t.e >= 0) return `${digits}${'0'.repeat(t.e)}`;
  const k = -t.e;
  const padded = digits.length <= k ? `${'0'.repeat(k - digits.length + 1)}${digits}` : digits;
  const text = `${padded.slice(0, padded.length - k)}.${padded.slice(padded.length - k)}`;
  return text.replace(/\.?0+$/, '');
}

/** The label of a log-axis tick value (any positive value: to two significant digits). */
export function formatLogTick(v: number): string {
  if (!(v > 0) || !Number.isFinite(v)) return String(v);
  const e = Math.floor(Math.log10(v)) - 1;
  return decimal({ m: Math.round(v / 10 ** e), e });
}

/**
 * Tick sets from sparse to dense, as multiples m of 10^(decade + shift): a decade per tick, 1-2-5, every
 * digit, then (for a narrow range, e.g. a zoomed loss between 0.65 and 0.72) halves and tenths of a digit.
 */
const SETS: readonly { readonly m: readonly number[]; readonly shift: number }[] = [
  { m: [1], shift: 0 },
  { m: [1, 2, 5], shift: 0 },
  { m: [1, 2, 3, 4, 5, 6, 7, 8, 9], shift: 0 },
  { m: Array.from({ length: 18 }, (_, i) => 10 + 5 * i), shift: -1 },
  { m: Array.from({ length: 90 }, (_, i) => 10 + i), shift: -1 },
];

/** Most ticks on the axis; a sparser set that still has two is preferred to a crowded one. */
const MAX_TICKS = 8;

function ticksIn(lo: number, hi: number, set: (typeof SETS)[number]): Tick[] {
  const out: Tick[] = [];
  for (let d = Math.floor(Math.log10(lo)) - 1; d <= Math.ceil(Math.log10(hi)); d++) {
    for (const m of set.m) {
      const t = { m, e: d + set.shift };
      const v = value(t);
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(t);
    }
  }
  return out;
}

/**
 * The domain and ticks of a log axis over positive data in [min, max] (with a 2 % margin). Takes the sparsest
 * tick set that puts at least two ticks on the axis (a decade per tick thinned to every k-th decade over a
 * wide range; a dense set thinned to every k-th tick); where even tenths of a digit leave fewer than two, the
 * domain widens to the neighbouring ones.
 */
export function logTicks(min: number, max: number): { domain: [number, number]; ticks: number[] } {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return { domain: [1, 10], ticks: [1, 10] };
  const lo = min * 0.98;
  const hi = max * 1.02;
  for (const set of SETS) {
    let ticks = ticksIn(lo, hi, set);
    if (ticks.length < 2) continue;
    if (ticks.length > MAX_TICKS) {
      const every = Math.ceil(ticks.length / MAX_TICKS);
      ticks = set.m.length === 1 ? ticks.filter((t) => t.e % every === 0) : ticks.filter((_, i) => i % every === 0);
    }
    return { domain: [lo, hi], ticks: ticks.map(value) };
  }
  // Fewer than two ticks a tenth of a digit apart (e.g. 0.651–0.655): widen to the ticks either side.
  const e = Math.floor(Math.log10(lo)) - 1;
  const below = { m: Math.floor(lo / 10 ** e), e };
  const above = { m: Math.max(Math.ceil(hi / 10 ** e), below.m + 1), e };
  return { domain: [Math.min(value(below), lo), Math.max(value(above), hi)], ticks: [value(below), value(above)] };
}

/**
 * Round ticks of a linear axis over [lo, hi] (a zoomed range of steps need not start on a round number):
 * multiples of 1, 2 or 5 × 10^k, about `count` of them.
 */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo];
  const raw = (hi - lo) / count;
  const k = Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].map((m) => m * 10 ** k).find((s) => s >= raw) ?? 10 ** (k + 1);
  const out: number[] = [];
  for (let t = Math.ceil(lo / unit) * unit; t <= hi + unit * 1e-9; t += unit) out.push(Number(t.toPrecision(12)));
  return out;
}
