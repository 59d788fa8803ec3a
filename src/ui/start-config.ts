/**
 * What the page opens on. A link that describes a race (any key but how it is shown: `backend`, `embed`) is
 * read as it is (config.ts parseSearch); without one the page opens on a preset, with its step budget and its
 * "what to watch", rather than an open-ended race. The spiral is that preset: its claim is checked on three
 * seeds (presets.test.ts), and at 100 steps a second its 4,000-step budget takes 40 s on the CPU fallback too.
 *
 * `preset=<id>` names the preset whose "what to watch" the page shows (preset-follow.ts). Alone (with view keys
 * only) it opens on that preset; with a race it says which preset the race was made from, so that a race the
 * user changed stays marked modified, with its way back, through a reload or a shared link. The race's own keys
 * cannot say that: a modified race is no preset's setup.
 */
import { clip } from './link-notices.ts';
import { MAX_SEARCH_LENGTH, parseSearch, type PlaygroundConfig } from './config.ts';
import type { FollowedPreset } from './preset-follow.ts';
import { PRESETS, type Preset } from './presets.ts';

export const DEFAULT_PRESET_ID = 'spiral';

/** Keys that say how the page is shown, not what it trains. */
const VIEW_KEYS: ReadonlySet<string> = new Set(['backend', 'embed', 'preset']);

/** The preset the page opens on. */
export function defaultPreset(): Preset {
  const p = PRESETS.find((x) => x.id === DEFAULT_PRESET_ID);
  if (!p) throw new Error(`no preset '${DEFAULT_PRESET_ID}'`);
  return p;
}

/** Whether a query string describes a race of its own. */
export function describesRace(search: string): boolean {
  const q = new URLSearchParams(search);
  return [...q.keys()].some((k) => !VIEW_KEYS.has(k));
}

/** The preset a link names with `preset=` (null when none, or an unknown one, which warns). */
export function startPreset(search: string): { preset: Preset | null; warnings: string[] } {
  let raw: string | null;
  try {
    raw = new URLSearchParams(search.slice(0, MAX_SEARCH_LENGTH)).get('preset');
  } catch {
    raw = null;
  }
  if (raw === null) return { preset: null, warnings: [] };
  const preset = PRESETS.find((p) => p.id === raw) ?? null;
  if (preset) return { preset, warnings: [] };
  const ids = PRESETS.map((p) => p.id).join(', ');
  return { preset: null, warnings: [`preset: '${clip(raw)}' is not one of ${ids}; it was ignored`] };
}

/** The config the page starts with, and the warnings its link gave (startPreset's are its own). */
export function startConfig(search: string): { config: PlaygroundConfig; warnings: string[] } {
  const parsed = parseSearch(search);
  if (describesRace(search)) return parsed;
  const preset = startPreset(search).preset ?? defaultPreset();
  return { config: preset.config(parsed.config.backend), warnings: parsed.warnings };
}

/**
 * The `preset` parameter the address keeps ('' for none): only where the race alone would not say which
 * preset's text is shown (followPreset(null, config) would show another, or none), so that the address of a
 * preset's own race stays what it was.
 */
export function presetParam(shown: FollowedPreset | null, fromConfig: FollowedPreset | null): string {
  if (shown === null) return '';
  if (!shown.modified && fromConfig?.preset.id === shown.preset.id) return '';
  return `preset=${encodeURIComponent(shown.preset.id)}`;
}
