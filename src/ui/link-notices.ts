/**
 * What a link holds that the page does not take, said with the key, the value and the rule it breaks: a key
 * the page does not read (with what it most likely meant: a run's setting such as `lr=`, the CLI's `arch=`),
 * and a run's setting that its optimizer does not have or does not allow. Nothing in a link is dropped
 * without a word. Messages quote link text through `clip`: the UI renders them as text, never as HTML.
 */
import {
  checkSetting,
  describeRange,
  OPTIMIZER_KINDS,
  OPTIMIZER_LABELS,
  SETUP,
  settingsOfKind,
  type KeyedSetting,
  type OptimizerKind,
} from '../engine/page.ts';

/** Short, printable excerpt of a hostile value for a notice. */
export function clip(s: string): string {
  const t = s.replace(/[^\x20-\x7e]/g, '?');
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/** Why `value` is not allowed for setting `s` (the engine's own message, with the range), or null. */
export function settingProblem(s: KeyedSetting, value: unknown): string | null {
  try {
    checkSetting(s, value);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

// Numbers as JavaScript prints them; no hex, no 'Infinity', no spaces.
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The first optimizer with a run setting of URL key `key`, with that setting. */
function runSettingOf(key: string): { kind: OptimizerKind; setting: KeyedSetting } | null {
  for (const kind of OPTIMIZER_KINDS) {
    const setting = settingsOfKind(kind).find((s) => s.url === key);
    if (setting) return { kind, setting };
  }
  return null;
}

/** The rule of the hidden layers a link may give, in words. */
export function hiddenRule(): string {
  const { hiddenLayers, hiddenSize } = SETUP;
  return `${hiddenLayers.page.min} to ${hiddenLayers.page.max} layers of ${hiddenSize.page.min} to ${hiddenSize.page.max} units`;
}

/**
 * The notice for a key the page does not read. A run's setting (`lr=1e99`) says where it belongs and, when
 * the value would be refused there too, why; `arch=` (the CLI's flag) points to `hidden=`.
 */
export function unknownKeyNotice(key: string, value: string, pageKeys: readonly string[]): string {
  const kv = `${clip(key)}=${clip(value)}`;
  const run = runSettingOf(key);
  if (run) {
    const { kind, setting } = run;
    const problem = NUMBER.test(value) ? settingProblem(setting, Number(value)) : null;
    const rule = problem ?? `${setting.name} must be ${describeRange(setting)}`;
    return `${kv} is a run's setting, which a link gives inside its run, e.g. run=${kind}~~~${key}:<value>; ${rule}; it was ignored`;
  }
  if (key === 'arch' || key === 'layers') {
    return `${kv} is not a key of this page: it takes the hidden layers as hidden=<layers>, e.g. hidden=16t-16t (${hiddenRule()}; the task sets the input and output sizes); it was ignored`;
  }
  return `${kv} is not a key of this page (it reads ${pageKeys.join(', ')}); it was ignored`;
}

/** The run setting of URL key `key` for `kind`, if it has one. */
export function runSettingFor(kind: OptimizerKind, key: string): KeyedSetting | undefined {
  return settingsOfKind(kind).find((s) => s.url === key);
}

/**
 * Why a run's `key:raw` field was not taken, in parentheses after "ignored setting '…'": a key the optimizer
 * lacks (with the keys it has), a malformed value, or one beyond a link's limit.
 */
export function fieldRejection(kind: OptimizerKind, key: string, raw: string, linkMax?: number): string {
  const s = runSettingFor(kind, key);
  if (!s) {
    const keys = settingsOfKind(kind).map((x) => x.url);
    return `${OPTIMIZER_LABELS[kind]} has no setting '${clip(key)}'; its keys are ${keys.join(', ')}`;
  }
  if (linkMax !== undefined && NUMBER.test(raw) && Number(raw) > linkMax) return `at most ${linkMax}`;
  const nullable = s.nullable ? ", or 'auto'" : '';
  switch (s.type) {
    case 'boolean':
      return `${s.name} must be 1 or 0`;
    case 'enum':
      return `${s.name} must be one of ${s.choices.map((c) => c.value).join(', ')}`;
    case 'integer':
      return `${s.name} must be ${describeRange(s)}${linkMax !== undefined ? ` and at most ${linkMax}` : ''}${nullable}`;
    case 'number':
      return `${s.name} must be ${describeRange(s)}${nullable}`;
    default:
      return s satisfies never;
  }
}
