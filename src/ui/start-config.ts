/**
 * What the page opens on. A link that describes a race (any key but how it is shown: `backend`, `embed`) is
 * read as it is (config.ts parseSearch); without one the page opens on a preset, with its step budget and its
 * "what to watch", rather than an open-ended race. The spiral is that preset: its claim is checked on three
 * seeds (presets.test.ts), and at 100 steps a second its 4,000-step budget takes 40 s on the CPU fallback too.
 */
import { parseSearch, type PlaygroundConfig } from './config.ts';
import { PRESETS, type Preset } from './presets.ts';

export const DEFAULT_PRESET_ID = 'spiral';

/** Keys that say how the page is shown, not what it trains. */
const VIEW_KEYS: ReadonlySet<string> = new Set(['backend', 'embed']);

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

/** The config the page starts with, and the warnings its link gave. */
export function startConfig(search: string): { config: PlaygroundConfig; warnings: string[] } {
  const parsed = parseSearch(search);
  if (describesRace(search)) return parsed;
  return { config: defaultPreset().config(parsed.config.backend), warnings: parsed.warnings };
}
