/**
 * The view components rendered to static HTML in Node (no DOM library is installed): empty, NaN and
 * mismatched data give "no data yet" or a clear message instead of a crash, and the text they show —
 * accuracies, predicted classes, errors, MSEs — matches hand-worked values. Every KaTeX formula typesets
 * without a parse error.
 */
import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DecisionBoundaries, gridAccuracy } from './decision-boundaries.tsx';
import { HeatMap, legendGradient } from './heat-map.tsx';
import { InsideFishLeg } from './inside-optimizer.tsx';
import { Predictions } from './predictions.tsx';
import { meanSquaredError, Reconstructions, tileRow } from './reconstructions.tsx';
import { cleanSeries } from '../downsample.ts';
import { formatValue } from './numbers.ts';
import { FORMULAS, texHtml, type FormulaName } from './tex.ts';
import { TwoParamDemo } from './two-param-demo.tsx';
import type { ProbabilityGrid, TaskPoints } from './types.ts';

const html = <P extends object>(c: FunctionComponent<P>, props: P): string =>
  renderToStaticMarkup(createElement(c, props));

const points: TaskPoints = { x: new Float32Array([0, 0, 1, 1, 0, 1]), labels: new Uint32Array([0, 1, 1]), classes: 2 };
// 2×2 grid over [0,1]²: class 1 everywhere except cell (row 0, col 0).
const grid: ProbabilityGrid = {
  size: 2,
  extent: [0, 1, 0, 1],
  probs: new Float32Array([0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]),
};

