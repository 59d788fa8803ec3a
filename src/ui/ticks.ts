/**
 * Ticks of the race chart's log axis, one format for every metric: ticks are m·10^e with m in 1–9, written
 * as plain decimals (0.01, 0.2, 1, 50, 3000), never in exponent form, so a loss, an MSE and milliseconds per
 * step read alike. The decimals are built from digits, not printed from floats, so 0.3 never shows as
 * 0.30000000000000004.
 */

/** A log-axis tick: mantissa m (1–9) times 10^e. */
interface Tick {
  readonly m: number;
  readonly e: number;
}

const value = (t: Tick): number => Number(`${t.m}e${t.e}`);

/** m·10^e written out as a decimal: 10^-2 → '0.01', 5·10^3 → '5000'. */
function decimal(t: Tick): string {
  return t.e >= 0 ? `${t.m}${'0'.repeat(t.e)}` : `0.${'0'.repeat(-t.e - 1)}${t.m}`;
}

/** The label of a log-axis tick value (any positive value: the nearest m·10^e). */
export function formatLogTick(v: number): string {
  if (!(v > 0) || !Number.isFinite(v)) return String(v);
  let e = Math.floor(Math.log10(v));
  let m = Math.round(v / 10 ** e);
  if (m >= 10) {
    m = 1;
    e += 1;
  }
  return decimal({ m: Math.max(1, m), e });
}

/** Mantissa sets from sparse to dense: a decade per tick, 1-2-5, then every digit. */
const MANTISSAS: readonly (readonly number[])[] = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

/** Most ticks on the axis; a sparser set that still has two is preferred to a crowded one. */
const MAX_TICKS = 8;

function ticksIn(lo: number, hi: number, mantissas: readonly number[]): Tick[] {
  const out: Tick[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const v = value({ m, e });
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push({ m, e });
    }
  }
  return out;
}

/**
 * The domain and ticks of a log axis over positive data in [min, max] (with a 2 % margin). Takes the sparsest
 * mantissa set that puts at least two ticks on the axis (a decade per tick, thinned to every k-th decade over
 * a wide range); where even every digit leaves fewer than two, the domain widens to the neighbouring ticks.
 */
export function logTicks(min: number, max: number): { domain: [number, number]; ticks: number[] } {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return { domain: [1, 10], ticks: [1, 10] };
  const lo = min * 0.98;
  const hi = max * 1.02;
  for (const set of MANTISSAS) {
    let ticks = ticksIn(lo, hi, set);
    if (ticks.length < 2) continue;
    if (set.length === 1 && ticks.length > MAX_TICKS) {
      const every = Math.ceil(ticks.length / MAX_TICKS);
      ticks = ticks.filter((t) => t.e % every === 0);
    }
    return { domain: [lo, hi], ticks: ticks.map(value) };
  }
  // Fewer than two digit ticks inside (e.g. 0.31–0.33, or 0.63–0.77): widen to the digit ticks either side.
  const e = Math.floor(Math.log10(lo));
  const below = { m: Math.max(1, Math.floor(lo / 10 ** e)), e };
  const aboveM = Math.ceil(hi / 10 ** e);
  const above = aboveM >= 10 ? { m: 1, e: e + 1 } : { m: Math.max(aboveM, below.m + 1), e };
  const a = value(below);
  const b = value(above);
  return { domain: [Math.min(a, lo), Math.max(b, hi)], ticks: ticksIn(a, b, MANTISSAS[2]!).map(value) };
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
