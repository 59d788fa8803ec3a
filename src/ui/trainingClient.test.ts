/**
 * TrainingClient against a fake worker port: the commands it sends, how events fold into the snapshot,
 * dropping events of a reset run, and the thinning that keeps long curves small.
 */
import { describe, expect, it } from 'vitest';
import type { Command, MetricPoint, WorkerEvent } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, optimizerFor, runFor } from './config.ts';
import { appendThinned, TrainingClient, type WorkerPort } from './trainingClient.ts';

function fakePort() {
  const sent: Command[] = [];
  let emit: (e: WorkerEvent) => void = () => undefined;
  let crash: (m: string) => void = () => undefined;
  let terminated = false;
  const port: WorkerPort = {
    post: (cmd) => sent.push(cmd),
    listen: (onEvent, onCrash) => {
      emit = onEvent;
      crash = onCrash;
    },
    terminate: () => (terminated = true),
  };
  return {
    port,
    sent,
    emit: (e: WorkerEvent) => emit(e),
    crash: (m: string) => crash(m),
    terminated: () => terminated,
  };
}

const sync = (f: () => void) => f();

const point = (step: number, trainLoss = 1 / (1 + step)): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss,
  testLoss: trainLoss + 0.1,
});

describe('appendThinned', () => {
  const steps = (pts: readonly MetricPoint[]) => pts.map((p) => p.step);

  it('keeps everything up to the limit', () => {
    const r = appendThinned([point(0), point(10), point(20)], [point(30)], 1, 4);
    expect(steps(r.points)).toEqual([0, 10, 20, 30]);
    expect(r.stride).toBe(1);
  });

  it('doubles the stride until the points fit, keeping step 0 and the newest point', () => {
    const pts = Array.from({ length: 8 }, (_, i) => point(10 * i)); // 0..70
    // 9 points > 8. Stride 2 keeps all nine (every step is even); stride 4 keeps multiples of 20: five fit.
    const r = appendThinned(pts, [point(80)], 1, 8);
    expect(r.stride).toBe(4);
    expect(steps(r.points)).toEqual([0, 20, 40, 60, 80]);
  });

  it('stays within the limit and evenly spaced for long runs', () => {
    let pts: MetricPoint[] = [];
    let stride = 1;
    for (let i = 0; i <= 5000; i++) ({ points: pts, stride } = appendThinned(pts, [point(20 * i)], stride, 100));
    expect(pts.length).toBeLessThanOrEqual(100);
    expect(pts.length).toBeGreaterThan(50);
    expect(pts[0]?.step).toBe(0);
    expect(pts.at(-1)?.step).toBe(100_000);
    // Every gap but the last (to the newest point) is the same: no thinned-out hole at the start.
    const gaps = pts.slice(1).map((p, i) => p.step - (pts[i]?.step ?? 0));
    expect(new Set(gaps.slice(0, -1)).size).toBe(1);
    expect(gaps.at(-1)).toBeLessThanOrEqual(gaps[0] ?? 0);
  });

  it('drops an off-grid pause point once newer points arrive', () => {
    let r = appendThinned([point(0), point(20)], [point(33)], 20, 10); // paused at step 33
    expect(steps(r.points)).toEqual([0, 20, 33]);
    r = appendThinned(r.points, [point(40)], r.stride, 10);
    expect(steps(r.points)).toEqual([0, 20, 40]);
  });
});

