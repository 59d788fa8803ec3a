/** The page's export of a toy with input features, and of a regression toy (its points embedded as a table). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, dataFor, modelFor } from './config.ts';
import { exportSetupFromPlayground } from './export-pytorch.ts';
import { setupKey } from './saved-state.ts';

describe('exporting the 2D toys', () => {
  it('carries the input features and sizes the network to them', () => {
    const config = { ...DEFAULT_CONFIG, data: { ...dataFor('circles'), features: ['x1sq', 'x2sq', 'x1x2'] as const } };
    const s = exportSetupFromPlayground(config, null);
    expect(s.data).toMatchObject({ source: 'toy', task: 'circles', features: ['x1sq', 'x2sq', 'x1x2'] });
    expect(s.arch).toBe('3-16t-16t-2');
  });

  it('embeds a regression toy as a table with one target and the Gaussian likelihood', () => {
    const config = { ...DEFAULT_CONFIG, data: dataFor('bumps'), model: modelFor('bumps') };
    const s = exportSetupFromPlayground(config, null);
    expect(s.data.source).toBe('table');
    if (s.data.source === 'table') expect(s.data.dataset.train.n + s.data.dataset.test.n).toBe(config.data.n);
    expect([s.arch, s.likelihood]).toEqual(['2-16t-16t-1', 'gaussian']);
  });

  it('keeps a saved race for its own features only', () => {
    const other = { ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, features: ['x1', 'x2', 'x1sq'] as const } };
    expect(setupKey(other)).not.toBe(setupKey(DEFAULT_CONFIG));
  });
});
