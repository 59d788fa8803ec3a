import { controlledRun } from '../worker/frozen-control.ts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, newRun, optimizerFor, runsFor } from './config.ts';
import { KIND_HUES, kindShades, runColour, type ColourKind } from './colours.ts';
import { perceivedDistance, type Deficiency } from './colour-vision.ts';
import { PRESETS } from './presets.ts';

const KINDS = Object.keys(KIND_HUES) as ColourKind[];

describe('run colours follow the optimizer', () => {
  it('gives every kind its own hue, with six distinct shades led by the hue', () => {
    expect(new Set(Object.values(KIND_HUES)).size).toBe(KINDS.length);
    for (const k of KINDS) {
      const shades = kindShades(k);
      expect(shades[0]).toBe(KIND_HUES[k]);
      expect(new Set(shades).size).toBe(shades.length);
      for (const c of shades) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    }
    // No shade of one kind is a shade of another.
    const all = KINDS.flatMap((k) => kindShades(k));
    expect(new Set(all).size).toBe(all.length);
    expect(kindShades('kfac')).toHaveLength(6);
    expect(kindShades('natural')[0]).toBe(KIND_HUES.natural);
  });

  it('darkens then lightens for further runs of one kind', () => {
    const [base, second, third] = kindShades('sgd');
    const lum = (hex: string) => [1, 3, 5].reduce((s, i) => s + parseInt(hex.slice(i, i + 2), 16), 0);
    expect(lum(second!)).toBeLessThan(lum(base!));
    expect(lum(third!)).toBeGreaterThan(lum(base!));
  });

  it('takes the first free shade; the colour does not depend on the run position', () => {
    expect(runColour('fishleg', [])).toBe(KIND_HUES.fishleg);
    expect(runColour('fishleg', ['#E69F00', KIND_HUES.fishleg])).toBe(kindShades('fishleg')[1]);
    const a = runsFor([optimizerFor('sgd'), optimizerFor('adam'), optimizerFor('fishleg')]);
    const b = runsFor([optimizerFor('fishleg'), optimizerFor('sgd'), optimizerFor('adam')]);
    const byKind = (rs: typeof a) => Object.fromEntries(rs.map((r) => [r.optimizer.kind, r.colour]));
    expect(byKind(a)).toEqual(byKind(b));
    expect(byKind(a)).toEqual({ sgd: KIND_HUES.sgd, adam: KIND_HUES.adam, fishleg: KIND_HUES.fishleg });
    const two = newRun('adam', a);
    expect(two.colour).toBe(kindShades('adam')[1]);
  });

  it("colours every preset run by its kind (a frozen-Q control takes its learned run's colour)", () => {
    for (const p of [...PRESETS.map((x) => x.config('cpu')), DEFAULT_CONFIG]) {
      const seen = new Map<string, number>();
      for (const r of p.runs) {
        const learned = controlledRun(r, p.runs);
        if (learned) {
          expect(r.colour).toBe(learned.colour);
          continue;
        }
        const i = seen.get(r.optimizer.kind) ?? 0;
        seen.set(r.optimizer.kind, i + 1);
        expect(r.colour).toBe(kindShades(r.optimizer.kind)[i]);
      }
    }
  });
});

describe('every kind stays distinct for every viewer', () => {
  /** The least CIEDE2000 distance between two kinds' hues for a viewer, and the pair it is found at. */
  const closest = (d: Deficiency) => {
    let best = { dist: Infinity, pair: '' };
    KINDS.forEach((a, i) =>
      KINDS.slice(i + 1).forEach((b) => {
        const dist = perceivedDistance(KIND_HUES[a], KIND_HUES[b], d);
        if (dist < best.dist) best = { dist, pair: `${a}/${b}` };
      }),
    );
    return best;
  };

  // ΔE00 ≈ 2 is a just-noticeable difference between patches side by side; 14 keeps thin curves apart at a glance.
  it.each(['none', 'deuteranopia', 'protanopia'] as const)('keeps every pair of hues ≥ 14 apart (%s)', (d) => {
    const { dist, pair } = closest(d);
    expect(dist, pair).toBeGreaterThanOrEqual(14);
  });

  it('keeps every pair apart under tritanopia too (Okabe–Ito orange and reddish purple are the closest)', () => {
    const { dist, pair } = closest('tritanopia');
    expect(dist, pair).toBeGreaterThanOrEqual(10);
  });

  it('gives K-FAC and the natural gradient clearly different colours for every viewer', () => {
    for (const d of ['none', 'deuteranopia', 'protanopia', 'tritanopia'] as const) {
      expect(perceivedDistance(KIND_HUES.kfac, KIND_HUES.natural, d), d).toBeGreaterThan(30);
    }
  });
});