describe('TrainingClient', () => {
  it('sends init then reset for run 1 on construction', () => {
    const f = fakePort();
    new TrainingClient(f.port, { ...DEFAULT_CONFIG, backend: 'cpu' }, sync);
    expect(f.sent).toEqual([
      { type: 'init', requestId: 1, backend: 'cpu' },
      { type: 'reset', requestId: 2, runId: 1, config: DEFAULT_CONFIG.run },
    ]);
  });

  it('folds ready, metrics and progress into the snapshot and notifies subscribers', () => {
    const f = fakePort();
    const c = new TrainingClient(f.port, DEFAULT_CONFIG, sync);
    let notified = 0;
    c.subscribe(() => notified++);
    const before = c.getSnapshot();
    f.emit({ type: 'ready', requestId: 1, backend: { name: 'webgpu', description: 'swiftshader' } });
    f.emit({ type: 'runReady', requestId: 2, runId: 1 });
    f.emit({ type: 'metrics', runId: 1, points: [point(0)] });
    f.emit({ type: 'progress', runId: 1, step: 13, running: true, stepsPerSecond: 250 });
    f.emit({ type: 'metrics', runId: 1, points: [point(20)] });
    const s = c.getSnapshot();
    expect(notified).toBe(5);
    expect(before.backend).toBeNull(); // snapshots are immutable
    expect(s.backend).toEqual({ name: 'webgpu', description: 'swiftshader' });
    expect(s.runReady).toBe(true);
    expect(s.points.map((p) => p.step)).toEqual([0, 20]);
    expect(s.step).toBe(20);
    expect(s.stepsPerSecond).toBe(250);
  });

  it('play/pause send commands once and toggle the running flag', () => {
    const f = fakePort();
    const c = new TrainingClient(f.port, DEFAULT_CONFIG, sync);
    c.play();
    c.play();
    expect(c.getSnapshot().running).toBe(true);
    c.toggle();
    expect(c.getSnapshot().running).toBe(false);
    expect(f.sent.slice(2)).toEqual([
      { type: 'play', runId: 1 },
      { type: 'pause', runId: 1 },
    ]);
  });

  it('reset starts run 2 with the new settings, keeps playing, and drops late events of run 1', () => {
    const f = fakePort();
    const c = new TrainingClient(f.port, DEFAULT_CONFIG, sync);
    f.emit({ type: 'metrics', runId: 1, points: [point(0), point(20)] });
    c.play();
    const xor = runFor('xor', optimizerFor('sgd', 0.3));
    c.reset(xor);
    expect(f.sent.slice(-2)).toEqual([
      { type: 'reset', requestId: 3, runId: 2, config: xor },
      { type: 'play', runId: 2 },
    ]);
    f.emit({ type: 'metrics', runId: 1, points: [point(40)] });
    f.emit({ type: 'progress', runId: 1, step: 45, running: true, stepsPerSecond: 1 });
    f.emit({ type: 'error', runId: 1, name: 'Error', message: 'stale' });
    let s = c.getSnapshot();
    expect(s.config.run).toEqual(xor);
    expect(s.points).toEqual([]);
    expect(s.step).toBe(0);
    expect(s.error).toBeNull();
    expect(s.running).toBe(true);
    f.emit({ type: 'metrics', runId: 2, points: [point(0, 0.7)] });
    s = c.getSnapshot();
    expect(s.points).toEqual([point(0, 0.7)]);
  });

  it('shows errors of the current run or of init, and a worker crash, and stops running', () => {
    const f = fakePort();
    const c = new TrainingClient(f.port, DEFAULT_CONFIG, sync);
    c.play();
    f.emit({ type: 'error', requestId: 1, name: 'GPUError', message: 'no adapter' });
    expect(c.getSnapshot().error).toEqual({ name: 'GPUError', message: 'no adapter' });
    expect(c.getSnapshot().running).toBe(false);
    c.reset();
    f.crash('worker script failed to load');
    expect(c.getSnapshot().error).toEqual({ name: 'WorkerError', message: 'worker script failed to load' });
  });

  it('coalesces notifications until the scheduled callback runs (one render per frame)', () => {
    const f = fakePort();
    const frames: (() => void)[] = [];
    const c = new TrainingClient(f.port, DEFAULT_CONFIG, (cb) => frames.push(cb));
    let notified = 0;
    c.subscribe(() => notified++);
    f.emit({ type: 'metrics', runId: 1, points: [point(0)] });
    f.emit({ type: 'progress', runId: 1, step: 5, running: true, stepsPerSecond: 10 });
    c.play();
    expect(notified).toBe(0);
    expect(frames).toHaveLength(1);
    // The snapshot itself is current at once; only listeners wait.
    expect(c.getSnapshot()).toMatchObject({ step: 5, running: true });
    frames.shift()?.();
    expect(notified).toBe(1);
    f.emit({ type: 'progress', runId: 1, step: 9, running: true, stepsPerSecond: 10 });
    expect(frames).toHaveLength(1);
  });

  it('dispose terminates the worker', () => {
    const f = fakePort();
    new TrainingClient(f.port, DEFAULT_CONFIG, sync).dispose();
    expect(f.terminated()).toBe(true);
  });
});
