/**
 * Which preset's "what to watch" the page shows, and whether the setup is still the one it speaks of. Doing
 * what a preset says (switching an approximation it invites, the chart's axis and scale, the pace, the budget,
 * Play, Step, Reset, names and colours) leaves it as it is; changing what it is about (the data, the model, a
 * run's optimizer or its settings, the runs themselves) keeps its text on the page, marked modified.
 */
import { normaliseIds, type PlaygroundConfig } from './config.ts';
import { PRESETS, type Preset } from './presets.ts';

/** The part of a setup a preset's text is about, as a comparable string. */
export function presetSubject(config: PlaygroundConfig, invites: readonly string[] = []): string {
  const c = normaliseIds(config);
  const runs = c.runs.map((r) => {
    const o: Record<string, unknown> = { ...r.optimizer };
    for (const k of invites) delete o[k];
    return o;
  });
  // The seed count is not what a preset is about: its text and claim stay true on more seeds.
  const { seeds: _, ...data } = c.data;
  return JSON.stringify({ data, model: c.model, runs });
}

/** Whether `config` is still the setup `preset` speaks of. */
export function isPresetSetup(preset: Preset, config: PlaygroundConfig): boolean {
  const invites = preset.invites ?? [];
  return presetSubject(config, invites) === presetSubject(preset.config(config.backend), invites);
}

export interface FollowedPreset {
  readonly preset: Preset;
  /** The user changed what the preset is about. */
  readonly modified: boolean;
}

/**
 * The preset to show for `config`, given the one shown before (`previous`, a preset id or null): a preset
 * whose setup it is (the previous one first), else the previous one marked modified, else none.
 */
export function followPreset(
  previous: string | null,
  config: PlaygroundConfig,
  presets: readonly Preset[] = PRESETS,
): FollowedPreset | null {
  const prev = presets.find((p) => p.id === previous) ?? null;
  if (prev && isPresetSetup(prev, config)) return { preset: prev, modified: false };
  const other = presets.find((p) => isPresetSetup(p, config));
  if (other) return { preset: other, modified: false };
  return prev ? { preset: prev, modified: true } : null;
}
