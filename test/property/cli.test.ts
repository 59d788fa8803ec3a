/**
 * The CLI parser on generated input: every valid optimizer config, written as its flags in any order,
 * parses back to itself; one refused value, a flag of another optimizer or a repeated flag gets exactly one
 * printable line that names the flag or setting, never a config with something quietly replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';
import {
  defaultOptimizer,
  OPTIMIZER_KINDS,
  settingsOfKind,
  type OptimizerConfig,
} from '../../src/engine/optim/config.ts';
import type { KeyedSetting } from '../../src/engine/optim/schema.ts';
import { invalidText, optimizerConfig } from './arbitraries.ts';

const text = (s: KeyedSetting, v: unknown): string => (s.type === 'boolean' ? (v ? 'on' : 'off') : String(v));

/** The flags that set `c` (null only where null is the default: the CLI sets null by leaving a flag out). */
function flagsOf(c: OptimizerConfig): string[][] | null {
  const values = c as unknown as Record<string, unknown>;
  const def = defaultOptimizer(c.kind) as unknown as Record<string, unknown>;
  const out: string[][] = [];
  for (const s of settingsOfKind(c.kind)) {
    const v = values[s.key];
    if (v === null) {
      if (def[s.key] !== null) return null;
      continue;
    }
    out.push([s.cli, text(s, v)]);
  }
  return out;
}

/** The one-line CliError message of argv, or the config it parsed to. */
function outcome(argv: string[]): { message: string } | { optimizer: OptimizerConfig } {
  try {
    return { optimizer: parseArgs(argv).optimizer };
  } catch (e) {
    if (e instanceof CliError) return { message: e.message };
    throw e;
  }
}

// eslint-disable-next-line no-control-regex -- control characters must not reach the terminal
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const expectOneLine = (message: string) => {
  expect(message).not.toMatch(CONTROL);
  expect(message.length).toBeGreaterThan(0);
};

const withFlags = fc
  .constantFrom(...OPTIMIZER_KINDS)
  .chain(optimizerConfig)
  .map((c) => ({ c, flags: flagsOf(c) }))
  .filter((x): x is { c: OptimizerConfig; flags: string[][] } => x.flags !== null)
  .chain(({ c, flags }) => fc.shuffledSubarray(flags, { minLength: flags.length }).map((f) => ({ c, flags: f })));

describe('the CLI parser on generated flags', () => {
  it('parses every valid config, flags in any order, back to itself', () => {
    fc.assert(
      fc.property(withFlags, ({ c, flags }) => {
        const got = outcome(['--task', 'spiral', '--optimizer', c.kind, ...flags.flat()]);
        expect(got).toEqual({ optimizer: c });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses one bad value with one line naming it, whatever the other flags are', () => {
    const bad = withFlags.chain(({ c, flags }) =>
      fc.nat({ max: Math.max(0, flags.length - 1) }).chain((i) => {
        const s = settingsOfKind(c.kind).find((x) => x.cli === flags[i]?.[0]);
        return s
          ? invalidText(s).map((v) => ({ c, s, argv: flags.map((f, j) => (j === i ? [f[0]!, v] : f)).flat() }))
          : fc.constant(null);
      }),
    );
    fc.assert(
      fc.property(
        bad.filter((x) => x !== null),
        ({ c, s, argv }) => {
          const got = outcome(['--task', 'spiral', '--optimizer', c.kind, ...argv]);
          expect(got).toHaveProperty('message');
          const { message } = got as { message: string };
          expectOneLine(message);
          // The flag as typed, or the setting's name in the optimizer's own words.
          expect(message.includes(s.cli) || message.includes(s.name), message).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses another optimizer's flag, naming it and who takes it", () => {
    const foreign = fc.constantFrom(...OPTIMIZER_KINDS).chain((kind) => {
      const own = new Set(settingsOfKind(kind).map((s) => s.cli));
      const others = OPTIMIZER_KINDS.flatMap((k) => settingsOfKind(k)).filter((s) => !own.has(s.cli));
      return others.length === 0
        ? fc.constant(null)
        : fc.constantFrom(...others).map((s) => ({ kind, s, value: text(s, defaultOf(s)) }));
    });
    fc.assert(
      fc.property(
        foreign.filter((x) => x !== null),
        ({ kind, s, value }) => {
          const got = outcome(['--task', 'spiral', '--optimizer', kind, s.cli, value]);
          expect(got).toHaveProperty('message');
          const { message } = got as { message: string };
          expectOneLine(message);
          expect(message).toContain(`${s.cli} applies to`);
          expect(message).toContain(`not ${kind}`);
        },
      ),
    );
  });

  it('refuses a flag given twice instead of keeping the last', () => {
    const twice = withFlags
      .filter(({ flags }) => flags.length > 0)
      .chain(({ c, flags }) => fc.constantFrom(...flags).map((f) => ({ c, flags, f })));
    fc.assert(
      fc.property(twice, ({ c, flags, f }) => {
        const got = outcome(['--task', 'spiral', '--optimizer', c.kind, ...flags.flat(), f[0]!, f[1]!]);
        expect(got).toEqual({ message: `${f[0]} is given twice ('${f[1]}' and '${f[1]}'); give it once` });
      }),
      { numRuns: 100 },
    );
    expect(outcome(['--task', 'spiral', '--batch=8', '--batch', '16'])).toEqual({
      message: "--batch is given twice ('8' and '16'); give it once",
    });
    expect(outcome(['--task', 'spiral', '--quiet', '--quiet'])).toEqual({
      message: '--quiet is given twice; give it once',
    });
  });
});

function defaultOf(s: KeyedSetting): unknown {
  switch (s.type) {
    case 'boolean':
      return true;
    case 'enum':
      return s.choices[0]!.value;
    case 'integer':
      return s.min;
    case 'number':
      return s.max ?? 0.5;
    default:
      return s satisfies never;
  }
}
