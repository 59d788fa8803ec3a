/**
 * One description per optimizer setting: its config key, label, unit, URL key, CLI flag, type, range,
 * default (in the optimizer's defaults), whether it changes live, and help text. The engine's validation,
 * the URL codec (src/ui/config.ts), the run widgets (src/ui/runs-panel.tsx), the CLI flags (src/cli/args.ts)
 * and the README's flag table (scripts/gen-docs.ts) are all generated from these descriptions, so a
 * setting is written once. Plain data: the page imports it without the optimizers' code.
 */
import { printable } from '../printable.ts';
import type { ParamLayout } from '../model/mlp.ts';

/** Thrown for settings no optimizer can run with; the message names the setting and the allowed range. */
export class OptimizerConfigError extends Error {
  override readonly name = 'OptimizerConfigError';
}

/** The largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;
/** The smallest normal float32: GPUs may flush anything smaller (subnormals) to zero. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;
/** The largest float32 below 1 (1 − 2⁻²⁴): anything in (0.99999997, 1) rounds to 1 in a float32 buffer. */
export const F32_BELOW_ONE = 1 - 2 ** -24;

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Whether a float survives the trip to a float32 buffer as itself: finite there, and 0 or normal. */
export function isFloat32Normal(x: number): boolean {
  const a = Math.abs(x);
  return finite(x) && a <= F32_MAX && (a === 0 || a >= F32_MIN_NORMAL);
}

/** What null means for a nullable setting ("unset for 1/damping"), and how the widget shows it. */
export interface NullMeaning {
  /** Completes "unset for …" in messages and help. */
  readonly meaning: string;
  /** The widget's placeholder for null (e.g. '1/γ'). */
  readonly placeholder: string;
}

interface SettingBase {
  /** Widget label, e.g. 'β momentum'. */
  readonly label: string;
  /** Name in messages, e.g. 'FishLeg beta' (the message says "FishLeg beta must be in [0, 1)"). */
  readonly name: string;
  readonly unit?: string;
  /** Key in a run's URL field list (`run=fishleg~…~…~be:0.8`); never change one, links carry it. */
  readonly url: string;
  /** Long CLI flag, e.g. '--aux-lr'; optimizers may share one (`--lr`) for the same config key. */
  readonly cli: string;
  /** How the setting changes while training: 'live' (next step), 'switch' (a structure switch), 'creation'. */
  readonly live: 'live' | 'switch' | 'creation';
  /** One line of help: CLI --help, the README table, the widget's tooltip. */
  readonly help: string;
  /** Set when null is allowed. */
  readonly nullable?: NullMeaning;
}

/**
 * A float setting. Every float reaches a float32 hyper buffer, so finite float32 (no overflow to ∞, no
 * subnormal) is always required on top of the range.
 */
export interface NumberSetting extends SettingBase {
  readonly type: 'number';
  readonly min?: number;
  /** min is excluded (x > min). */
  readonly minOpen?: boolean;
  readonly max?: number;
  readonly maxOpen?: boolean;
  /** A decay rate in [0, 1): also below 1 once rounded to float32 (where 0.9999999999 is 1). */
  readonly decay?: boolean;
  /**
   * The range of a log-scale slider the run card shows beside the field (for dragging a live setting while it
   * trains); the field still takes any valid value.
   */
  readonly slider?: { readonly min: number; readonly max: number };
}

export interface IntegerSetting extends SettingBase {
  readonly type: 'integer';
  readonly min: number;
  /** Largest value a link may set (the engine itself takes any safe integer; the memory estimate judges it). */
  readonly linkMax?: number;
}

export interface EnumChoice<V extends string = string> {
  readonly value: V;
  readonly label: string;
}

export interface EnumSetting<V extends string = string> extends SettingBase {
  readonly type: 'enum';
  readonly choices: readonly EnumChoice<V>[];
  /**
   * Values of the config type that are recognised but not offered, each with the reason (K-FAC's 'ggn'):
   * the message says why rather than "unknown".
   */
  readonly refused?: Readonly<Partial<Record<V, string>>>;
}

export interface BooleanSetting extends SettingBase {
  readonly type: 'boolean';
}

export type Setting = NumberSetting | IntegerSetting | EnumSetting | BooleanSetting;

