/**
 * The page's side of a race on several seeds, without a worker: the median and range over seeds, the reducer
 * folding each seed's points and divergence into its run, the link carrying the seed count, the CSV and JSON
 * exports carrying every seed's curve, and the saved curves and training state keeping every seed.
 */
import { describe, expect, it } from 'vitest';
import type { MetricPoint, WorkerEvent } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, parseSearch, toSearch, type PlaygroundConfig } from './config.ts';
import { loadRace, saveRace, seedColumn, toCsv, toJson, type RunHistory } from './history.ts';
import { restoreCurves, saveCurves } from './race-persistence.ts';
import { emptyRun, initialState, reduce, type PlaygroundState } from './race-reducer.ts';
import { latestBand, median, seedBand, seedCurves } from './seed-bands.ts';

const point = (step: number, loss: number): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss: loss,
  testLoss: loss + 0.5,
  auxLoss: null,
  msPerStep: 1,
});

const CONFIG: PlaygroundConfig = {
  ...DEFAULT_CONFIG,
  data: { ...DEFAULT_CONFIG.data, seed: 4, seeds: 3 },
};

function racing(config = CONFIG): PlaygroundState {
  const s = initialState(config);
  return { ...s, raceId: 1, running: true, runs: Object.fromEntries(config.runs.map((r) => [r.id, emptyRun()])) };
}

/** Each seed's losses at steps 0 and 10, run r1: seed 4 → 3, 2; seed 5 → 3, 1; seed 6 → 3, 4. */
const LOSSES: Record<number, [number, number]> = { 4: [3, 2], 5: [3, 1], 6: [3, 4] };

function metrics(runId: string, step: 0 | 10): WorkerEvent {
  return {
    type: 'metrics',
    raceId: 1,
    points: [4, 5, 6].map((seed) => ({ runId, seed, point: point(step, LOSSES[seed]![step === 0 ? 0 : 1]) })),
  };
}

describe('median and range over seeds', () => {
  it('takes the middle value (the mean of the middle two for an even count) and the extremes', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
    const band = seedBand(
      [
        { points: [point(0, 3), point(10, 2)] },
        { points: [point(0, 3), point(10, 1)] },
        { points: [point(0, 3), point(10, 4), point(20, 0.5)] },
      ],
      (p) => p.trainLoss,
    );
    expect(band.map(({ step, median: m, min, max, count }) => [step, m, min, max, count])).toEqual([
      [0, 3, 3, 3, 3],
      [10, 2, 1, 4, 3],
      // A seed that goes on alone (the others diverged) is its own median and range.
      [20, 0.5, 0.5, 0.5, 1],
    ]);
  });

  it('leaves out values that are not finite', () => {
    const band = seedBand([{ points: [point(0, Number.NaN)] }, { points: [point(0, 2)] }], (p) => p.trainLoss);
    expect(band).toMatchObject([{ step: 0, median: 2, min: 2, max: 2, count: 1 }]);
  });
});

describe('reducing a race on several seeds', () => {
  it("keeps every seed's curve in seed order, the first seed's as the run's own", () => {
    const s = [metrics('r1', 0), metrics('r1', 10)].reduce(reduce, racing());
    const r1 = s.runs.r1!;
    expect(r1.points.map((p) => p.trainLoss)).toEqual([3, 2]);
    expect(r1.seeds!.map((c) => c.seed)).toEqual([4, 5, 6]);
    expect(r1.seeds!.map((c) => c.points.map((p) => p.trainLoss))).toEqual([
      [3, 2],
      [3, 1],
      [3, 4],
    ]);
    expect(latestBand(r1.seeds!)).toMatchObject({ step: 10, median: 2, min: 1, max: 4 });
    expect(s.step).toBe(10);
  });

  it("marks one seed's divergence on that seed; the run stops only when its last seed does", () => {
    let s = [metrics('r1', 0), metrics('r2', 0)].reduce(reduce, racing());
    s = reduce(s, { type: 'diverged', raceId: 1, runId: 'r1', step: 10, seed: 5 });
    expect(s.runs.r1!.diverged).toBeNull();
    expect(s.runs.r1!.seeds!.map((c) => c.diverged)).toEqual([null, 10, null]);
    expect(s.running).toBe(true);
    s = reduce(s, { type: 'diverged', raceId: 1, runId: 'r1', step: 30 });
    expect(s.runs.r1!.diverged).toBe(30);
  });

  it('cuts every seed at the step a device loss restored', () => {
    let s = [metrics('r1', 0), metrics('r1', 10)].reduce(reduce, racing());
    s = reduce(s, { type: 'deviceLost', raceId: 1, message: 'lost', restoredStep: 0 });
    expect(s.runs.r1!.seeds!.map((c) => c.points.map((p) => p.step))).toEqual([[0], [0], [0]]);
  });

  it('a one-seed race keeps no seed curves', () => {
    const one = { ...CONFIG, data: DEFAULT_CONFIG.data };
    const s = reduce(racing(one), { type: 'metrics', raceId: 1, points: [{ runId: 'r1', point: point(0, 1) }] });
    expect(s.runs.r1!.seeds).toBeUndefined();
    expect(seedCurves(s.runs.r1!, one.data.seed)).toEqual([
      { seed: one.data.seed, points: s.runs.r1!.points, diverged: null },
    ]);
  });
});

