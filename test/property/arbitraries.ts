/**
 * fast-check generators shared by the property tests: valid optimizer configs drawn from each optimizer's
 * settings schema (so a new setting is covered without editing this file), and values each setting refuses.
 */
import fc from 'fast-check';
import {
  defaultOptimizer,
  OPTIMIZER_KINDS,
  settingsOfKind,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
} from '../../src/engine/optim/config.ts';
import type { KeyedSetting } from '../../src/engine/optim/schema.ts';

/** Short decimals (a few significant digits), as people type them; exact through String() and Number(). */
const decimal = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc
    .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: -6, max: 2 }))
    .map(([m, e]) => Number(`${m}e${e}`))
    .filter((x) => x >= lo && x <= hi);

/** A value the setting allows (null included where it is nullable). */
export function validValue(s: KeyedSetting): fc.Arbitrary<unknown> {
  const value = ((): fc.Arbitrary<unknown> => {
    switch (s.type) {
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...s.choices.map((c) => c.value));
      case 'integer':
        return fc.integer({ min: s.min, max: s.linkMax ?? s.min + 1000 });
      case 'number': {
        if (s.decay) return fc.oneof(fc.constant(0), decimal(0, 0.999));
        const lo = s.min ?? -100;
        const hi = s.max ?? 100;
        const open = (x: number) => !((s.minOpen && x === s.min) || (s.maxOpen && x === s.max));
        const zero = lo <= 0 && hi >= 0 && open(0) ? [fc.constant(0)] : [];
        const pos = decimal(Math.max(lo, 1e-6), hi).filter(open);
        const neg =
          lo < 0
            ? [
                decimal(1e-6, -lo)
                  .map((x) => -x)
                  .filter((x) => x >= lo && open(x)),
              ]
            : [];
        return fc.oneof(...zero, pos, ...neg);
      }
      default:
        return s satisfies never;
    }
  })();
  return s.nullable ? fc.oneof(value, fc.constant(null)) : value;
}

/** A valid config of `kind`: every setting drawn from its schema, kept when the optimizer accepts it. */
export function optimizerConfig(kind: OptimizerKind): fc.Arbitrary<OptimizerConfig> {
  const settings = settingsOfKind(kind);
  const record = Object.fromEntries(settings.map((s) => [s.key, validValue(s)]));
  return fc
    .record(record)
    .map((values) => ({ ...defaultOptimizer(kind), ...values }))
    .filter((c) => {
      try {
        validateOptimizer(c);
        return true;
      } catch {
        return false;
      }
    });
}

export const anyOptimizerConfig: fc.Arbitrary<OptimizerConfig> = fc
  .constantFrom(...OPTIMIZER_KINDS)
  .chain(optimizerConfig);

/** A text that is not a value of the setting, as typed by someone (or something) getting it wrong. */
export function invalidText(s: KeyedSetting): fc.Arbitrary<string> {
  const junk = fc.constantFrom('abc', '', ' ', '0x10', 'Infinity', 'NaN', '1,5', '--', '1e', '½');
  switch (s.type) {
    case 'boolean':
      return fc.oneof(junk, fc.constantFrom('yes', 'true', '2'));
    case 'enum':
      return fc.oneof(
        junk,
        fc.string({ minLength: 1, maxLength: 8 }).filter((v) => !s.choices.some((c) => c.value === v)),
      );
    case 'integer':
      return fc.oneof(junk, fc.constantFrom(String(s.min - 1), '2.5', '1e20'));
    case 'number': {
      const out = ['1e39', '-1e39', '1e-40'];
      if (s.decay) out.push('1', '-0.5', '0.9999999999');
      if (s.min !== undefined) out.push(String(s.min - 1), ...(s.minOpen ? [String(s.min)] : []));
      if (s.max !== undefined) out.push(String(s.max + 1), ...(s.maxOpen ? [String(s.max)] : []));
      return fc.oneof(junk, fc.constantFrom(...out));
    }
    default:
      return s satisfies never;
  }
}
