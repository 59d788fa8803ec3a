import { describe, expect, it } from 'vitest';
import { parseSearch, toSearch } from './config.ts';
import { followPreset, isPresetSetup } from './preset-follow.ts';
import { PRESETS } from './presets.ts';
import { defaultPreset, presetParam, startConfig, startPreset } from './start-config.ts';

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

describe('a link names the preset it was made from', () => {
  const last = PRESETS[PRESETS.length - 1]!;

  it('opens on the preset it names when it describes no race of its own', () => {
    const { config, warnings } = startConfig(`?backend=cpu&preset=${last.id}`);
    expect(config).toEqual(last.config('cpu'));
    expect(warnings).toEqual([]);
    expect(startPreset(`?preset=${last.id}`)).toEqual({ preset: last, warnings: [] });
  });

  it('reads the race of a link as it is, and the preset beside it', () => {
    const search = `?task=xor&run=sgd&preset=${last.id}`;
    expect(startConfig(search)).toEqual(parseSearch(search));
    expect(startPreset(search).preset).toBe(last);
  });

  it('warns about a preset it does not know and opens on the default one', () => {
    const { preset, warnings } = startPreset('?preset=%3Cnope%3E');
    expect(preset).toBeNull();
    expect(warnings).toEqual([`preset: '<nope>' is not one of ${PRESETS.map((p) => p.id).join(', ')}; it was ignored`]);
    expect(startConfig('?backend=cpu&preset=nope').config).toEqual(defaultPreset().config('cpu'));
    expect(startPreset('?backend=cpu')).toEqual({ preset: null, warnings: [] });
  });

  it('is written only where the race alone would not say which preset is shown', () => {
    const own = last.config('cpu');
    const shown = followPreset(last.id, own);
    expect(presetParam(shown, followPreset(null, own))).toBe('');
    const changed = { ...own, model: { ...own.model, batch: own.model.batch + 1 } };
    const modified = followPreset(last.id, changed);
    expect(modified).toEqual({ preset: last, modified: true });
    const param = presetParam(modified, followPreset(null, changed));
    expect(param).toBe(`preset=${last.id}`);
    // Read back, the link shows the same preset, still modified.
    const search = `${toSearch(changed)}&${param}`;
    expect(followPreset(startPreset(search).preset!.id, startConfig(search).config)).toEqual(modified);
    expect(presetParam(null, null)).toBe('');
  });
});
