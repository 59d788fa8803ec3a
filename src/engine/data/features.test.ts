import { describe, expect, it } from 'vitest';
import { archForData } from './tasks.ts';
import {
  computeFeatures,
  DEFAULT_FEATURES,
  FEATURE_IDS,
  FeatureError,
  formatFeatures,
  parseFeatures,
  withFeatures,
} from './features.ts';
import { toyDataset } from './toy.ts';

describe('input features', () => {
  it('computes each feature of each point', () => {
    const plane = Float32Array.of(0.5, -2, -1, 0.25);
    const got = computeFeatures(plane, FEATURE_IDS);
    const row = (a: number, b: number) => [a, b, a * a, b * b, a * b, Math.sin(a), Math.sin(b)];
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from([...row(0.5, -2), ...row(-1, 0.25)])));
  });

  it('parses a list into the declared order, and says what is wrong with a bad one', () => {
    expect(parseFeatures('sin2, x1sq,x1')).toEqual(['x1', 'x1sq', 'sin2']);
    expect(formatFeatures(['sin2', 'x1'])).toBe('x1,sin2');
    expect(() => parseFeatures('')).toThrow(FeatureError);
    expect(() => parseFeatures('x1,x3')).toThrow(/'x3' is not a feature: choose from x1, x2, x1sq/);
    expect(() => parseFeatures('x1,x1')).toThrow(/twice/);
  });

  it('feeds a toy the chosen features and keeps its plane for the views', () => {
    const data = toyDataset('circles', { n: 50, seed: 3 });
    const fed = withFeatures(data, ['x1sq', 'x2sq', 'x1x2']);
    expect(fed.inputDim).toBe(3);
    expect(fed.train.n).toBe(data.train.n);
    expect(fed.plane?.train).toBe(data.train.x);
    expect(fed.plane?.features).toEqual(['x1sq', 'x2sq', 'x1x2']);
    const [a, b] = [data.test.x[2]!, data.test.x[3]!];
    expect(Array.from(fed.test.x.subarray(3, 6))).toEqual(Array.from(Float32Array.of(a * a, b * b, a * b)));
    // The default network's input width follows the features.
    expect(archForData(undefined, fed, 'circles').sizes[0]).toBe(3);
    expect(withFeatures(data, DEFAULT_FEATURES)).toBe(data);
  });
});
