/**
 * What a number field accepts, read from the settings' own descriptions (engine/setup-spec.ts for the task and
 * model, engine/optim/schema.ts for the optimizers), and how typed text becomes a value or a message that names
 * the allowed range. Pure: the field (committed-number-field.tsx) and the tests share it.
 */
import type { KeyedSetting, SetupSetting } from '../engine/page.ts';

export interface NumberRule {
  /** The setting's name in messages: "points must be an integer in [20, 20000]". */
  readonly name: string;
  readonly integer: boolean;
  readonly min?: number;
  /** min itself is excluded. */
  readonly minOpen?: boolean;
  readonly max?: number;
  readonly maxOpen?: boolean;
  /** Set when an empty field is a value of its own (null): what it means, e.g. "never" or "1/γ". */
  readonly empty?: string;
}

export type NumberRead =
  { readonly ok: true; readonly value: number | null } | { readonly ok: false; readonly message: string };

// Plain decimal or exponent notation, as people type it; no hex, no 'Infinity', no thousands separators.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The allowed values in words: "an integer in [1, 2048]", "a number in [0, 1)", "a positive number". */
export function describeRule(r: NumberRule): string {
  const what = r.integer ? 'an integer' : 'a number';
  const { min, max } = r;
  if (min !== undefined && max !== undefined)
    return `${what} in ${r.minOpen ? '(' : '['}${min}, ${max}${r.maxOpen ? ')' : ']'}`;
  if (min === 0 && r.minOpen) return r.integer ? 'a positive integer' : 'a positive number';
  if (min !== undefined) return `${what} ${r.minOpen ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `${what} ${r.maxOpen ? '<' : '≤'} ${max}`;
  return what;
}

function must(r: NumberRule): string {
  return `${r.name} must be ${describeRule(r)}${r.empty !== undefined ? ` (empty: ${r.empty})` : ''}`;
}

/** Reads a field's text: its value (null for an empty field that allows it) or a message naming the range. */
export function readNumber(text: string, r: NumberRule): NumberRead {
  const t = text.trim();
  if (t === '')
    return r.empty !== undefined ? { ok: true, value: null } : { ok: false, message: `${must(r)}; the field is empty` };
  if (!NUMBER.test(t))
    return { ok: false, message: `${must(r)}; “${t.length > 20 ? `${t.slice(0, 20)}…` : t}” is not a number` };
  const x = Number(t) + 0; // -0 → 0
  if (!Number.isFinite(x)) return { ok: false, message: `${must(r)}; ${t} is too large` };
  if (r.integer && !Number.isSafeInteger(x)) {
    const why = Number.isInteger(x) ? `${t} is too large` : `${t} is not a whole number`;
    return { ok: false, message: `${must(r)}; ${why}` };
  }
  const low = r.min !== undefined && (r.minOpen ? !(x > r.min) : x < r.min);
  const high = r.max !== undefined && (r.maxOpen ? !(x < r.max) : x > r.max);
  if (low || high) return { ok: false, message: `${must(r)}; ${t} is too ${high ? 'large' : 'small'}` };
  return { ok: true, value: x };
}

/** How a field shows a value it holds. */
export function showNumber(value: number | null): string {
  return value === null ? '' : String(value);
}

/** The rule of a task or model setting, within what the page allows (engine/setup-spec.ts). */
export function setupRule(
  s: SetupSetting & { readonly page: { readonly min: number; readonly max: number } },
  name: string = s.label,
): NumberRule {
  return { name, integer: s.type === 'integer', min: s.page.min, max: s.page.max };
}

/**
 * The rule of an optimizer's number setting (engine/optim/schema.ts). The optimizer's own validation still
 * runs on commit: it adds what a range cannot say (float32's limits, settings that depend on each other).
 */
export function settingRule(s: KeyedSetting): NumberRule {
  const empty = s.nullable ? { empty: s.nullable.placeholder } : {};
  switch (s.type) {
    case 'integer':
      return { name: s.label, integer: true, min: s.min, ...empty };
    case 'number':
      if (s.decay) return { name: s.label, integer: false, min: 0, max: 1, maxOpen: true, ...empty };
      return {
        name: s.label,
        integer: false,
        ...(s.min !== undefined ? { min: s.min, ...(s.minOpen ? { minOpen: true } : {}) } : {}),
        ...(s.max !== undefined ? { max: s.max, ...(s.maxOpen ? { maxOpen: true } : {}) } : {}),
        ...empty,
      };
    default:
      throw new Error(`${s.label} is not a number setting`);
  }
}
