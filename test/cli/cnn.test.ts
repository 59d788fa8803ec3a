/**
 * The command line trains a conv net: the bars-and-stripes image task on the CPU with the first-order
 * methods, FishLeg, K-FAC and the natural gradient.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.ts';
import { runTraining } from '../../src/cli/train.ts';

const cpu = (...argv: string[]) => parseArgs(['--backend', 'cpu', '--quiet', ...argv]);

describe('the CLI on the bars task', () => {
  it('trains its default conv net with Adam: the loss falls and the test accuracy rises', async () => {
    const run = await runTraining(cpu('--task', 'bars', '--optimizer', 'adam', '--steps', '150', '--eval-every', '50'));
    expect(run.config.arch).toBe('8x8x1-c4k3p1r-mp2-f-2');
    const first = run.curve[0]!;
    const last = run.curve[run.curve.length - 1]!;
    expect(first.step).toBe(0);
    expect(last.step).toBe(150);
    expect(last.trainLoss).toBeLessThan(first.trainLoss / 2);
    expect(last.testAccuracy!).toBeGreaterThan(0.9);
  });

  it('takes an architecture over its images with SGD and AdamW, and fewer noisier images', async () => {
    for (const optimizer of ['sgd', 'adamw']) {
      const run = await runTraining(
        cpu(
          '--task',
          'bars',
          '--samples',
          '300',
          '--noise',
          '0.4',
          '--arch',
          '8x8x1-c3k3r-ap2-f-4t-2',
          '--optimizer',
          optimizer,
          '--steps',
          '100',
          '--eval-every',
          '100',
        ),
      );
      expect(run.curve[1]!.trainLoss, optimizer).toBeLessThan(run.curve[0]!.trainLoss);
    }
  });

  it.each(['fishleg', 'kfac', 'natural'])('trains its default conv net with %s: the loss falls', async (optimizer) => {
    const run = await runTraining(
      cpu('--task', 'bars', '--optimizer', optimizer, '--lr', '0.02', '--steps', '60', '--eval-every', '60'),
    );
    expect(run.curve[1]!.trainLoss, optimizer).toBeLessThan(0.8 * run.curve[0]!.trainLoss);
  });
});
