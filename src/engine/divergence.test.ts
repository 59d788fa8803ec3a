/**
 * The divergence rule: non-finite losses and explosions diverge at once, a loss stuck far above the start
 * diverges after a few evaluations, and healthy curves (falling, spiking once, starting below 1) never do.
 */
import { describe, expect, it } from 'vitest';
import {
  DivergenceWatch,
  EXPLODE_FACTOR,
  formatLoss,
  referenceLoss,
  STUCK_EVALUATIONS,
  STUCK_FACTOR,
} from './divergence.ts';

/** The first evaluation at which the watch reports divergence (its index), or null. */
function firstDivergence(losses: readonly number[], initial: number | null = null): number | null {
  const w = new DivergenceWatch(initial);
  for (let i = 0; i < losses.length; i++) if (w.observe(10 * i, losses[i]!)) return i;
  return null;
}

describe('DivergenceWatch', () => {
  it('takes the step-0 loss floored at 1 as the yardstick', () => {
    expect([referenceLoss(0.69), referenceLoss(543), referenceLoss(Number.NaN), referenceLoss(-2)]).toEqual([
      1, 543, 1, 1,
    ]);
  });

  it.each([
    ['NaN', [0.7, 0.6, Number.NaN], 2],
    ['+∞', [0.7, Number.POSITIVE_INFINITY], 1],
    ['a non-finite start', [Number.NaN], 0],
    ['an explosion', [0.7, 0.5, 2e4], 2],
    ['SGD at lr 1e6 on the spiral (measured)', [0.69, 2457793, 22403394, 2445345], 1],
    ['a plateau 10×–1e4× above the start', [0.69, 0.6, 50, 60, 40, 70, 55, 80], 6],
    ['a big start that grows 10× and stays', [500, 400, 6000, 6000, 6000, 6000, 6000], 6],
  ])('flags %s', (_, losses, at) => {
    expect(firstDivergence(losses)).toBe(at);
  });

  it.each([
    ['a falling curve', [0.69, 0.5, 0.3, 0.1, 0.05, 0.01, 0.001]],
    ['one spike that goes away', [0.69, 0.4, 9000, 20, 15, 12, 0.5, 0.3, 0.2]],
    ['a start below 1 that wobbles up to 9', [0.01, 0.005, 9, 9, 9, 9, 9, 9, 9, 0.004]],
    ['an MNIST autoencoder (summed over 784 pixels)', [543, 177, 141, 126, 116, 200, 110]],
    ['a negative Gaussian NLL', [-0.5, -1, -2, -3]],
  ])('leaves %s alone', (_, losses) => {
    expect(firstDivergence(losses)).toBeNull();
  });

  it('needs the stuck loss on consecutive evaluations', () => {
    const stuck = 2 * STUCK_FACTOR;
    const broken = [1, ...Array<number>(STUCK_EVALUATIONS - 1).fill(stuck), 0.5, ...Array<number>(4).fill(stuck)];
    expect(firstDivergence(broken)).toBeNull();
    expect(firstDivergence([1, ...Array<number>(STUCK_EVALUATIONS).fill(stuck)])).toBe(STUCK_EVALUATIONS);
  });

  it('uses a given initial loss (a run rebuilt from a checkpoint)', () => {
    expect(firstDivergence([0.3, 20, 20, 20, 20, 20], 100)).toBeNull();
    expect(firstDivergence([0.3, EXPLODE_FACTOR * 1.5], 1)).toBe(1);
  });

  it('says why', () => {
    const w = new DivergenceWatch();
    w.observe(0, 0.6931);
    expect(w.observe(20, 2457793.76)).toEqual({
      step: 20,
      loss: 2457793.76,
      reason: 'the loss is above 10000 (10000× the initial loss 0.6931, floored at 1)',
    });
    const big = new DivergenceWatch(543.2);
    for (let i = 0; i < STUCK_EVALUATIONS - 1; i++) expect(big.observe(i, 6000)).toBeNull();
    expect(big.observe(9, 6000)?.reason).toBe('the loss stayed above 10× the initial 543.2 for 5 evaluations');
    expect(new DivergenceWatch().observe(3, Number.NaN)?.reason).toBe('the loss is NaN');
    expect([formatLoss(2457793.76), formatLoss(0.693147), formatLoss(Number.NaN)]).toEqual([
      '2458000',
      '0.6931',
      'NaN',
    ]);
  });
});
