/**
 * The Inside-FishLeg step measures as the page shows them (static HTML in Node): the headline cosines, the
 * spectrum chart's points and summary, the view of a layer too large for heat maps or for the measures, and the helpers behind the
 * spectrum chart (log extents, decade ticks, the auxiliary-loss efficiency) on hand-worked values.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { InsideFishLeg } from './inside-optimizer.tsx';
import { auxEfficiency, decadeExtent, decadeTicks, spectrumPoints } from './spectrum.ts';
import { SpectrumChart } from './spectrum-chart.tsx';
import type { InsideFishLegProps, InsideMeasures, InsideSpectrum } from './types.ts';

const spectrum: InsideSpectrum = {
  lambda: [9.9, 0.1],
  q: [0.1, 2],
  share: [0.75, 0.2],
  rest: { dims: 2, meanQ: 5, meanTarget: 5, share: 0.05 },
};
const measures: InsideMeasures = {
  cosFishLeg: 0.987,
  cosGradient: 0.842,
  lengthRatio: 0.75,
  auxLoss: -0.5,
  auxOptimum: -0.625,
  spectrum,
  whole: { cosFishLeg: 0.97, cosGradient: 0.77, layerCosFishLeg: 0.99, layerCosGradient: 0.68 },
};
const base: InsideFishLegProps = {
  runName: 'FishLeg',
  layer: { index: 0, label: '1×(1+1)', size: 2 },
  q: null,
  fInv: null,
  errorHistory: [],
  auxLossHistory: [],
  damping: 0.2,
  explanations: false,
};
const html = (props: Partial<InsideFishLegProps>) =>
  renderToStaticMarkup(createElement(InsideFishLeg, { ...base, ...props }));

describe('Inside FishLeg leads with whether Q is helping yet', () => {
  it('says so in words before the numbers, from the whole-model cosines and the frozen-Q control', () => {
    const out = html({ measures, control: { step: 200, learned: 0.3, frozen: 0.45 } });
    const sentence = /data-testid="inside-q-helping" data-verdict="yes">([^<]*)</.exec(out)?.[1];
    expect(sentence).toBe(
      'Q is helping: learning Q has lowered the loss below its frozen-Q control&#x27;s (train loss 0.3 vs 0.45 at step 200), and FishLeg&#x27;s step points closer to the natural gradient than the plain gradient does (cos 0.97 vs 0.77 over the whole model).',
    );
    // It leads: right under the title, before the headline's numbers.
    expect(out.indexOf('inside-q-helping')).toBeLessThan(out.indexOf('inside-headline'));
    expect(out.indexOf('</h3>')).toBeLessThan(out.indexOf('inside-q-helping'));
  });

  it('says "not yet" where the learned Q is behind its control, and nothing before there is evidence', () => {
    const out = html({ measures, control: { step: 200, learned: 0.5, frozen: 0.45 } });
    expect(out).toContain('data-verdict="partly"');
    expect(html({ control: { step: 200, learned: 0.5, frozen: 0.45 } })).toContain('data-verdict="not yet"');
    expect(html({})).not.toContain('inside-q-helping');
    expect(html({ measures, qFrozen: true })).toContain('data-verdict="frozen"');
  });
});

describe('Inside FishLeg step measures', () => {
  it('leads with the cosines of FishLeg and of the plain gradient, and the whole-model comparison', () => {
    const out = html({ measures, fisherRows: 16 });
    expect(out).toMatch(/data-testid="inside-cos-fishleg">0.987</);
    expect(out).toMatch(/data-testid="inside-cos-gradient">0.842</);
    expect(out).toContain('80 % of the best possible reduction'); // A/A* = 0.5/0.625
    expect(out).toContain('whole step 0.97, the plain gradient 0.77');
    expect(out).toContain('Exact Fisher on 16 training rows');
  });

  it("draws other runs' blocks next to Q and the exact inverse on one colour scale, each with its relative error", () => {
    const q = Float64Array.from([1, 0, 0, 1]);
    const fInv = Float64Array.from([2, 0.5, 0.5, 2]);
    const kfac = { runName: 'K-FAC', label: 'K-FAC (Ĝ ⊗ Â)⁻¹', damping: 0.001, relError: 0.25 };
    // K-FAC's exact inverse has Frobenius norm 10: its pair is drawn ÷ 10, FishLeg's ÷ ‖fInv‖ = √8.5.
    const matrix = Float64Array.from([-40, 0, 0, 30]);
    const exact = Float64Array.from([6, 0, 0, 8]);
    const out = html({ q, fInv, relError: 0.5, comparisons: [{ ...kfac, matrix, exact }] });
    expect(out).toContain('data-testid="inside-compare"');
    expect(out).toContain('Inside the optimizers');
    expect(out).toContain('FishLeg Q, rel. error 0.5');
    expect(out).toContain('K-FAC: K-FAC (Ĝ ⊗ Â)⁻¹, rel. error 0.25');
    expect(out).toContain('K-FAC: exact (F + γI)⁻¹, γ = 0.001');
    expect(out).toContain('FishLeg: exact (F + γI)⁻¹, γ = 0.2');
    // The four side-by-side maps share one scale: the largest normalised entry of all, |−40| / 10 = 4.
    const compare = out.slice(out.indexOf('data-testid="inside-compare"'));
    const scales = [...compare.matchAll(/colour scale ±([\d.]+)/g)].map((m) => m[1]);
    expect(scales).toEqual(['4', '4', '4', '4']);
    // Without other runs, the section stays FishLeg's.
    const alone = html({ q, fInv, relError: 0.5 });
    expect(alone).not.toContain('inside-compare');
    expect(alone).toContain('Inside FishLeg');
  });

  it('without a gradient yet it says so; a large layer shows measures but no heat maps or relative error', () => {
    expect(html({})).toContain('appear after the first training step');
    const big = html({ layer: { index: 1, label: '16×(64+1)', size: 1040 }, measures: { ...measures, whole: null } });
    expect(big).not.toContain('inside-rel-error');
    expect(big).not.toContain('Q(λ), learned');
    expect(big).not.toContain('whole step');
    expect(big).toContain('Q along the eigen-directions of F');
  });

  it('says a positive auxiliary loss is worse than no step, not a negative share of the best reduction', () => {
    const out = html({ measures: { ...measures, auxLoss: 17.6, auxOptimum: -2.74 } });
    expect(out).toContain('Q does worse than no step at all');
    expect(out).not.toMatch(/-[\d.]+ % of the best possible reduction/);
    expect(html({ measures })).toContain('% of the best possible reduction');
  });

  it('says why a layer too large to measure has no measures, instead of waiting for a first step', () => {
    const note = 'layer 3 has 3930 weights; Inside FishLeg looks at layers of at most 1100';
    const layer = { index: 2, label: '10×(392+1)', size: 3930 };
    const out = html({ layer, beyond: note, auxLossHistory: [{ step: 50, auxLoss: 3 }] });
    expect(out).toContain(`No step measures for this layer: ${note}.`);
    expect(out).not.toContain('after the first training step');
    expect(out).not.toContain('direction: cosine with the exact natural gradient');
    expect(out).not.toContain('Q along the eigen-directions of F');
    // The logged auxiliary loss is the whole model's and still has data.
    expect(out).toContain('auxiliary loss logged while training');
    expect(html({ layer })).toContain('after the first training step');
  });

  it('charts the measure history with the whole-model lines only when there are whole-model values', () => {
    const point = { step: 10, cosFishLeg: 0.9, cosGradient: 0.8, auxLoss: -1, auxOptimum: -1.2, relError: 0.3 };
    const layerOnly = html({ measureHistory: [{ ...point, wholeCosFishLeg: null, wholeCosGradient: null }] });
    expect(layerOnly).toContain('plain gradient g, this layer');
    expect(layerOnly).not.toContain('FishLeg, whole model');
    const both = html({ measureHistory: [{ ...point, wholeCosFishLeg: 0.7, wholeCosGradient: 0.6 }] });
    expect(both).toContain('FishLeg, whole model');
  });

  it('typesets the full explanations, including what each preset shows', () => {
    const out = html({ explanations: true, measures });
    for (const s of [
      'Which measure to read',
      'When the Fisher collapses',
      'What the presets show',
      'MNIST autoencoder',
    ])
      expect(out).toContain(s);
    expect(out).not.toContain('katex-error');
  });
});

describe('SpectrumChart', () => {
  it('draws one dot per direction plus the rest, and summarises how many sit near the diagonal', () => {
    const out = renderToStaticMarkup(createElement(SpectrumChart, { spectrum, damping: 0.1 }));
    expect(out.match(/<circle/g)!.length).toBe(2);
    expect(out.match(/<path/g)!.length).toBe(1);
    // Targets 1/(9.9 + 0.1) = 0.1 (q 0.1: on it) and 1/(0.1 + 0.1) = 5 (q 2: off by 2.5×).
    expect(out).toContain('3 points; 1 within a factor 2 of the exact value, carrying 75 % of the gradient');
    expect(renderToStaticMarkup(createElement(SpectrumChart, { spectrum: null, damping: 0.1 }))).toContain(
      'no data yet',
    );
  });

  it('spectrumPoints, decades and the auxiliary efficiency', () => {
    const pts = spectrumPoints({ ...spectrum, q: [0.1, -1] }, 0.1);
    expect(pts).toEqual([
      { target: 0.1, q: 0.1, share: 0.75, rest: false },
      { target: 5, q: 5, share: 0.05, rest: true },
    ]);
    expect(decadeExtent([0.1, 5])).toEqual([0.1, 10]);
    expect(decadeExtent([3])).toEqual([1, 10]);
    expect(decadeExtent([1])).toEqual([0.1, 10]); // one value on a decade: widened
    expect(decadeExtent([])).toEqual([0.1, 10]);
    expect(decadeTicks(1e-3, 10)).toEqual([1e-3, 1e-2, 0.1, 1, 10]);
    expect(decadeTicks(1e-6, 1e6, 5)).toEqual([1e-6, 1e-3, 1, 1e3, 1e6]);
    expect(auxEfficiency(-0.5, -0.625)).toBeCloseTo(0.8, 12);
    expect(auxEfficiency(-0.5, 0)).toBeNaN();
  });
});
