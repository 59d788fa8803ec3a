/**
 * The URL round trip of the playground config: defaults, valid values, and invalid values that fall back to
 * the default with a warning instead of reaching the worker.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, optimizerFor, parseSearch, runFor, toSearch } from './config.ts';

describe('parseSearch / toSearch', () => {
  it('gives the defaults for an empty query: spiral, Adam at 0.01, auto backend', () => {
    const { config, warnings } = parseSearch('');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.run.task).toBe('spiral');
    expect(config.run.optimizer).toEqual({
      kind: 'adam',
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
    });
    expect(config.backend).toBe('auto');
    expect(warnings).toEqual([]);
  });

  it('reads backend, task, optimizer, learning rate and seed', () => {
    const { config, warnings } = parseSearch('?backend=cpu&task=xor&opt=sgd&lr=0.3&seed=7');
    expect(warnings).toEqual([]);
    expect(config).toEqual({ backend: 'cpu', run: runFor('xor', optimizerFor('sgd', 0.3), 7) });
    expect(config.run.optimizer).toEqual({ kind: 'sgd', lr: 0.3, momentum: 0.9, weightDecay: 0 });
  });

  it("uses the chosen optimizer's default learning rate when lr is absent", () => {
    expect(parseSearch('?opt=sgd').config.run.optimizer.lr).toBe(0.1);
    expect(parseSearch('?opt=adamw').config.run.optimizer).toMatchObject({
      kind: 'adamw',
      lr: 0.01,
      weightDecay: 0.01,
    });
  });

  it('round-trips through toSearch', () => {
    for (const q of ['', '?backend=cpu', '?task=gaussians&opt=adamw&lr=0.003&seed=2', '?backend=webgpu&task=circles']) {
      const { config } = parseSearch(q);
      expect(parseSearch(toSearch(config)).config).toEqual(config);
    }
    expect(toSearch(DEFAULT_CONFIG)).toBe('?task=spiral&opt=adam&lr=0.01&seed=1');
  });

  it('falls back to defaults with a warning for unknown or out-of-range values', () => {
    const { config, warnings } = parseSearch('?backend=metal&task=moons&opt=lbfgs&lr=-1&seed=1.5');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toBe('?backend=metal is not one of auto, webgpu, cpu; using auto');
    expect(warnings[3]).toBe('?lr=-1 must be a number in (0, 10]; using 0.01');
    expect(parseSearch('?lr=').warnings).toHaveLength(1);
    expect(parseSearch('?lr=abc').config.run.optimizer.lr).toBe(0.01);
  });
});
