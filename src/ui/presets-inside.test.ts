/**
 * What the Inside-FishLeg page says about each preset that shows it (src/ui/views/inside-explanations.tsx, "What
 * the presets show") is what the preset's FishLeg run does: its race is run headless on the CPU backend and the
 * worker's frames (views-data.ts insideFrame) are read at the steps the text talks about. Only the inspected
 * FishLeg run is trained: runs of a race share data, seed and batches but never interact, so its trajectory is
 * the same as in the full race, at a fraction of the time.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/cpu/backend.ts';
import { readMnistAssetBytes } from '../engine/data/mnist-node.ts';
import { getTask } from '../engine/data/tasks.ts';
import type { InsideFrame } from '../worker/protocol.ts';
import { Race, type RaceListener } from '../worker/race.ts';
import { PRESETS } from './presets.ts';

type Measured = InsideFrame & { measures: NonNullable<InsideFrame['measures']> };

/** The inspected run's frames at each of `at` (ascending step counts). */
async function framesAt(id: string, at: readonly number[]): Promise<Measured[]> {
  const config = PRESETS.find((p) => p.id === id)!.config('cpu');
  const run = config.runs.find((r) => r.id === config.inspect.runId);
  if (!run) throw new Error(`preset ${id} inspects no run`);
  const backend = new CpuBackend({ precision: 'f32' });
  const d = config.data;
  const data = await getTask(d.task).load({
    n: d.n,
    noise: d.noise,
    seed: d.seed,
    mnistBytes: () => Promise.resolve(readMnistAssetBytes()),
  });
  const frames: InsideFrame[] = [];
  const listener: RaceListener = {
    diverged: () => {},
    switched: () => {},
    taskFrame: () => {},
    insideFrame: (f) => frames.push(f),
  };
  const race = Race.build(backend, data, { ...config, runs: [run] }, listener, {
    viewEvery: 1e9,
    checkpointEvery: 1e9,
  });
  try {
    let step = 0;
    for (const s of at) {
      await race.step(s - step);
      step = s;
      await race.sendViews();
    }
  } finally {
    race.dispose();
    backend.dispose();
  }
  expect(frames.map((f) => f.step)).toEqual(at);
  for (const f of frames) expect(f.measures).toBeTruthy();
  return frames as Measured[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

describe('Inside FishLeg on the presets', () => {
  it('inverse-fisher: the cosine rises past 0.99 and overtakes the plain gradient; the relative error falls', async () => {
    const f = await framesAt('inverse-fisher', [100, 400, 1000]);
    const cos = f.map((x) => x.measures.cosFishLeg);
    expect(cos[0]!).toBeLessThan(0.9); // Q₀ = I: steps too short and bent
    expect(f[0]!.measures.cosGradient).toBeGreaterThan(cos[0]!);
    expect(cos[1]!).toBeGreaterThan(0.99);
    expect(cos[2]!).toBeGreaterThan(0.99);
    for (const x of f.slice(1)) expect(x.measures.cosFishLeg).toBeGreaterThan(x.measures.cosGradient);
    // One layer: the whole model's natural gradient is the layer's.
    expect(f[2]!.measures.whole!.cosFishLeg).toBeCloseTo(f[2]!.measures.cosFishLeg, 6);
    expect(f[2]!.relError!).toBeLessThan(f[0]!.relError! / 2);
  });

  it('spiral, learning: cosine ≥ 0.9 and above the plain gradient’s over the first 250 steps', async () => {
    const f = await framesAt('spiral', [50, 100, 150, 200, 250]);
    for (const x of f) {
      expect(x.measures.cosFishLeg).toBeGreaterThan(0.9);
      expect(x.measures.cosFishLeg).toBeGreaterThan(x.measures.cosGradient);
    }
    const w = f.at(-1)!.measures.whole!;
    expect(w.cosFishLeg).toBeGreaterThan(0.9);
    expect(w.cosFishLeg).toBeGreaterThan(w.cosGradient + 0.1);
  });

  it('spiral, plateau and descent: F stays above γ and FishLeg stays ahead', async () => {
    const f = await framesAt('spiral', [500, 1000, 1500, 2000, 2500]);
    for (const x of f) expect(x.measures.spectrum.lambda[0]!).toBeGreaterThan(3 * x.damping);
    expect(median(f.map((x) => x.measures.cosFishLeg))).toBeGreaterThan(0.9);
    expect(f.filter((x) => x.measures.cosFishLeg > x.measures.cosGradient).length).toBeGreaterThanOrEqual(4);
  });

  it('spiral, fitted: F falls toward γ, the plain gradient takes over and Q lags (short steps)', async () => {
    const f = await framesAt('spiral', [3100, 3200, 3300, 3400, 3500, 3600, 3700, 3800, 3900, 4000]);
    const gamma = f[0]!.damping;
    const fitted = f.map((x) => x.measures);
    for (const m of fitted) expect(m.spectrum.lambda[0]!).toBeLessThan(3 * gamma);
    const cosGradient = median(fitted.map((m) => m.cosGradient));
    expect(cosGradient).toBeGreaterThan(0.95);
    // Q lags: behind the plain gradient in most frames (level at times).
    expect(median(fitted.map((m) => m.cosFishLeg))).toBeLessThan(cosGradient);
    expect(fitted.filter((m) => m.cosFishLeg < m.cosGradient).length).toBeGreaterThanOrEqual(7);
    expect(median(fitted.map((m) => m.lengthRatio))).toBeLessThan(0.75);
    // Along the gradient's main direction Q holds a fraction (about a third) of the exact 1/(λ + γ).
    expect(median(fitted.map((m) => m.spectrum.q[0]! * (m.spectrum.lambda[0]! + gamma)))).toBeLessThan(0.5);
    expect(median(fitted.map((m) => m.whole!.cosFishLeg))).toBeLessThan(
      median(fitted.map((m) => m.whole!.cosGradient)),
    );
  });

  it('switch (circles): the layer’s F falls below γ; the plain gradient is its natural gradient, Q lags', async () => {
    const f = await framesAt('switch', [50, 250, 500, 750, 1000]);
    const gamma = f[0]!.damping;
    const early = f[0]!.measures;
    expect(early.cosFishLeg).toBeGreaterThan(0.9);
    expect(early.whole!.cosFishLeg).toBeGreaterThan(early.whole!.cosGradient);
    const late = f.slice(1);
    for (const x of late) {
      expect(x.measures.spectrum.lambda[0]!).toBeLessThan(gamma / 2);
      expect(x.measures.cosGradient).toBeGreaterThan(0.98);
      expect(x.measures.cosFishLeg).toBeLessThan(0.85);
    }
    expect(median(late.map((x) => x.measures.spectrum.q[0]! * (x.measures.spectrum.lambda[0]! + gamma)))).toBeLessThan(
      0.4,
    );
    const whole = late.map((x) => x.measures.whole!);
    expect(median(whole.map((w) => w.cosFishLeg))).toBeLessThan(median(whole.map((w) => w.cosGradient)));
    expect(f.at(-1)!.relError!).toBeGreaterThan(f[0]!.relError! + 0.2);
  });

  it('mnist-ae: the bottleneck layer is shown; Q is still Q₀ = I/γ, so FishLeg steps along the gradient', async () => {
    const f = await framesAt('mnist-ae', [3]);
    const x = f[0]!;
    expect(x.layer).toEqual({ index: 1, kind: 'dense', m: 16, p: 65, size: 1040, label: '16×(64+1)' });
    expect(x.q).toBeNull(); // 1,040 weights: no heat maps
    expect(x.fisherRows).toBe(16);
    expect(x.measures.whole).toBeNull();
    expect(Math.abs(x.measures.cosFishLeg - x.measures.cosGradient)).toBeLessThan(0.02);
    expect(x.measures.lengthRatio).toBeGreaterThan(1.5);
    const top = x.measures.spectrum.q[0]! * x.damping;
    expect(top).toBeGreaterThan(0.8);
    expect(top).toBeLessThan(1.05);
  });
});