describe('HeatMap', () => {
  it('says "no data yet" for null, empty or all-NaN values, and names a size mismatch', () => {
    expect(html(HeatMap, { values: null, rows: 2, cols: 2, title: 'Q' })).toContain('no data yet');
    expect(html(HeatMap, { values: new Float32Array(4).fill(Number.NaN), rows: 2, cols: 2, title: 'Q' })).toContain(
      'no data yet',
    );
    expect(html(HeatMap, { values: [1, 2, 3], rows: 2, cols: 2, title: 'Q' })).toContain('expected 2×2 values, got 3');
  });

  it('summarises the data for screen readers and labels the legend with the symmetric range', () => {
    const out = html(HeatMap, { values: [1, -2, Number.NaN, 3], rows: 2, cols: 2, title: 'Q' });
    expect(out).toContain('aria-label="Q: 2×2 matrix, values from -2 to 3, colour scale ±3');
    expect(out).toContain('>-3<');
    expect(out).toContain('>1.5<');
    const shared = html(HeatMap, { values: [1, 0, 0, 1], rows: 2, cols: 2, title: 'I', range: 4 });
    expect(shared).toContain('>-4<');
    expect(legendGradient(1)).toMatch(/^linear-gradient\(to right, #2166ac 0%, .* #f7f7f7 50%, .* #b2182b 100%\)$/);
  });
});

describe('DecisionBoundaries', () => {
  it('grid accuracy reads the nearest cell (hand-worked: all right, then 2 of 3)', () => {
    // (0,0) → cell (0,0): class 0, label 0 ✓; (1,1) → cell (1,1): class 1 ✓; (0,1) → cell (1,0): class 1 ✓.
    expect(gridAccuracy(points, grid)).toBe(1);
    const flipped = { ...points, labels: new Uint32Array([1, 1, 1]) };
    expect(gridAccuracy(flipped, grid)).toBeCloseTo(2 / 3, 12);
  });

  it('renders one map per run and "no data yet" for missing or NaN grids', () => {
    const nanGrid = { ...grid, probs: new Float32Array(8).fill(Number.NaN) };
    const out = html(DecisionBoundaries, {
      points,
      runs: [
        { id: 'a', name: 'FishLeg', colour: '#2563eb', grid },
        { id: 'b', name: 'Adam', colour: 'not a colour', grid: null },
        { id: 'c', name: 'SGD', colour: '#16a34a', grid: nanGrid },
      ],
    });
    expect(out).toContain('100% right');
    expect(out.match(/no data yet/g)).toHaveLength(2);
    expect(out).toContain('background:#808080'); // the bad colour falls back to grey, never injected
    expect(html(DecisionBoundaries, { points, runs: [] })).toContain('No runs to show yet');
  });
});

describe('Reconstructions', () => {
  it('tiles images with one white gap column and computes the MSE (hand-worked)', () => {
    const a = new Float32Array([1, 0]);
    const strip = tileRow([a, a], 1, 2, false);
    // width 1+1+1 = 3, height 2: pixel (0,0) black, (1,0) the white gap, (2,0) black.
    expect(Array.from(strip.slice(0, 12))).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
    expect(meanSquaredError([new Float32Array([0.5, 0])], [new Float32Array([1, 0])], false)).toBeCloseTo(0.125, 12);
    // Logits 0 → ½ everywhere: MSE against (1, 0) is ¼.
    expect(meanSquaredError([new Float32Array([0, 0])], [new Float32Array([1, 0])], true)).toBeCloseTo(0.25, 12);
  });

  it('shows the MSE per run and survives empty and NaN reconstructions', () => {
    const orig = [new Float32Array([1, 0, 0, 1])];
    const out = html(Reconstructions, {
      width: 2,
      height: 2,
      originals: orig,
      runs: [
        { id: 'a', name: 'FishLeg', colour: '#2563eb', recon: [new Float32Array([0.5, 0, 0, 1])] },
        { id: 'b', name: 'Adam', colour: '#ea580c', recon: [new Float32Array(4).fill(Number.NaN)] },
        { id: 'c', name: 'SGD', colour: '#16a34a', recon: [] },
      ],
    });
    expect(out).toContain('MSE 0.0625');
    expect(out.match(/no data yet/g)).toHaveLength(2);
    expect(html(Reconstructions, { width: 2, height: 2, originals: [], runs: [] })).toContain('No images');
  });
});

describe('Predictions', () => {
  it('shows the argmax class, its probability and right/wrong marks', () => {
    const img = new Float32Array(4);
    const out = html(Predictions, {
      width: 2,
      height: 2,
      images: [img, img],
      labels: new Uint32Array([2, 0]),
      classes: 3,
      runs: [
        {
          id: 'a',
          name: 'FishLeg',
          colour: '#2563eb',
          probs: [new Float32Array([0.1, 0.2, 0.7]), new Float32Array([0.5, 0.4, 0.1])],
        },
        { id: 'b', name: 'Adam', colour: '#ea580c', probs: [new Float32Array([0.6, Number.NaN, 0.3])] },
      ],
    });
    expect(out).toContain('FishLeg: predicts 2 with probability 70%');
    expect(out).toContain('FishLeg: predicts 0 with probability 50%');
    expect(out).toContain('Adam: predicts 0 with probability 60%');
    expect(out.match(/aria-label="right"/g)).toHaveLength(2);
    expect(out.match(/aria-label="wrong"/g)).toHaveLength(1);
    expect(html(Predictions, { width: 2, height: 2, images: [], classes: 10, runs: [] })).toContain(
      'No predictions yet',
    );
  });
});

describe('InsideFishLeg', () => {
  const base = { runName: 'FishLeg', layer: { index: 0, label: '1×(0+1)', size: 1 }, damping: 0.1 };

  it("shows the worker's relative error of Q against the exact inverse, only next to matrices it fits", () => {
    // d = 1·(0+1) = 1: Q = 3, F⁻¹ = 4 → |3 − 4| / 4 = 0.25 (views-data.ts computes it).
    const out = html(InsideFishLeg, {
      ...base,
      q: new Float64Array([3]),
      fInv: new Float64Array([4]),
      relError: 0.25,
      errorHistory: [{ step: 0, relError: 1 }],
      auxLossHistory: [],
    });
    expect(out).toMatch(/data-testid="inside-rel-error">0.25</);
    expect(out).toContain('d = 1');
    const missing = html(InsideFishLeg, {
      ...base,
      q: new Float64Array([3]),
      fInv: new Float64Array([4]),
      errorHistory: [],
      auxLossHistory: [],
    });
    expect(missing).toMatch(/data-testid="inside-rel-error">–</);
  });

  it('survives missing matrices, a size mismatch and NaN histories', () => {
    const out = html(InsideFishLeg, {
      ...base,
      layer: { index: 0, label: '2×(1+1)', size: 4 },
      q: null,
      fInv: new Float32Array(3),
      errorHistory: [{ step: 1, relError: Number.NaN }],
      auxLossHistory: [{ step: Number.NaN, auxLoss: 1 }],
    });
    expect(out).toContain('expected 4×4 = 16 values');
    expect(out.match(/no data yet/g)!.length).toBeGreaterThanOrEqual(5);
    const quiet = html(InsideFishLeg, {
      ...base,
      q: null,
      fInv: null,
      errorHistory: [],
      auxLossHistory: [],
      explanations: false,
    });
    expect(quiet).not.toContain('The Fisher matrix');
  });

  it('typesets every formula without a KaTeX error', () => {
    for (const name of Object.keys(FORMULAS) as FormulaName[]) {
      const out = texHtml(name, true);
      expect(out).toContain('class="katex');
      expect(out).not.toContain('katex-error');
    }
  });
});

describe('TwoParamDemo and series helpers', () => {
  it('renders step 0 with both paths at the same start', () => {
    const out = html(TwoParamDemo, {});
    expect(out).toContain('step 0');
    expect(out.match(/<td>1.68<\/td>/g)).toHaveLength(2);
    expect(out).toContain('data-testid="ngd-arrival">step 12<');
  });

  it('decimation and formatting', () => {
    const long = Array.from({ length: 1001 }, (_, i) => ({ step: 1000 - i, v: i === 5 ? Number.NaN : i }));
    const clean = cleanSeries(long, (p) => p.v, 100);
    expect(clean.length).toBeLessThanOrEqual(101);
    expect(clean[0]!.step).toBe(0);
    expect(clean.at(-1)!.step).toBe(1000);
    expect(clean.every((p, i) => i === 0 || p.step > clean[i - 1]!.step)).toBe(true);
    expect(formatValue(0.000123)).toBe('1.2e-4');
    expect(formatValue(Number.NaN)).toBe('–');
    expect(formatValue(2.4567)).toBe('2.46');
  });
});
