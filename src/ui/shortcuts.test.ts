import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor } from './shortcuts.ts';

const press = (key: string, more: Partial<Parameters<typeof shortcutFor>[0]> = {}) =>
  shortcutFor({ key, ctrlKey: false, altKey: false, metaKey: false, targetTag: 'DIV', ...more });

describe('keyboard shortcuts', () => {
  it('maps each listed key to its action, either case', () => {
    expect(press(' ')).toBe('toggle');
    expect(press('s')).toBe('step');
    expect(press('S')).toBe('step');
    expect(press('r')).toBe('reset');
    expect(press('n')).toBe('nextPreset');
    expect(press('p')).toBe('presenter');
    expect(press('f')).toBe('fullscreen');
    expect(press('?')).toBe('help');
    expect(press('x')).toBeNull();
  });

  it('leaves fields, buttons and modified keys alone', () => {
    for (const tag of ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'SUMMARY'])
      expect(press('s', { targetTag: tag })).toBeNull();
    expect(press('s', { ctrlKey: true })).toBeNull();
    expect(press('r', { metaKey: true })).toBeNull();
    expect(press('f', { altKey: true })).toBeNull();
    expect(press('s', { editable: true })).toBeNull();
    expect(press(' ', { targetTag: null })).toBe('toggle');
  });

  it('lists every action once and no key twice', () => {
    const actions = SHORTCUTS.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
