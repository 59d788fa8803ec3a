/** `--features`: a toy task trains on the chosen input features, and a bad list is refused by name. */
import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../src/cli/args.ts';
import { runTraining } from '../../src/cli/train.ts';

const cpu = (...argv: string[]) => parseArgs(['--backend', 'cpu', '--quiet', ...argv]);

describe('--features', () => {
  it('trains circles on x₁² and x₂², with as many inputs as features, and the loss falls', async () => {
    const run = await runTraining(
      cpu('--task', 'circles', '--features', 'x1sq,x2sq', '--steps', '300', '--eval-every', '100', '--seed', '2'),
    );
    expect(run.config.arch).toMatch(/^2-16t-16t-2$/);
    expect(run.config.features).toEqual(['x1sq', 'x2sq']);
    const first = run.curve[0]!.trainLoss;
    const last = run.curve.at(-1)!.trainLoss;
    expect(last).toBeLessThan(0.5 * first);
  });

  it('sizes the network to three features', async () => {
    const run = await runTraining(
      cpu('--task', 'xor', '--features', 'x1,x2,x1x2', '--steps', '2', '--eval-every', '1'),
    );
    expect(run.config.arch).toBe('3-16t-16t-2');
  });

  it('refuses an unknown feature and features for MNIST', () => {
    expect(() => cpu('--task', 'spiral', '--features', 'x1,cos1')).toThrow(/'cos1' is not a feature/);
    expect(() => cpu('--task', 'mnist', '--features', 'x1')).toThrow(CliError);
  });
});

describe('the 2D regression toys on the command line', () => {
  it.each(['plane', 'bumps'])('%s trains with the Gaussian likelihood and the loss falls', async (task) => {
    const run = await runTraining(cpu('--task', task, '--steps', '400', '--eval-every', '200', '--seed', '3'));
    expect(run.config.arch).toBe('2-16t-16t-1');
    expect(run.config.likelihood).toBe('gaussian');
    expect(run.curve.at(-1)!.trainLoss).toBeLessThan(run.curve[0]!.trainLoss);
  });
});
