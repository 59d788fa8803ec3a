/**
 * Links the page cannot take as written: every part is named in a notice with its value and its limit, and
 * the config falls back to what the notice says.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, MAX_RUNS, parseSearch, toSearch } from './config.ts';
import { PRESETS } from './presets.ts';
import { SETUP } from '../engine/page.ts';

const notices = (search: string) => parseSearch(search).warnings;

describe('keys the page does not read', () => {
  it('says a learning rate belongs to a run, and why 1e99 would be refused there too', () => {
    const { config, warnings } = parseSearch('?lr=1e99');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^lr=1e99 is a run's setting, which a link gives inside its run, e\.g\. run=sgd~~~lr:/);
    expect(warnings[0]).toContain('learning rate must fit in float32 (at most 3.4028234663852886e+38');
    expect(warnings[0]).toMatch(/it was ignored$/);
    // A value the run would take still gets the rule, and the suggested form is one the page reads.
    expect(notices('?lr=0.5')[0]).toContain('learning rate must be a positive number');
    const suggested = parseSearch('?run=sgd~~~lr:0.5');
    expect(suggested.warnings).toEqual([]);
    expect(suggested.config.runs[0]!.optimizer.lr).toBe(0.5);
    // A FishLeg-only key names FishLeg.
    expect(notices('?dmp=-1')[0]).toMatch(/^dmp=-1 is a run's setting.*run=fishleg~~~dmp:.*FishLeg damping must be/);
  });

  it('points arch= to hidden= with the limits', () => {
    const { config, warnings } = parseSearch('?arch=99999x');
    expect(config).toEqual(DEFAULT_CONFIG);
    const { hiddenLayers, hiddenSize } = SETUP;
    expect(warnings).toEqual([
      `arch=99999x is not a key of this page: it takes the hidden layers as hidden=<layers>, e.g. hidden=16t-16t (${hiddenLayers.page.min} to ${hiddenLayers.page.max} layers of ${hiddenSize.page.min} to ${hiddenSize.page.max} units; the task sets the input and output sizes); it was ignored`,
    ]);
  });

  it('lists the keys it reads for anything else, quoting hostile text as plain characters', () => {
    const [w] = notices('?colour=red');
    expect(w).toMatch(
      /^colour=red is not a key of this page \(it reads backend, task, .*, embed, preset, run\); it was ignored$/,
    );
    const [hostile] = notices('?%1b%5B31m=%3Cscript%3E');
    expect(hostile).toMatch(/^\?\[31m=<script> is not a key/);
    // A known key is never called unknown.
    expect(notices('?task=xor&n=200&noise=0.1&seed=2&hidden=8t&run=sgd')).toEqual([]);
  });
});

describe('keys the page writes', () => {
  it('are all keys it reads: no link of its own is called unknown', () => {
    for (const config of [DEFAULT_CONFIG, ...PRESETS.map((p) => p.config('cpu'))]) {
      const search = toSearch({
        ...config,
        speed: 100,
        stopAt: 500,
        chart: { x: 'seconds', log: false, metric: 'ms' },
      });
      expect(
        notices(search).filter((w) => /is not a key|is a run's setting/.test(w)),
        search,
      ).toEqual([]);
    }
  });
});

describe('hidden layers that are too wide or malformed', () => {
  it('names the width and the activation of 99999x', () => {
    const [w] = notices('?hidden=99999x');
    expect(w).toBe(
      `hidden=99999x has a layer of 99999 units; the most is ${SETUP.hiddenSize.page.max} (layer 1, '99999x'); and has no activation 'x' (layer 1, '99999x'): r, t, s, or none for linear; using 16t-16t`,
    );
    expect(notices('?hidden=16t-0r')[0]).toContain("has a layer of 0 units; the least is 1 (layer 2, '0r')");
    expect(notices('?hidden=16t-8q')[0]).toContain("has no activation 'q' (layer 2, '8q')");
    const many = Array(SETUP.hiddenLayers.page.max + 1)
      .fill('4t')
      .join('-');
    expect(notices(`?hidden=${many}`)[0]).toContain(
      `has ${SETUP.hiddenLayers.page.max + 1} layers; the most is ${SETUP.hiddenLayers.page.max}`,
    );
  });
});

describe("a run's settings", () => {
  it('names the key an optimizer lacks, with the keys it has', () => {
    const { config, warnings } = parseSearch('?run=sgd~S~~lr:0.3,zz:1');
    expect(config.runs[0]!.optimizer.lr).toBe(0.3);
    expect(warnings).toEqual(["run 1: ignored setting 'zz:1' (SGD has no setting 'zz'; its keys are lr, m, wd)"]);
  });

  it('names the rule a malformed value breaks', () => {
    expect(notices('?run=sgd~S~~lr:abc')).toEqual([
      "run 1: ignored setting 'lr:abc' (learning rate must be a positive number)",
    ]);
    expect(notices('?run=fishleg~F~~fi:exact')).toEqual([
      "run 1: ignored setting 'fi:exact' (Fisher estimator must be one of ggn, sampled)",
    ]);
  });

  it('drops only the refused value, keeping the run and its other settings', () => {
    const { config, warnings } = parseSearch('?run=sgd~Mine~~lr:1e99,m:0.5');
    expect(config.runs[0]).toMatchObject({ name: 'Mine', optimizer: { kind: 'sgd', momentum: 0.5 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^run 1: learning rate must fit in float32 .*'lr:1e99' was ignored, using /);
  });
});

describe('chart settings the race cannot draw', () => {
  it('says the auxiliary-loss chart is empty when no run learns Q, and keeps the choice', () => {
    const { config, warnings } = parseSearch('?metric=aux&run=sgd&run=fishleg~F~~alr:0');
    expect(config.chart.metric).toBe('aux');
    expect(warnings).toEqual([
      "metric=aux plots FishLeg's auxiliary loss, and no run of this race learns Q: the chart is empty",
    ]);
    expect(notices('?metric=aux&run=sgd&run=fishleg')).toEqual([]);
  });
});

describe('runs a link cannot have', () => {
  it('names the rule of a run name and how many runs were dropped', () => {
    expect(notices('?run=sgd~%3Cb%3E~~')).toEqual([
      "run 1: name '<b>' is not 1 to 24 letters, digits, spaces or . _ + ( ) -; using SGD",
    ]);
    const many = Array(MAX_RUNS + 2)
      .fill('run=sgd')
      .join('&');
    const { config, warnings } = parseSearch(`?${many}`);
    expect(config.runs).toHaveLength(MAX_RUNS);
    expect(warnings).toEqual([
      `the link has ${MAX_RUNS + 2} runs and a race takes at most ${MAX_RUNS}; the last 2 were dropped`,
    ]);
  });
});
