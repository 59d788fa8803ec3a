/**
 * The architecture grammar (sizes, activation letters, errors, data-size checks) and the task registry:
 * defaults that parse and fit their data, likelihoods, and loaders (MNIST through an injected byte source).
 */
import { describe, expect, it } from 'vitest';
import { readMnistAssetBytes } from './mnist-node.ts';
import {
  ArchError,
  archForData,
  formatArch,
  getTask,
  likelihoodFor,
  paramCount,
  parseArch,
  TASK_NAMES,
  TASKS,
} from './tasks.ts';

describe('parseArch', () => {
  it('reads sizes and activation letters (none = linear)', () => {
    expect(parseArch('784-1000r-500r-250r-30-250r-500r-1000r-784')).toEqual({
      sizes: [784, 1000, 500, 250, 30, 250, 500, 1000, 784],
      acts: ['relu', 'relu', 'relu', 'identity', 'relu', 'relu', 'relu', 'identity'],
    });
    expect(parseArch(' 2 - 16T - 8s-3 ', 2, 3)).toEqual({
      sizes: [2, 16, 8, 3],
      acts: ['tanh', 'sigmoid', 'identity'],
    });
    expect(parseArch('5-1r')).toEqual({ sizes: [5, 1], acts: ['relu'] });
  });

  it('round-trips through formatArch and counts parameters', () => {
    const s = '784-1000r-500r-250r-30-250r-500r-1000r-784';
    expect(formatArch(parseArch(s))).toBe(s);
    expect(formatArch(parseArch('2-16T-3'))).toBe('2-16t-3');
    // (2+1)·16 + (16+1)·3 = 48 + 51.
    expect(paramCount(parseArch('2-16t-3'))).toBe(99);
  });

  it('explains malformed specs', () => {
    const hint = "write sizes joined by '-', each after the first followed by r (ReLU), t (tanh), s (sigmoid)";
    expect(() => parseArch('')).toThrow(`empty architecture: ${hint}`);
    expect(() => parseArch('784')).toThrow("architecture '784' has no layers");
    expect(() => parseArch('784-12x-10')).toThrow(
      "architecture '784-12x-10': layer 1 '12x' has unknown activation 'x'",
    );
    expect(() => parseArch('784--10')).toThrow("architecture '784--10': layer 1 '' is not a size");
    expect(() => parseArch('784-r10-10')).toThrow("layer 1 'r10' is not a size");
    expect(() => parseArch('784-1.5-10')).toThrow("layer 1 '1.5' is not a size");
    expect(() => parseArch('784r-10')).toThrow("the input size '784r' cannot have an activation letter");
    expect(() => parseArch('784-0r-10')).toThrow(
      "architecture '784-0r-10': layer 1 has size 0, sizes go from 1 to 65536",
    );
    expect(() => parseArch('784-100000-10')).toThrow('layer 1 has size 100000');
    expect(() => parseArch('784-10')).not.toThrow();
    expect(() => parseArch('x-10')).toThrow(ArchError);
  });

  it('checks the input and output sizes against the data', () => {
    expect(() => parseArch('3-16t-2', 2, 2)).toThrow(
      "architecture '3-16t-2' takes 3 inputs, but the data has 2 features",
    );
    expect(() => parseArch('2-16t-2', 2, 3)).toThrow(
      "architecture '2-16t-2' has 2 outputs, but the data has 3 targets",
    );
  });
});

describe('task registry', () => {
  it('has the documented defaults', () => {
    expect(TASK_NAMES).toEqual([
      'mnist-ae',
      'mnist',
      'spiral',
      'circles',
      'xor',
      'gaussians',
      'plane',
      'bumps',
      'scaled-regression',
      'bars',
    ]);
    expect(TASKS['mnist-ae'].defaultArch).toBe('784-1000r-500r-250r-30-250r-500r-1000r-784');
    expect(TASKS.mnist.defaultArch).toBe('784-128r-10');
    expect(TASKS.spiral.defaultArch).toBe('2-16t-16t-2');
    expect(TASKS.gaussians.defaultArch).toBe('2-16t-16t-3');
    expect(TASKS.bars.defaultArch).toBe('8x8x1-c4k3p1r-mp2-f-2');
    expect(TASK_NAMES.map((t) => TASKS[t].likelihood)).toEqual([
      'bernoulli',
      'categorical',
      'categorical',
      'categorical',
      'categorical',
      'categorical',
      'gaussian',
      'gaussian',
      'gaussian',
      'categorical',
    ]);
    expect(likelihoodFor('regression')).toBe('gaussian');
    expect(() => getTask('cifar')).toThrow(
      "unknown task 'cifar': choose one of mnist-ae, mnist, spiral, circles, xor, gaussians, plane, bumps, scaled-regression, bars",
    );
  });

  it('loads toys whose data fit the default architecture, following a class-count change', async () => {
    for (const t of ['spiral', 'circles', 'xor', 'gaussians'] as const) {
      const d = await TASKS[t].load({ seed: 1 });
      expect(d.kind).toBe(TASKS[t].kind);
      const arch = archForData(undefined, d, t);
      expect(arch.sizes[0]).toBe(2);
      expect(arch.sizes.at(-1)).toBe(d.numClasses);
    }
    const spiral3 = await TASKS.spiral.load({ classes: 3, n: 300 });
    expect(formatArch(archForData(undefined, spiral3, 'spiral'))).toBe('2-16t-16t-3');
    expect(() => archForData('2-8t-2', spiral3, 'spiral')).toThrow('has 2 outputs, but the data has 3 targets');
  });

  it('loads the MNIST tasks from an injected byte source', async () => {
    const mnistBytes = () => Promise.resolve(readMnistAssetBytes());
    const ae = await TASKS['mnist-ae'].load({ mnistBytes });
    expect([ae.kind, ae.train.n, ae.test.n]).toEqual(['autoencoder', 8004, 1996]);
    expect(archForData(undefined, ae, 'mnist-ae').sizes).toEqual([784, 1000, 500, 250, 30, 250, 500, 1000, 784]);
    const cls = await TASKS.mnist.load({ mnistBytes });
    expect([cls.kind, cls.outputDim]).toEqual(['classification', 10]);
    expect(formatArch(archForData(undefined, cls, 'mnist'))).toBe('784-128r-10');
  });
});