/** The setting that describes a config value of type V. */
type SettingFor<V> = [V] extends [boolean]
  ? BooleanSetting
  : [V] extends [number | null]
    ? NumberSetting | IntegerSetting
    : [V] extends [string]
      ? EnumSetting<V>
      : never;

/** A setting with its config key. */
export type KeyedSetting = Setting & { readonly key: string };

/** Every config key but `kind` described, in the order widgets, flags and URL fields list them. */
export type SettingsSchema<C extends { readonly kind: string }> = {
  readonly [K in Exclude<keyof C, 'kind'>]-?: SettingFor<C[K]>;
};

/** One device buffer of an optimizer's state, for the memory estimate (engine/memory.ts). */
export interface StateBuffer {
  /** The kind of memory it is summed into, e.g. 'Adam state'. */
  readonly part: string;
  readonly name: string;
  readonly floats: number;
}

/** What an optimizer's memory estimate is computed from: the model's shapes, before anything is allocated. */
export interface StateContext {
  readonly layout: ParamLayout;
  /** Training batch rows. */
  readonly batch: number;
  /** The buffers of a model workspace of `rows` rows (model/passes.ts), e.g. for an auxiliary batch. */
  readonly workspace: (rows: number, part: string, label: string) => StateBuffer[];
}

/** One optimizer as plain data: what the page, the URL, the CLI and validation need. */
export interface OptimizerSpec<C extends { readonly kind: string } = { readonly kind: string }> {
  /** Every kind this spec handles (Adam and AdamW share one). */
  readonly kinds: readonly C['kind'][];
  readonly labels: Readonly<Record<C['kind'], string>>;
  /** One line for the README and the add-run menu. */
  readonly summary: string;
  /** Whether its class offers an InverseFisherView (optim/optimizer.ts): the page offers Inside views for it. */
  readonly inverseFisher?: boolean;
  /**
   * Whether it reads the layers' curvature (Kronecker factors, per-example rows of Ā and E): it refuses a net
   * with a layer kind that does not offer it yet (layers/types.ts LayerKind.curvature).
   */
  readonly curvature?: boolean;
  /** The most parameters a model may have for this optimizer (the exact natural gradient's CG); absent: no cap. */
  readonly maxParams?: number;
  readonly schema: SettingsSchema<C>;
  defaults(kind: C['kind']): C;
  /** Rules across settings (e.g. lr × weight decay in float32), after each setting passed its own. */
  refine?(c: C): void;
  /** Every device buffer the optimizer allocates, by its shapes alone (the memory estimate). */
  stateBuffers(c: C, ctx: StateContext): readonly StateBuffer[];
}

/** The spec's settings with their keys, in schema order. */
export function settingsOf(spec: OptimizerSpec): readonly KeyedSetting[] {
  return Object.entries(spec.schema as Readonly<Record<string, Setting>>).map(([key, s]) => ({ ...s, key }));
}

function fail(message: string): never {
  throw new OptimizerConfigError(message);
}

/** "unset for …" for a nullable setting's messages. */
const orUnset = (s: Setting): string => (s.nullable ? `, or unset for ${s.nullable.meaning}` : '');

