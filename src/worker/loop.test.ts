/**
 * TrainingLoop against a scripted fake trainer and a fake clock: evaluation cadence, no overlap between
 * steps and evaluations, the final evaluation on pause, chunk adaptation from throughput, and errors.
 */
import { describe, expect, it } from 'vitest';
import { LoopConfigError, messageChannelYield, TrainingLoop, type LoopListener, type LoopTrainer } from './loop.ts';
import type { EvalResult as MetricPoint } from '../engine/trainer.ts';

/** A trainer whose steps cost `msPerStep` on a shared fake clock; it records every call. */
class FakeTrainer implements LoopTrainer<MetricPoint> {
  steps = 0;
  readonly calls: string[] = [];
  readonly chunks: number[] = [];
  evaluating = false;
  failAtStep = Infinity;
  constructor(
    readonly clock: { t: number },
    public msPerStep = 1,
  ) {}
  step(n: number): void {
    if (this.evaluating) throw new Error('step() called while an evaluation is in flight');
    if (this.steps + n > this.failAtStep) throw new Error('device lost');
    this.steps += n;
    this.chunks.push(n);
    this.calls.push(`step ${n}`);
    this.clock.t += n * this.msPerStep;
  }
  async evaluate(): Promise<MetricPoint> {
    this.evaluating = true;
    this.calls.push(`eval @${this.steps}`);
    await Promise.resolve();
    this.evaluating = false;
    return { step: this.steps, seconds: 0, trainLoss: 1 / (1 + this.steps), testLoss: 1 };
  }
}

/** Builds a loop whose yield hook runs `onYield(count)` so a test can pause after a number of slices. */
function setup(evalEvery: number, msPerStep = 1) {
  const clock = { t: 0 };
  const trainer = new FakeTrainer(clock, msPerStep);
  const points: MetricPoint[] = [];
  const errors: unknown[] = [];
  const progress: { step: number; running: boolean }[] = [];
  const listener: LoopListener<MetricPoint> = {
    metrics: (p) => points.push(p),
    progress: (step, running) => progress.push({ step, running }),
    error: (e) => errors.push(e),
  };
  let yields = 0;
  let onYield: (n: number) => void = () => undefined;
  const loop = new TrainingLoop(
    trainer,
    {
      evalEvery,
      sliceMs: 16,
      progressEveryMs: 0,
      now: () => clock.t,
      yieldNow: async () => {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        onYield(++yields);
      },
    },
    listener,
  );
  return {
    loop,
    trainer,
    points,
    errors,
    progress,
    setOnYield: (f: (n: number) => void) => (onYield = f),
  };
}

/** Resolves once the loop has yielded `n` times. */
function afterYields(s: ReturnType<typeof setup>, n: number): Promise<void> {
  return new Promise((resolve) => s.setOnYield((k) => k === n && resolve()));
}

