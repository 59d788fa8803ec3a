/**
 * The task and model settings' limits live in engine/setup-spec.ts: a link takes exactly the page's range
 * and warns with it beyond, the CLI takes its own range, and the hidden-layer limits bound a link's layers.
 */
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';
import { rangeText, SETUP } from '../../src/engine/setup-spec.ts';
import { checkHidden, parseSearch } from '../../src/ui/config.ts';

const linked = [SETUP.samples, SETUP.noise, SETUP.seed, SETUP.seeds, SETUP.batch, SETUP.evalEvery] as const;
/** Where the setting sits in the parsed config. */
const read = (s: (typeof linked)[number], q: string): number => {
  const { config } = parseSearch(`?task=spiral&${q}`);
  const values: Record<string, number> = {
    n: config.data.n,
    noise: config.data.noise,
    seed: config.data.seed,
    seeds: config.data.seeds ?? 1,
    batch: config.model.batch,
    eval: config.model.evalEvery,
  };
  return values[s.url]!;
};

describe('setup settings', () => {
  it.each(linked)('$url: a link takes the page range and warns with it beyond', (s) => {
    for (const x of [s.page.min, s.page.max]) {
      expect(read(s, `${s.url}=${x}`)).toBe(x);
      expect(parseSearch(`?task=spiral&${s.url}=${x}`).warnings).toEqual([]);
    }
    const over = s.page.max + (s.type === 'integer' ? 1 : 0.5);
    const { warnings } = parseSearch(`?task=spiral&${s.url}=${over}`);
    expect(warnings.join('\n')).toContain(`${s.url}=${over} must be ${rangeText(s, s.page)}`);
  });

  it.each([SETUP.samples, SETUP.noise, SETUP.sigma])('$cli: the CLI refuses values beyond its range', (s) => {
    const over = String(s.cliRange.max * 2);
    const run = () => parseArgs(['--task', 'spiral', s.cli, over]);
    expect(run).toThrow(CliError);
    expect(run).toThrow(s.cli);
    expect(() => parseArgs(['--task', 'spiral', s.cli, String(s.cliRange.max)])).not.toThrow();
  });

  it('bounds the hidden layers of a link', () => {
    const { hiddenLayers, hiddenSize } = SETUP;
    const layers = (k: number, size: number) => Array.from({ length: k }, () => `${size}t`).join('-');
    expect(checkHidden(layers(hiddenLayers.page.max, hiddenSize.page.max))).not.toBeNull();
    expect(checkHidden(layers(hiddenLayers.page.max + 1, 4))).toBeNull();
    expect(checkHidden(layers(1, hiddenSize.page.max + 1))).toBeNull();
  });
});