/** The range of a number setting in words ("a positive number", "≥ 0", "in [0, 1)"). */
export function describeRange(s: Setting): string {
  switch (s.type) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${s.choices.map((c) => c.value).join(', ')}`;
    case 'integer':
      return `an integer ≥ ${s.min}`;
    case 'number': {
      if (s.decay) return 'in [0, 1)';
      const { min, max } = s;
      if (min !== undefined && max !== undefined) {
        return `in ${s.minOpen ? '(' : '['}${min}, ${max}${s.maxOpen ? ')' : ']'}`;
      }
      if (min === 0 && s.minOpen) return 'a positive number';
      if (min !== undefined) return s.minOpen ? `> ${min}` : `≥ ${min}`;
      if (max !== undefined) return s.maxOpen ? `< ${max}` : `≤ ${max}`;
      return 'a number';
    }
    default:
      return s satisfies never;
  }
}

/**
 * Every float ends up in a float32 buffer: beyond its range it is ±∞ there, a subnormal may become 0. The
 * message offers 0 only to a setting whose range holds it.
 */
function checkFloat32(s: NumberSetting, x: number): void {
  if (Math.abs(x) > F32_MAX) fail(`${s.name} must fit in float32 (at most ${F32_MAX} in size; got ${x})`);
  if (x !== 0 && Math.abs(x) < F32_MIN_NORMAL) {
    const least = `at least ${F32_MIN_NORMAL} in size, the smallest normal float32`;
    fail(`${s.name} must be ${inRange(s, 0) ? `0 or ${least}` : least} (got ${x})`);
  }
}

function inRange(s: NumberSetting, x: number): boolean {
  if (s.decay) return x >= 0 && x < 1;
  if (s.min !== undefined && (s.minOpen ? !(x > s.min) : !(x >= s.min))) return false;
  if (s.max !== undefined && (s.maxOpen ? !(x < s.max) : !(x <= s.max))) return false;
  return true;
}

/** Throws OptimizerConfigError, naming the setting and its range, when `value` is not allowed. */
export function checkSetting(s: Setting, value: unknown): void {
  if (value === null && s.nullable) return;
  const got = `(got ${String(value)})`;
  switch (s.type) {
    case 'boolean':
      if (typeof value !== 'boolean') fail(`${s.name} must be true or false ${got}`);
      return;
    case 'enum': {
      const reason =
        typeof value === 'string' ? (s.refused as Readonly<Record<string, string>> | undefined)?.[value] : undefined;
      if (reason !== undefined) fail(`${s.name} '${value as string}' is not implemented: ${reason}`);
      if (!s.choices.some((c) => c.value === value)) {
        fail(
          `unknown ${s.name} '${printable(String(value))}' (expected one of ${s.choices.map((c) => c.value).join(', ')})`,
        );
      }
      return;
    }
    case 'integer':
      // Safe integers only: an auxiliary batch of 1e300 is an "integer" too, and the message says where they end.
      if (typeof value === 'number' && Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER) {
        fail(`${s.name} must be an integer from ${s.min} to ${Number.MAX_SAFE_INTEGER} (2^53 − 1)${orUnset(s)} ${got}`);
      }
      if (!Number.isSafeInteger(value) || (value as number) < s.min) {
        fail(`${s.name} must be ${describeRange(s)}${orUnset(s)} ${got}`);
      }
      return;
    case 'number': {
      if (!finite(value) || !inRange(s, value)) fail(`${s.name} must be ${describeRange(s)}${orUnset(s)} ${got}`);
      checkFloat32(s, value);
      // A decay of 0.9999999999 is 1 in float32: momentum never forgets and Adam's second moment stays 0
      // (the step is m/ε: a divergence with no cause shown).
      if (s.decay && Math.fround(value) >= 1) {
        fail(`${s.name} must be in [0, 1) in float32, where ${value} is 1: use at most ${F32_BELOW_ONE} ${got}`);
      }
      return;
    }
    default:
      s satisfies never;
  }
}

/** Checks every setting of `c` against `spec`, in schema order, then the spec's cross-setting rules. */
export function validateWith<C extends { readonly kind: string }>(spec: OptimizerSpec<C>, c: C): void {
  const values = c as unknown as Readonly<Record<string, unknown>>;
  for (const s of settingsOf(spec)) checkSetting(s, values[s.key]);
  spec.refine?.(c);
}

/** The kernels form lr·wd (FishLeg writes 1 − lr·wd) in float32. */
export function checkLrTimesWeightDecay(c: { readonly lr: number; readonly weightDecay: number }): void {
  if (!(c.lr * c.weightDecay <= F32_MAX)) {
    fail(`learning rate × weight decay must fit in float32 (got ${c.lr} × ${c.weightDecay})`);
  }
}

/** The shared description of a learning rate. */
export const LEARNING_RATE: NumberSetting = {
  type: 'number',
  label: 'learning rate',
  name: 'learning rate',
  url: 'lr',
  cli: '--lr',
  live: 'live',
  help: 'learning rate',
  min: 0,
  minOpen: true,
  slider: { min: 1e-4, max: 1 },
};

/** The shared description of weight decay (AdamW applies it decoupled). */
export const WEIGHT_DECAY: NumberSetting = {
  type: 'number',
  label: 'weight decay',
  name: 'weight decay',
  url: 'wd',
  cli: '--weight-decay',
  live: 'live',
  help: 'weight decay (AdamW: decoupled)',
  min: 0,
};