describe('TrainingLoop', () => {
  it('rejects an evalEvery that is not a positive integer', () => {
    const clock = { t: 0 };
    const l: LoopListener<MetricPoint> = { metrics: () => {}, progress: () => {}, error: () => {} };
    expect(() => new TrainingLoop(new FakeTrainer(clock), { evalEvery: 0 }, l)).toThrow(LoopConfigError);
    expect(() => new TrainingLoop(new FakeTrainer(clock), { evalEvery: 2.5 }, l)).toThrow(LoopConfigError);
  });

  it('evaluates exactly every evalEvery steps and never steps during an evaluation', async () => {
    const s = setup(10);
    s.loop.play();
    await afterYields(s, 60);
    await s.loop.pause();
    expect(s.errors).toEqual([]);
    // Every evaluation but the pause's final one lands on a multiple of 10.
    const evalSteps = s.points.map((p) => p.step);
    expect(evalSteps.slice(0, -1).every((k) => k % 10 === 0)).toBe(true);
    expect(evalSteps.slice(0, -1)).toEqual(evalSteps.slice(0, -1).map((_, i) => 10 * (i + 1)));
    // The last point is at the paused step, so the chart ends where training stopped.
    expect(evalSteps.at(-1)).toBe(s.trainer.steps);
    expect(s.loop.step).toBe(s.trainer.steps);
  });

  it('adapts the chunk to about sliceMs of work from the measured throughput', async () => {
    // 1 ms per step, 16 ms slices: after the first interval the loop should take 16 steps per slice.
    const s = setup(48, 1);
    s.loop.play();
    await afterYields(s, 60);
    await s.loop.pause();
    expect(s.trainer.chunks.slice(0, 3)).toEqual([1, 1, 1]);
    const afterFirstEval = s.trainer.calls.indexOf('eval @48');
    expect(afterFirstEval).toBe(48);
    const later = s.trainer.calls.slice(afterFirstEval + 1, afterFirstEval + 5);
    expect(later).toEqual(['step 16', 'step 16', 'step 16', 'eval @96']);
  });

  it('halves the chunk at once when a slice overruns (the CPU backend computes inside step)', async () => {
    // 1 ms per step until the first evaluation (chunk becomes 16), then 10 ms per step: 160 ms slices
    // overrun 2 × 16 ms, so the chunk halves each slice until one fits: 16, 8, 4, 2, 2, …
    const s = setup(48, 1);
    s.loop.play();
    await afterYields(s, 48);
    s.trainer.msPerStep = 10;
    await afterYields(s, 54);
    await s.loop.pause();
    const afterFirstEval = s.trainer.calls.indexOf('eval @48');
    expect(s.trainer.calls.slice(afterFirstEval + 1, afterFirstEval + 6)).toEqual([
      'step 16',
      'step 8',
      'step 4',
      'step 2',
      'step 2',
    ]);
  });

  it('pause evaluates once more only when steps were taken since the last evaluation', async () => {
    const s = setup(5);
    await s.loop.evaluate();
    expect(s.points.map((p) => p.step)).toEqual([0]);
    await s.loop.pause(); // never played: nothing new to evaluate
    expect(s.points.map((p) => p.step)).toEqual([0]);
    s.loop.play();
    await afterYields(s, 3);
    await s.loop.pause();
    expect(s.points.at(-1)?.step).toBe(s.trainer.steps);
    expect(s.progress.at(-1)).toEqual({ step: s.trainer.steps, running: false });
  });

  it('play → pause → play in quick succession runs a single loop', async () => {
    const s = setup(1000);
    s.loop.play();
    void s.loop.pause();
    s.loop.play();
    s.loop.play();
    await afterYields(s, 10);
    // One loop yields once per slice: 10 yields after the restart means about 10 step calls, not 20+.
    await s.loop.pause();
    expect(s.trainer.chunks.length).toBeLessThanOrEqual(11);
    expect(s.errors).toEqual([]);
  });

  it('reports a trainer error and stops', async () => {
    const s = setup(10);
    s.trainer.failAtStep = 7;
    s.loop.play();
    await expect.poll(() => s.errors.length).toBe(1);
    expect((s.errors[0] as Error).message).toBe('device lost');
    expect(s.loop.running).toBe(false);
    expect(s.trainer.steps).toBe(7);
  });

  it('stop() resolves only after the current slice, so the trainer can then be disposed', async () => {
    const s = setup(10);
    s.loop.play();
    await afterYields(s, 2);
    const stepsAtStop = s.trainer.steps;
    await s.loop.stop();
    const after = s.trainer.steps;
    await new Promise((r) => setTimeout(r, 5));
    expect(s.trainer.steps).toBe(after);
    expect(after - stepsAtStop).toBeLessThanOrEqual(1);
  });
});

