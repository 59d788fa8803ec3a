import { describe, expect, it } from 'vitest';
import { parseSearch, toSearch } from './config.ts';
import { isPresetSetup } from './preset-follow.ts';
import { defaultPreset, startConfig } from './start-config.ts';

describe('the page opens on a preset with a budget', () => {
  it('opens a link without race state on the default preset, its budget and its pace', () => {
    for (const search of ['', '?', '?backend=cpu', '?embed=chart', '?backend=webgpu&embed=chart,play']) {
      const { config, warnings } = startConfig(search);
      expect(isPresetSetup(defaultPreset(), config), search).toBe(true);
      expect(config).toEqual(defaultPreset().config(config.backend));
      expect(config.stopAt).not.toBeNull();
      expect(warnings).toEqual([]);
    }
    expect(startConfig('?backend=cpu').config.backend).toBe('cpu');
    expect(defaultPreset().claim).toBeDefined();
  });

  it('reads a link that describes a race as it is', () => {
    for (const search of ['?task=spiral', '?backend=cpu&task=xor&run=sgd', '?stop=50']) {
      expect(startConfig(search)).toEqual(parseSearch(search));
    }
    expect(startConfig('?task=spiral').config.stopAt).toBeNull();
  });

  it('writes an address that opens the same race again', () => {
    const { config } = startConfig('');
    expect(startConfig(toSearch(config)).config).toEqual(config);
  });
});