describe('the seed count in a link', () => {
  it('round-trips, and a one-seed link does not mention it', () => {
    const search = toSearch(CONFIG);
    expect(new URLSearchParams(search).get('seeds')).toBe('3');
    const back = parseSearch(search);
    expect(back.warnings).toEqual([]);
    expect(back.config.data).toEqual(CONFIG.data);
    expect(new URLSearchParams(toSearch(DEFAULT_CONFIG)).has('seeds')).toBe(false);
    expect(parseSearch(toSearch(DEFAULT_CONFIG)).config.data).not.toHaveProperty('seeds');
  });

  it('refuses a count out of range with a notice and trains on one seed', () => {
    const { config, warnings } = parseSearch('?task=spiral&seeds=9');
    expect(config.data).not.toHaveProperty('seeds');
    expect(warnings.join('\n')).toMatch(/seeds=9 must be an integer in \[1, 5\]/);
  });
});

/** Folded from the reducer, as the page exports it. */
function exported(): { spec: (typeof CONFIG.runs)[number]; history: RunHistory }[] {
  const s = [metrics('r1', 0), metrics('r1', 10), metrics('r2', 0)].reduce(reduce, racing());
  return CONFIG.runs.slice(0, 2).map((spec) => ({ spec, history: s.runs[spec.id]! }));
}

describe("exports of a race on several seeds carry every seed's curve", () => {
  it('CSV: columns per seed for every metric, read back to the same curves', () => {
    const runs = exported();
    const text = toCsv(runs);
    const [head, ...rows] = text
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    for (const seed of [4, 5, 6]) {
      expect(head).toContain(seedColumn('trainLoss', seed));
      expect(head).toContain(seedColumn('testLoss', seed));
    }
    expect(head!.filter((h) => h.startsWith('trainLoss_seed'))).toHaveLength(3);
    const col = (name: string) => head!.indexOf(name);
    for (const { spec, history } of runs) {
      const mine = rows.filter((r) => r[0] === spec.name);
      for (const c of history.seeds!) {
        const train = mine.map((r) => Number(r[col(seedColumn('trainLoss', c.seed))]));
        const test = mine.map((r) => Number(r[col(seedColumn('testLoss', c.seed))]));
        const steps = mine.map((r) => Number(r[col('step')]));
        expect(steps).toEqual(c.points.map((p) => p.step));
        expect(train).toEqual(c.points.map((p) => p.trainLoss));
        expect(test).toEqual(c.points.map((p) => p.testLoss));
      }
      // The plain columns are the first seed's.
      expect(mine.map((r) => Number(r[col('trainLoss')]))).toEqual(history.points.map((p) => p.trainLoss));
    }
  });

  it('JSON: every seed with its points', () => {
    const json = JSON.parse(toJson('?x', exported())) as {
      runs: { seeds: { seed: number; points: { trainLoss: number }[] }[] }[];
    };
    expect(json.runs[0]!.seeds.map((c) => [c.seed, c.points.map((p) => p.trainLoss)])).toEqual([
      [4, [3, 2]],
      [5, [3, 1]],
      [6, [3, 4]],
    ]);
  });

  it('the saved curves keep every seed across a reload', () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    } as unknown as Storage;
    let s = [metrics('r1', 0), metrics('r1', 10)].reduce(reduce, racing());
    s = reduce(s, { type: 'diverged', raceId: 1, runId: 'r1', step: 10, seed: 6 });
    saveCurves(s, storage);
    const back = restoreCurves(CONFIG, storage);
    expect(back.kind).toBe('restored');
    if (back.kind !== 'restored') return;
    expect(back.runs.r1!.seeds!.map((c) => [c.seed, c.diverged, c.points.map((p) => p.trainLoss)])).toEqual([
      [4, null, [3, 2]],
      [5, null, [3, 1]],
      [6, 10, [3, 4]],
    ]);
    // A malformed seed curve is reported, not shown.
    saveRace(
      toSearch(CONFIG),
      [{ id: 'r1', ...emptyRun(), seeds: [{ seed: -1, points: [], diverged: null }] }],
      storage,
    );
    expect(loadRace(toSearch(CONFIG), storage)).toMatchObject({ kind: 'damaged', reason: /seeds/ });
  });
});
