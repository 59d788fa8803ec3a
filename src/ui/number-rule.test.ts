import { describe, expect, it } from 'vitest';
import { SETUP, settingsOfKind } from '../engine/page.ts';
import { describeRule, readNumber, setupRule, settingRule } from './number-rule.ts';
import { RULES } from './setup-panel.tsx';

const width = setupRule(SETUP.hiddenSize, 'the width of layer 1');

describe('number fields read text against the setting’s own range', () => {
  it('takes values in range, as typed', () => {
    expect(readNumber('32', width)).toEqual({ ok: true, value: 32 });
    expect(readNumber(' 2048 ', width)).toEqual({ ok: true, value: 2048 });
    expect(readNumber('1e3', RULES.samples)).toEqual({ ok: true, value: 1000 });
    expect(readNumber('0.25', RULES.noise)).toEqual({ ok: true, value: 0.25 });
    expect(readNumber('-0', RULES.noise)).toEqual({ ok: true, value: 0 });
  });

  it('refuses an out-of-range value with a message naming the limit, instead of clamping it', () => {
    const r = readNumber('5000', width);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe(
      `the width of layer 1 must be an integer in [1, ${SETUP.hiddenSize.page.max}]; 5000 is too large`,
    );
    const low = readNumber('0', width);
    expect(!low.ok && low.message).toMatch(/\[1, 2048\]; 0 is too small$/);
    const pts = readNumber('50000', RULES.samples);
    expect(!pts.ok && pts.message).toContain(`[${SETUP.samples.page.min}, ${SETUP.samples.page.max}]`);
  });

  it('refuses empty, half-typed and malformed text with the range, and a fraction where an integer is due', () => {
    for (const t of ['', '   ', '1e', '-', '.', '12a', '0x10', '1,000', 'Infinity']) {
      const r = readNumber(t, RULES.batch);
      expect(r.ok, t).toBe(false);
      if (!r.ok) expect(r.message, t).toContain('batch must be an integer in [1, 4096]');
    }
    const frac = readNumber('2.5', RULES.batch);
    expect(!frac.ok && frac.message).toMatch(/2\.5 is not a whole number$/);
    expect(readNumber('1e400', RULES.noise).ok).toBe(false);
  });

  it('lets a field whose empty state means something commit null', () => {
    const stop = { name: 'stop at step', integer: true, min: 1, max: 100, empty: 'never' };
    expect(readNumber('', stop)).toEqual({ ok: true, value: null });
    const r = readNumber('0', stop);
    expect(!r.ok && r.message).toBe('stop at step must be an integer in [1, 100] (empty: never); 0 is too small');
  });

  it('describes open and one-sided ranges', () => {
    expect(describeRule({ name: 'x', integer: false, min: 0, minOpen: true })).toBe('a positive number');
    expect(describeRule({ name: 'x', integer: false, min: 0, max: 1, maxOpen: true })).toBe('a number in [0, 1)');
    expect(describeRule({ name: 'x', integer: true, min: 1 })).toBe('an integer ≥ 1');
  });

  it('derives every optimizer number setting’s rule from its schema', () => {
    const sgd = settingsOfKind('sgd');
    const lr = sgd.find((s) => s.key === 'lr')!;
    const rule = settingRule(lr);
    expect(rule.integer).toBe(false);
    expect(readNumber('0', rule).ok).toBe(lr.type === 'number' && lr.min === 0 && !lr.minOpen);
    expect(readNumber('0.05', rule)).toEqual({ ok: true, value: 0.05 });
    const fishleg = settingsOfKind('fishleg');
    for (const s of fishleg.filter((x) => x.type === 'number' || x.type === 'integer')) {
      const r = settingRule(s);
      expect(r.integer).toBe(s.type === 'integer');
      if (s.nullable) expect(readNumber('', r)).toEqual({ ok: true, value: null });
      else expect(readNumber('', r).ok).toBe(false);
      if (s.type === 'number' && s.decay) expect(readNumber('1', r).ok).toBe(false);
    }
  });
});
