import { describe, expect, it } from 'vitest';
import { controlLosses, COSINE_MARGIN, LOSS_MARGIN, qHelping, type StepCosines } from './q-helping.ts';

const layer = (fishleg: number, gradient: number): StepCosines => ({ fishleg, gradient, over: 'layer' });

describe('whether Q is helping yet, in words', () => {
  it('says yes only when the learned Q is ahead of its control and turns the step towards the natural gradient', () => {
    const r = qHelping({ cosines: layer(0.61, 0.38), control: { step: 300, learned: 0.412, frozen: 0.53 } });
    expect(r).toEqual({
      verdict: 'yes',
      sentence:
        "Q is helping: learning Q has lowered the loss below its frozen-Q control's (train loss 0.412 vs 0.53 at step 300), and FishLeg's step points closer to the natural gradient than the plain gradient does (cos 0.61 vs 0.38 on this layer).",
    });
  });

  it('says "not yet" where both pieces of evidence say no (the MNIST preset as issue #16 measured it)', () => {
    const r = qHelping({ cosines: layer(0.386, 0.382), control: { step: 500, learned: 97.5, frozen: 97.75 } });
    expect(r?.verdict).toBe('not yet');
    expect(r?.sentence).toBe(
      "Q is not helping yet: learning Q has not lowered the loss below its frozen-Q control's (train loss 97.5 vs 97.8 at step 500), and FishLeg's step points about as close to the natural gradient as the plain gradient does (cos 0.39 vs 0.38 on this layer).",
    );
    // The Switch race: the plain gradient is the closer one.
    const worse = qHelping({ cosines: { fishleg: 0.61, gradient: 0.996, over: 'model' }, control: null });
    expect(worse?.verdict).toBe('not yet');
    expect(worse?.sentence).toMatch(
      /^Q is not helping yet: FishLeg's step points further from the natural gradient than the plain gradient does \(cos 0\.61 vs 1\.00 over the whole model\)\. A frozen-Q control/,
    );
  });

  it('says "in part", with "but", where the two disagree', () => {
    const lossOnly = qHelping({ cosines: layer(0.3, 0.5), control: { step: 100, learned: 1, frozen: 2 } });
    expect(lossOnly?.verdict).toBe('partly');
    expect(lossOnly?.sentence).toMatch(
      /^Q is helping in part: learning Q has lowered .*, but FishLeg's step points further/,
    );
    const dirOnly = qHelping({ cosines: layer(0.9, 0.5), control: { step: 100, learned: 2.5, frozen: 2 } });
    expect(dirOnly?.verdict).toBe('partly');
    expect(dirOnly?.sentence).toMatch(
      /^Q is helping in part: the loss with learned Q is above .*, but FishLeg's step points closer/,
    );
  });

  it('judges by one piece of evidence where only one is there, and by nothing before either is', () => {
    expect(qHelping({ cosines: layer(0.8, 0.4), control: null })?.verdict).toBe('yes');
    expect(qHelping({ cosines: null, control: { step: 50, learned: 1, frozen: 1.5 } })).toEqual({
      verdict: 'yes',
      sentence:
        "Q is helping: learning Q has lowered the loss below its frozen-Q control's (train loss 1 vs 1.5 at step 50).",
    });
    expect(qHelping({ cosines: null, control: null })).toBeNull();
    // Step 0 is the shared start, and a diverged run's NaN is no evidence.
    expect(qHelping({ cosines: null, control: { step: 0, learned: 1, frozen: 2 } })).toBeNull();
    expect(qHelping({ cosines: layer(Number.NaN, 0.5), control: null })).toBeNull();
  });

  it('calls differences inside the margins level, just outside them not', () => {
    const at = (d: number) => qHelping({ cosines: layer(0.5 + d, 0.5), control: null })!.verdict;
    expect(at(COSINE_MARGIN * 0.9)).toBe('not yet');
    expect(at(COSINE_MARGIN * 1.1)).toBe('yes');
    const loss = (share: number) =>
      qHelping({ cosines: null, control: { step: 10, learned: 1 - share, frozen: 1 } })!.verdict;
    expect(loss(LOSS_MARGIN * 0.9)).toBe('not yet');
    expect(loss(LOSS_MARGIN * 1.1)).toBe('yes');
  });
});

describe('a run whose Q is frozen', () => {
  it('says it is the baseline, whatever its measures', () => {
    const r = qHelping({ cosines: layer(0.9, 0.1), control: null, qFrozen: true });
    expect(r?.verdict).toBe('frozen');
    expect(r?.sentence).toMatch(/^Q is frozen in this run/);
  });
});

describe('controlLosses', () => {
  it('takes the latest step both runs were evaluated at', () => {
    const learned = [0, 20, 40, 60].map((step) => ({ step, trainLoss: 1 / (1 + step) }));
    const frozen = [0, 20, 40].map((step) => ({ step, trainLoss: 2 / (1 + step) }));
    expect(controlLosses(learned, frozen)).toEqual({ step: 40, learned: 1 / 41, frozen: 2 / 41 });
    expect(controlLosses(learned, [])).toBeNull();
  });
});
