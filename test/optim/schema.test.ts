/**
 * Every setting of every optimizer, driven by the schemas themselves: a value other than the default goes
 * through the URL (encodeRun/decodeRun) and the CLI (parseArgs) unchanged, and validation rejects values out
 * of the setting's range with the setting named. A new optimizer's settings are covered without new tests.
 */
import { describe, expect, it } from 'vitest';
import { CliError, OPTIMIZER_FLAGS, parseArgs } from '../../src/cli/args.ts';
import {
  defaultFishLeg,
  defaultOptimizer,
  hasInverseFisher,
  OPTIMIZER_KINDS,
  OPTIMIZER_LABELS,
  OPTIMIZER_SPECS,
  settingsOfKind,
  switchedValue,
  validateOptimizer,
  type OptimizerConfig,
  type OptimizerKind,
} from '../../src/engine/optim/config.ts';
import {
  OptimizerConfigError,
  settingsOf,
  type KeyedSetting,
  type OptimizerSpec,
} from '../../src/engine/optim/schema.ts';
import { decodeRun, encodeRun } from '../../src/ui/config.ts';

/** Values the setting allows, other than `def` (null included for a nullable one). */
function otherValues(s: KeyedSetting, def: unknown): unknown[] {
  let candidates: unknown[];
  switch (s.type) {
    case 'boolean':
      candidates = [!def];
      break;
    case 'enum':
      candidates = s.choices.map((c) => c.value);
      break;
    case 'integer':
      candidates = [s.min, s.min + 3, s.linkMax ?? s.min + 1000];
      break;
    case 'number': {
      if (s.decay) candidates = [0, 0.5, 0.75];
      else {
        const lo = s.min ?? -1;
        const hi = s.max ?? lo + 10;
        candidates = [lo + (hi - lo) / 4, lo + (hi - lo) / 2, ...(s.minOpen ? [] : [lo])];
      }
      break;
    }
    default:
      return s satisfies never;
  }
  if (s.nullable) candidates.push(null);
  return candidates.filter((v) => v !== def);
}

/** Values out of the setting's range or of the wrong type. */
function badValues(s: KeyedSetting): unknown[] {
  switch (s.type) {
    case 'boolean':
      return ['yes', 1, null];
    case 'enum':
      return ['nope', '', null];
    case 'integer':
      return [s.min - 1, s.min + 0.5, Number.NaN, 1e300, ...(s.nullable ? [] : [null])];
    case 'number': {
      const out: unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, '1', 1e39, ...(s.nullable ? [] : [null])];
      if (s.decay) out.push(-0.1, 1, 0.9999999999);
      if (s.min !== undefined) out.push(s.minOpen ? s.min : s.min - 1);
      if (s.max !== undefined) out.push(s.maxOpen ? s.max : s.max + 1);
      return out;
    }
    default:
      return s satisfies never;
  }
}

/** The CLI spelling of a value. */
const cliText = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

const cases = OPTIMIZER_KINDS.flatMap((kind) => settingsOfKind(kind).map((s) => [kind, s.key, s] as const));

/** A config of `kind` with `key` set, kept valid where a rule spans settings (damping 0 needs an init scale). */
function withSetting(kind: OptimizerKind, key: string, v: unknown): OptimizerConfig {
  const c = { ...defaultOptimizer(kind), [key]: v } as Record<string, unknown>;
  if (c.damping === 0 && c.initScale === null) c.initScale = 1;
  return c as unknown as OptimizerConfig;
}

