/**
 * "Bars and stripes", a small synthetic image task that a conv net learns in seconds on the CPU: 8×8×1
 * images, each either a few full rows lit (class 0, bars) or a few full columns lit (class 1, stripes), with
 * Gaussian pixel noise. Generated from the counter RNG on Stream.data, so a seed always gives the same
 * images; row i belongs to class i % 2, so the classes are balanced in each split.
 */
import { oneHot, type Dataset } from './dataset.ts';
import { Rng, Stream } from '../rng.ts';
import { TOY_MAX_NOISE, TOY_MAX_POINTS, ToyError, type ToyOptions } from './toy.ts';

/** The image side: 8×8 pixels, one channel. */
export const BARS_SIDE = 8;

export const BARS_DEFAULTS: Readonly<Required<Omit<ToyOptions, 'classes'>>> = {
  n: 1000,
  noise: 0.2,
  seed: 0,
  testFraction: 0.2,
};

/** Lines (rows or columns) lit in one image: 1 to half the side, so no image is blank or ambiguous. */
function litLines(rng: Rng): boolean[] {
  for (;;) {
    const lit = Array.from({ length: BARS_SIDE }, () => rng.uniform() < 0.3);
    const count = lit.filter(Boolean).length;
    if (count >= 1 && count <= BARS_SIDE / 2) return lit;
  }
}

/** Generates the task; the same options (seed included) always give bit-identical arrays. */
export function barsDataset(options: Omit<ToyOptions, 'classes'> = {}): Dataset {
  const o = { ...BARS_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.n) || o.n < 2 || o.n > TOY_MAX_POINTS) {
    throw new ToyError(`bars: the number of images must be an integer from 2 to ${TOY_MAX_POINTS}, got ${o.n}`);
  }
  if (!(o.noise >= 0 && o.noise <= TOY_MAX_NOISE)) {
    throw new ToyError(`bars: noise must be in [0, ${TOY_MAX_NOISE}], got ${o.noise}`);
  }
  if (!(o.testFraction > 0 && o.testFraction < 1)) {
    throw new ToyError(`bars: the test fraction must be in (0, 1), got ${o.testFraction}`);
  }
  const d = BARS_SIDE * BARS_SIDE;
  const rng = new Rng(o.seed, Stream.data);
  const x = new Float32Array(d * o.n);
  const labels = new Uint32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const c = i % 2;
    const lit = litLines(rng);
    for (let r = 0; r < BARS_SIDE; r++) {
      for (let q = 0; q < BARS_SIDE; q++) {
        const on = c === 0 ? lit[r] : lit[q];
        x[i * d + r * BARS_SIDE + q] = (on ? 1 : 0) + (o.noise > 0 ? o.noise * rng.normal() : 0);
      }
    }
    labels[i] = c;
  }
  const y = oneHot(labels, 2);
  const nTest = Math.max(1, Math.round(o.n * o.testFraction));
  const nTrain = o.n - nTest;
  return {
    name: 'bars',
    inputDim: d,
    outputDim: 2,
    kind: 'classification',
    numClasses: 2,
    image: { width: BARS_SIDE, height: BARS_SIDE },
    train: { x: x.slice(0, d * nTrain), y: y.slice(0, 2 * nTrain), n: nTrain },
    test: { x: x.slice(d * nTrain), y: y.slice(2 * nTrain), n: nTest },
  };
}
