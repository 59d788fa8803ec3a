import { describe, expect, it } from 'vitest';
import { EMBED_MINIMAL, embedParam, parseEmbed, parseSearch } from './config.ts';

describe('?embed=… (hide the controls for slides and iframes)', () => {
  it('is off without the parameter', () => {
    expect(parseEmbed('?task=spiral')).toEqual({ embed: null, warnings: [] });
    expect(embedParam(null)).toBe('');
  });

  it('embed=1 is the chart and the transport bar', () => {
    expect(parseEmbed('?embed=1')).toEqual({ embed: EMBED_MINIMAL, warnings: [] });
    expect(EMBED_MINIMAL).toEqual(['chart', 'play']);
  });

  it('reads a list of parts, without repeats, and writes it back', () => {
    const { embed, warnings } = parseEmbed('?task=xor&embed=chart,play,network,chart');
    expect(warnings).toEqual([]);
    expect(embed).toEqual(['chart', 'play', 'network']);
    expect(embedParam(embed)).toBe('embed=chart,play,network');
    expect(parseEmbed(`?${embedParam(embed)}`).embed).toEqual(embed);
    expect(embedParam(['play', 'chart'])).toBe('embed=1');
  });

  it('drops unknown parts with a warning, and falls back to the minimal view when nothing is left', () => {
    const some = parseEmbed('?embed=chart,%3Cscript%3E');
    expect(some.embed).toEqual(['chart']);
    expect(some.warnings).toEqual([
      "embed: '<script>' is not one of 1, chart, play, views, network, runs, setup, inside; it was ignored",
    ]);
    const none = parseEmbed('?embed=yes');
    expect(none.embed).toEqual(EMBED_MINIMAL);
    expect(none.warnings).toHaveLength(2);
    expect(none.warnings[1]).toMatch(/using embed=1/);
    expect(parseEmbed('?embed=').embed).toEqual(EMBED_MINIMAL);
  });

  it('is not part of the training setup: parseSearch ignores it silently', () => {
    expect(parseSearch('?embed=1').warnings).toEqual([]);
  });
});
