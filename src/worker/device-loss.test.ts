/**
 * GPU device-loss recovery, in Node on the CPU backend: the session's backend factory hands out CPU backends
 * with a `lost` promise and a `device.destroy()` the test controls, so the real `loseDevice` command path
 * runs. Checked: the race resumes from its last checkpoint with the same parameters (plain SGD reproduces an
 * uninterrupted reference bit for bit), a playing race keeps playing with its training clock carrying on,
 * and the UI store shows the notice and cuts the curves at the restored step.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../engine/backend.ts';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { defaultOptimizer, type OptimizerConfig } from '../engine/optim/config.ts';
import { DEFAULT_CONFIG } from '../ui/config.ts';
import { TrainingClient, type WorkerPort } from '../ui/trainingClient.ts';
import type { MetricPoint, RaceSpec, RunSpec, WorkerEvent } from './protocol.ts';
import { WorkerSession, type SessionOptions } from './session.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });

/** Plain SGD keeps no optimizer state, so a resumed run must retrace the uninterrupted one exactly. */
const PLAIN_SGD = { ...defaultOptimizer('sgd'), lr: 0.2, momentum: 0 };

function spec(runs: RunSpec[]): RaceSpec {
  return {
    data: { task: 'spiral', n: 200, noise: 0.05, seed: 5 },
    model: { hidden: '8t', likelihood: 'auto', batch: 16, evalEvery: 10 },
    runs,
    inspect: { runId: null, layer: 0 },
  };
}

/** A factory of CPU backends that can be "lost" like a GPUDevice; counts how many it made. */
function losableBackends(): { createBackend: NonNullable<SessionOptions['createBackend']>; made: () => number } {
  let made = 0;
  const createBackend = (): Promise<Backend> => {
    made++;
    let lose: (info: GPUDeviceLostInfo) => void = () => undefined;
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
    const info = { reason: 'destroyed', message: 'Device was destroyed.' } as GPUDeviceLostInfo;
    const backend = Object.assign(new CpuBackend({ precision: 'f32' }), {
      lost,
      device: { destroy: () => lose(info) },
    });
    return Promise.resolve(backend);
  };
  return { createBackend, made: () => made };
}

function recordingSession(options: SessionOptions = {}) {
  const events: WorkerEvent[] = [];
  const session = new WorkerSession((e) => events.push(e), options);
  const metrics = (runId: string): MetricPoint[] =>
    events.flatMap((e) => (e.type === 'metrics' ? e.points.filter((p) => p.runId === runId).map((p) => p.point) : []));
  const restored = (): number | undefined =>
    events.flatMap((e) => (e.type === 'deviceLost' && e.restoredStep !== undefined ? [e.restoredStep] : []))[0];
  return { session, events, metrics, restored };
}

async function stepTo(session: WorkerSession, steps: number, every = 10): Promise<void> {
  for (let s = 0; s < steps; s += every) await session.handle({ type: 'step', raceId: 1, steps: every });
}