describe('optimizer schemas', () => {
  it('give every kind a label, and unique URL keys, flags and names within each optimizer', () => {
    for (const kind of OPTIMIZER_KINDS) expect(OPTIMIZER_LABELS[kind]).toMatch(/\S/);
    for (const spec of OPTIMIZER_SPECS as readonly OptimizerSpec[]) {
      const settings = settingsOf(spec);
      for (const field of ['url', 'cli', 'name', 'label'] as const) {
        const values = settings.map((s) => s[field]);
        expect(new Set(values).size, `${spec.kinds.join('/')} ${field}`).toBe(values.length);
      }
      for (const kind of spec.kinds)
        expect(() => validateOptimizer(spec.defaults(kind) as OptimizerConfig)).not.toThrow();
    }
  });

  it('describe every config key but kind', () => {
    for (const kind of OPTIMIZER_KINDS) {
      const keys = Object.keys(defaultOptimizer(kind)).filter((k) => k !== 'kind');
      expect(
        settingsOfKind(kind)
          .map((s) => s.key)
          .sort(),
      ).toEqual(keys.sort());
    }
  });

  it('share a flag across optimizers only for one type of setting', () => {
    for (const f of OPTIMIZER_FLAGS) {
      for (const kind of f.keys.keys()) {
        const s = settingsOfKind(kind).find((x) => x.cli === f.flag)!;
        expect(s.type).toBe(f.setting.type);
      }
    }
  });

  it('tell the worker which change is a structure switch, and the page which runs have Inside views', () => {
    const fl = defaultFishLeg('block-kron');
    expect(switchedValue(fl, { ...fl, approx: 'sum-kron' })).toBe('sum-kron');
    expect(switchedValue(fl, { ...fl, lr: 0.3 })).toBeNull();
    expect(switchedValue(fl, defaultOptimizer('adam'))).toBeNull();
    expect(OPTIMIZER_KINDS.filter(hasInverseFisher)).toEqual(['fishleg']);
  });

  describe.each(cases)('%s %s', (kind, key, s) => {
    const def = (defaultOptimizer(kind) as unknown as Record<string, unknown>)[key];

    it('round-trips every allowed value through the URL', () => {
      for (const v of otherValues(s, def)) {
        const optimizer = withSetting(kind, key, v);
        expect(() => validateOptimizer(optimizer)).not.toThrow();
        const run = { id: 'r1', name: 'x', colour: '#0072b2', optimizer };
        const text = encodeRun(run);
        if (v !== def) expect(text).toContain(`${s.url}:`);
        const warnings: string[] = [];
        expect(decodeRun(text, 'r1', 0, warnings)?.optimizer).toEqual(optimizer);
        expect(warnings).toEqual([]);
      }
    });

    it('parses every allowed value from its CLI flag', () => {
      for (const v of otherValues(s, def).filter((x) => x !== null)) {
        const extra = key === 'damping' && v === 0 ? ['--init-scale', '1'] : [];
        const c = parseArgs(['--task', 'spiral', '--optimizer', kind, s.cli, cliText(v), ...extra]);
        expect((c.optimizer as unknown as Record<string, unknown>)[key]).toBe(v);
      }
    });

    it('is refused by the CLI for another optimizer', () => {
      const other = OPTIMIZER_KINDS.find((k) => !settingsOfKind(k).some((x) => x.cli === s.cli));
      if (other === undefined) return; // every optimizer takes it (--lr)
      // An enum with one choice (K-FAC's fisher) has no other value: its default shows the refusal as well.
      const v = otherValues(s, def).find((x) => x !== null) ?? def;
      const run = () => parseArgs(['--task', 'spiral', '--optimizer', other, s.cli, cliText(v)]);
      expect(run).toThrow(CliError);
      expect(run).toThrow(new RegExp(`${s.cli} appl(y|ies) to .*${kind}.*, not ${other}`));
    });

    it('rejects values out of range, naming the setting', () => {
      for (const v of badValues(s)) {
        const c = { ...defaultOptimizer(kind), [key]: v };
        expect(() => validateOptimizer(c), `${key} = ${String(v)}`).toThrow(OptimizerConfigError);
        expect(() => validateOptimizer(c), `${key} = ${String(v)}`).toThrow(s.name);
      }
    });
  });
});
