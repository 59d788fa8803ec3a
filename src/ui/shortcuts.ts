/**
 * The page's keyboard shortcuts, declared once: the key handler (`shortcutFor`) and the help overlay both read
 * this list, so a shortcut cannot be listed without working or work without being listed.
 */

/** What a shortcut does; App maps each to a client call or a page state. */
export type ShortcutAction = 'toggle' | 'step' | 'reset' | 'fullscreen' | 'presenter' | 'nextPreset' | 'help';

export interface Shortcut {
  readonly action: ShortcutAction;
  /** The keys (KeyboardEvent.key values) that trigger it. */
  readonly keys: readonly string[];
  /** How the help overlay names the key. */
  readonly label: string;
  readonly description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'toggle', keys: [' '], label: 'Space', description: 'Play / Pause' },
  { action: 'step', keys: ['s', 'S'], label: 'S', description: 'Step once (paused)' },
  { action: 'reset', keys: ['r', 'R'], label: 'R', description: 'Reset the race' },
  { action: 'nextPreset', keys: ['n', 'N'], label: 'N', description: 'Next preset' },
  { action: 'presenter', keys: ['p', 'P'], label: 'P', description: 'Presenter mode: large type, setup hidden' },
  { action: 'fullscreen', keys: ['f', 'F'], label: 'F', description: 'Full screen' },
  { action: 'help', keys: ['?'], label: '?', description: 'Show these shortcuts' },
];

/** Elements whose own keys must not be taken over (typing a width, choosing an option, pressing a button). */
const OWN_KEYS = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'SUMMARY']);

/** The shortcut a key press means, or null: none while typing in a field or with Ctrl, Alt or Meta held. */
export function shortcutFor(e: {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly targetTag: string | null;
  readonly editable?: boolean;
}): ShortcutAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey || e.editable) return null;
  if (e.targetTag !== null && OWN_KEYS.has(e.targetTag)) return null;
  return SHORTCUTS.find((s) => s.keys.includes(e.key))?.action ?? null;
}