describe('TrainingLoop manual steps', () => {
  it('stepOnce(1) takes exactly one step and evaluates it; the counter follows', async () => {
    const s = setup(10);
    await s.loop.evaluate();
    for (let k = 1; k <= 3; k++) {
      await s.loop.stepOnce(1);
      expect(s.trainer.steps).toBe(k);
      expect(s.loop.step).toBe(k);
      expect(s.points.at(-1)?.step).toBe(k);
      expect(s.progress.at(-1)).toEqual({ step: k, running: false });
    }
    expect(s.trainer.chunks).toEqual([1, 1, 1]);
    expect(s.errors).toEqual([]);
  });

  it('a big step evaluates on the grid it crosses and at its end', async () => {
    const s = setup(10);
    await s.loop.stepOnce(3);
    await s.loop.stepOnce(25);
    expect(s.trainer.steps).toBe(28);
    expect(s.points.map((p) => p.step)).toEqual([3, 10, 20, 28]);
    // In slices of about sliceMs (16 steps of 1 ms once measured), none across the evaluation grid.
    expect(s.trainer.chunks).toEqual([1, 2, 7, 10, 8]);
  });

  it('a long step goes in slices, reporting its progress and yielding between them', async () => {
    // 50 ms a step (MNIST on a slow CPU): ×100 would otherwise be one silent 5-second call.
    const s = setup(50, 50);
    let yields = 0;
    s.setOnYield(() => yields++);
    await s.loop.stepOnce(100);
    expect(s.trainer.steps).toBe(100);
    expect(s.points.map((p) => p.step)).toEqual([50, 100]);
    expect(Math.max(...s.trainer.chunks)).toBe(1);
    const during = s.progress.filter((p) => p.step > 0 && p.step < 100);
    expect(during.length).toBeGreaterThanOrEqual(90);
    expect(during.every((p) => !p.running)).toBe(true);
    expect(during.map((p) => p.step)).toEqual([...during.map((p) => p.step)].sort((a, b) => a - b));
    expect(s.progress.at(-1)).toEqual({ step: 100, running: false });
    expect(yields).toBe(99);
  });

  it('play after single steps evaluates on multiples of evalEvery again', async () => {
    const s = setup(10);
    await s.loop.stepOnce(1);
    await s.loop.stepOnce(1);
    s.loop.play();
    await afterYields(s, 40);
    await s.loop.pause();
    const played = s.points.map((p) => p.step).slice(2, -1);
    expect(played.length).toBeGreaterThan(1);
    expect(played).toEqual(played.map((_, i) => 10 * (i + 1)));
    expect(s.errors).toEqual([]);
  });
});

describe('TrainingLoop step budget', () => {
  it('pauses exactly at the budget with that step evaluated, says so once, and plays on past it when asked', async () => {
    const s = setup(10);
    const reached: number[] = [];
    const loop = new TrainingLoop(
      s.trainer,
      {
        evalEvery: 10,
        sliceMs: 16,
        progressEveryMs: 0,
        now: () => s.trainer.clock.t,
        yieldNow: () => new Promise<void>((r) => setTimeout(r, 0)),
      },
      {
        metrics: (p) => s.points.push(p),
        progress: () => undefined,
        error: (e) => s.errors.push(e),
        budgetReached: (k) => reached.push(k),
      },
    );
    loop.setStopAt(25);
    loop.play();
    await expect.poll(() => reached).toEqual([25]);
    expect(loop.running).toBe(false);
    expect(s.trainer.steps).toBe(25);
    expect(s.points.map((p) => p.step)).toEqual([10, 20, 25]);
    // Play again: the budget is behind the race and no longer limits it.
    loop.play();
    await expect.poll(() => s.trainer.steps).toBeGreaterThan(60);
    await loop.pause();
    expect(reached).toEqual([25]);
    expect(s.errors).toEqual([]);
  });
});

describe('messageChannelYield', () => {
  it('lets timers run while a loop yields continuously (Node drains port messages in bulk)', async () => {
    // A clock the test moves: 1 ms of "work" per slice, so the timer yield is due every 50 slices whatever
    // the machine's speed.
    let clock = 0;
    const yieldNow = messageChannelYield(50, () => clock);
    let fired = false;
    setTimeout(() => (fired = true), 0);
    let slices = 0;
    // A plain MessageChannel yield would starve the timer for all 1,000 slices.
    while (!fired && slices < 1000) {
      clock += 1;
      slices++;
      await yieldNow();
    }
    expect(fired).toBe(true);
    expect(slices).toBeLessThanOrEqual(51);
  });
});