describe('GPU device loss (simulated on the CPU backend)', () => {
  it('resumes a paused race from its last checkpoint with the same parameters and batches', async () => {
    const runs = [run('sgd', PLAIN_SGD)];
    const ref = recordingSession();
    await ref.session.handle({ type: 'init', requestId: 1, backend: 'cpu' });
    await ref.session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await stepTo(ref.session, 80);

    const backends = losableBackends();
    const { session, events, metrics, restored } = recordingSession({ createBackend: backends.createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    // Evaluations 0..6 at steps 0..60; checkpoints every 5th evaluation: steps 0 and 50.
    await stepTo(session, 60);
    expect(metrics('sgd').at(-1)!.step).toBe(60);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored).toBe(50);
    expect(backends.made()).toBe(2);
    const lost = events.filter((e) => e.type === 'deviceLost');
    expect(lost[0]).toMatchObject({ raceId: 1, message: 'Device was destroyed.' });
    expect(lost[0]).not.toHaveProperty('restoredStep');

    await stepTo(session, 20);
    const after = metrics('sgd').slice(-2);
    const want = ref.metrics('sgd').filter((p) => p.step === 60 || p.step === 70);
    expect(after.map((p) => p.step)).toEqual([60, 70]);
    // Same parameters at step 50 and the same batches from there: the same losses to the last bit.
    expect(after.map((p) => [p.trainLoss, p.testLoss])).toEqual(want.map((p) => [p.trainLoss, p.testLoss]));
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
    await ref.session.dispose();
  });

  it('keeps a playing race playing after recovery; steps and the training clock carry on', async () => {
    const { session, events, metrics, restored } = recordingSession({ createBackend: losableBackends().createBackend });
    await session.handle({ type: 'init', requestId: 1, backend: 'webgpu' });
    const runs = [run('sgd', PLAIN_SGD), run('adam', { ...defaultOptimizer('adam'), lr: 0.02 })];
    await session.handle({ type: 'setup', requestId: 2, raceId: 1, spec: spec(runs) });
    await session.handle({ type: 'play', raceId: 1 });
    await expect.poll(() => metrics('adam').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(120);
    await session.handle({ type: 'loseDevice', raceId: 1 });
    await expect.poll(restored, { timeout: 20_000 }).toBeDefined();
    const k = restored()!;
    const cut = events.findIndex((e) => e.type === 'deviceLost' && e.restoredStep !== undefined);
    expect(k % 50).toBe(0); // a checkpointed evaluation
    expect(k).toBeGreaterThanOrEqual(50);

    await expect.poll(() => metrics('adam').at(-1)?.step ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(k + 60);
    await session.handle({ type: 'pause', raceId: 1 });
    for (const id of ['sgd', 'adam']) {
      const before = events.slice(0, cut).flatMap((e) => (e.type === 'metrics' ? e.points : []));
      const atK = before.find((p) => p.runId === id && p.point.step === k)!.point;
      const resumed = events
        .slice(cut)
        .flatMap((e) => (e.type === 'metrics' ? e.points : []))
        .filter((p) => p.runId === id)
        .map((p) => p.point);
      // Resumes right after the checkpoint, in evaluation steps, with the clock continuing from it.
      expect(resumed[0]!.step, id).toBe(k + 10);
      expect(resumed[0]!.seconds, id).toBeGreaterThan(atK.seconds);
      expect(resumed[0]!.msPerStep, id).toBeGreaterThan(0);
      expect(resumed[0]!.msPerStep, id).toBeLessThan(1000);
      for (let i = 1; i < resumed.length; i++) {
        expect(resumed[i]!.step - resumed[i - 1]!.step, id).toBe(10);
        expect(resumed[i]!.seconds, id).toBeGreaterThanOrEqual(resumed[i - 1]!.seconds);
      }
    }
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.dispose();
  });

  it('shows the UI a notice and continues the curves from the restored step', async () => {
    let emit: (e: WorkerEvent) => void = () => undefined;
    const session = new WorkerSession((e) => emit(e), { createBackend: losableBackends().createBackend });
    const port: WorkerPort = {
      post: (cmd) => void session.handle(cmd),
      listen: (onEvent) => (emit = onEvent),
      terminate: () => undefined,
    };
    const config = { ...DEFAULT_CONFIG, backend: 'webgpu' as const, runs: [run('r1', PLAIN_SGD)] };
    const client = new TrainingClient(
      port,
      { ...config, model: { ...config.model, evalEvery: 10 } },
      {
        schedule: (f) => f(),
        persist: false,
      },
    );
    await expect.poll(() => client.getSnapshot().data).not.toBeNull();
    for (let i = 0; i < 7; i++) client.stepOnce();
    await expect.poll(() => client.getSnapshot().step).toBe(70);
    client.loseDevice();
    await expect.poll(() => client.getSnapshot().notices.at(-1) ?? '').toContain('resumed from its checkpoint');
    const s = client.getSnapshot();
    expect(s.notices).toEqual([
      'The GPU device was lost and recreated; the race resumed from its checkpoint at step 50.',
    ]);
    expect(s.step).toBe(50);
    expect(s.runs.r1!.points.at(-1)!.step).toBe(50);
    expect(s.error).toBeNull();
    client.stepOnce();
    await expect.poll(() => client.getSnapshot().step).toBe(60);
    const steps = client.getSnapshot().runs.r1!.points.map((p) => p.step);
    expect(steps).toEqual([0, 10, 20, 30, 40, 50, 60]);
    client.dispose();
    await session.dispose();
  });
});
