/** The toy tasks' input features in a link: the round trip, the plane's default left out, bad lists refused. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, dataFor, parseSearch, toSearch, type PlaygroundConfig } from './config.ts';

describe('features= in a link', () => {
  it('round-trips the chosen features in their declared order', () => {
    const config: PlaygroundConfig = {
      ...DEFAULT_CONFIG,
      data: { ...dataFor('circles'), features: ['x1', 'x1sq', 'x2sq', 'sin2'] },
    };
    const search = toSearch(config);
    expect(new URLSearchParams(search).get('features')).toBe('x1,x1sq,x2sq,sin2');
    const back = parseSearch(search);
    expect(back.warnings).toEqual([]);
    expect(back.config.data).toEqual(config.data);
  });

  it('leaves x₁, x₂ out of the link and out of the config', () => {
    expect(toSearch(DEFAULT_CONFIG)).not.toContain('features');
    const { config, warnings } = parseSearch('?task=xor&features=x2,x1');
    expect(warnings).toEqual([]);
    expect(config.data.features).toBeUndefined();
  });

  it('refuses a bad list with a notice naming it, and keeps the plane', () => {
    const { config, warnings } = parseSearch('?task=spiral&features=x1,cos2');
    expect(config.data.features).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^features=x1,cos2: 'cos2' is not a feature: choose from x1, x2/)]);
  });

  it('reads features only for the 2D toys', () => {
    const { config, warnings } = parseSearch('?task=mnist&features=x1sq');
    expect(config.data.features).toBeUndefined();
    expect(warnings).toEqual(['features=x1sq applies to the 2D toy tasks only; it was ignored']);
  });
});
