/**
 * Keeping curves across reloads: a saved race round-trips; a save the storage refuses and a saved race that
 * cannot be read are reported (and the damaged one discarded), and the client turns both into notices.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricPoint } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, normaliseIds, toSearch } from './config.ts';
import { loadRace, saveRace, STORAGE_KEY, toCsv, toJson } from './history.ts';
import { SAVE_FAILED_NOTICE, TrainingClient, type WorkerPort } from './training-client.ts';

/** An in-memory Storage; `full` makes every write throw as a full localStorage does. */
function memoryStorage(full = false): Storage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => {
      if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      items.set(k, v);
    },
  };
}

const point = (step: number): MetricPoint => ({
  step,
  seconds: step / 100,
  trainLoss: 1 / (1 + step),
  testLoss: Number.NaN,
  auxLoss: null,
  msPerStep: 1,
});
const runs = [{ id: 'r1', points: [point(0), point(20)], diverged: null, switches: [] }];

describe('saved histories', () => {
  it('round-trip through storage', () => {
    const store = memoryStorage();
    expect(saveRace('?a=1', runs, store)).toBe('saved');
    const got = loadRace('?a=1', store);
    expect(got.kind).toBe('race');
    if (got.kind === 'race') expect(got.race.runs[0]!.points.map((p) => p.step)).toEqual([0, 20]);
    expect(loadRace('?other', store)).toEqual({ kind: 'none' });
    expect(store.items.has(STORAGE_KEY)).toBe(true); // another setup's curves are kept
  });

  it('keep the marks of live changes and switches, and export them', () => {
    const store = memoryStorage();
    const changes = [{ step: 20, changes: [{ key: 'lr', from: '0.1', to: '0.01' }] }];
    const marked = [{ ...runs[0]!, switches: [{ step: 20, approx: 'kron-diag' as const }], changes }];
    expect(saveRace('?a=1', marked, store)).toBe('saved');
    const got = loadRace('?a=1', store);
    expect(got.kind === 'race' && got.race.runs[0]!.changes).toEqual(changes);
    const spec = { ...DEFAULT_CONFIG.runs[0]!, name: 'SGD "fast"' };
    const csv = toCsv([{ spec, history: marked[0]! }])
      .trim()
      .split('\n');
    expect(csv[0]!.split(',').at(-1)).toBe('event');
    // Each mark is a row of its own after the point of its step, with only the step and the event.
    expect(csv.slice(1).map((l) => [l.split(',')[2], l.split(',').at(-1)])).toEqual([
      ['0', ''],
      ['20', ''],
      ['20', 'switch → kron-diag'],
      ['20', 'lr 0.1→0.01'],
    ]);
    expect(csv[1]!.startsWith('"SGD ""fast""",')).toBe(true);
    const json = JSON.parse(toJson('?a=1', [{ spec, history: marked[0]! }])) as { runs: { changes: unknown }[] };
    expect(json.runs[0]!.changes).toEqual(changes);
  });

  it('reports a save the storage refuses instead of dropping it silently', () => {
    expect(saveRace('?a=1', runs, memoryStorage(true))).toBe('failed');
    expect(saveRace('?a=1', runs, null)).toBe('unavailable');
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['not an object', '42'],
    ['an unknown version', '{"version":7,"search":"?a=1","runs":[]}'],
    ['missing runs', '{"version":1,"search":"?a=1"}'],
    ['a run without points', '{"version":1,"search":"?a=1","runs":[{"id":"r1"}]}'],
    [
      'a point with a text loss',
      '{"version":1,"search":"?a=1","runs":[{"id":"r1","points":[{"step":0,"trainLoss":"x"}]}]}',
    ],
    // Fields that were read as something else without a word: a mark moved, an id invented, an accuracy made NaN.
    ...[
      ['a run without an id', '{"points":[]}'],
      ['a text divergence mark', '{"id":"r1","points":[],"diverged":"x"}'],
      ['a switch to an unknown approximation', '{"id":"r1","points":[],"switches":[{"step":10,"approx":"nope"}]}'],
      ['a switch without a step', '{"id":"r1","points":[],"switches":[{"approx":"kron-diag"}]}'],
      ['a change mark at no step', '{"id":"r1","points":[],"changes":[{"step":null,"changes":[]}]}'],
      [
        'a change of a numeric key',
        '{"id":"r1","points":[],"changes":[{"step":5,"changes":[{"key":1,"from":"a","to":"b"}]}]}',
      ],
      ['a text accuracy', '{"id":"r1","points":[{"step":0,"trainLoss":1,"trainAccuracy":"9"}]}'],
    ].map(([what, run]) => [what!, `{"version":1,"search":"?a=1","runs":[${run!}]}`] as [string, string]),
  ])('reports and discards a saved race that is %s', (_what, text) => {
    const store = memoryStorage();
    store.setItem(STORAGE_KEY, text);
    const got = loadRace('?a=1', store);
    expect(got.kind).toBe('damaged');
    expect(store.items.has(STORAGE_KEY)).toBe(false);
  });
});

function port(): WorkerPort {
  return { post: () => undefined, listen: () => undefined, terminate: () => undefined };
}

describe('the client tells the user about storage', () => {
  afterEach(() => vi.useRealTimers());

  it('says so when the curves saved on an earlier visit were damaged', () => {
    const store = memoryStorage();
    store.setItem(STORAGE_KEY, '{"version":1,"search":' + JSON.stringify(toSearch(normaliseIds(DEFAULT_CONFIG))));
    const client = new TrainingClient(port(), DEFAULT_CONFIG, { schedule: (f) => f(), storage: store });
    expect(client.getSnapshot().notices.join(' ')).toMatch(/could not be restored \(it is not valid JSON\)/);
    expect(client.getSnapshot().restored).toBeNull();
  });

  it('says so while the storage is full, and stops saying so once a save succeeds', () => {
    vi.useFakeTimers();
    let full = true;
    const inner = memoryStorage();
    const store: Storage = {
      ...inner,
      getItem: (k) => inner.getItem(k),
      setItem: (k, v) => {
        if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        inner.setItem(k, v);
      },
    };
    let emit: Parameters<WorkerPort['listen']>[0] = () => undefined;
    const p: WorkerPort = { ...port(), listen: (onEvent) => (emit = onEvent) };
    const client = new TrainingClient(p, DEFAULT_CONFIG, { schedule: (f) => f(), storage: store });
    const id = client.getSnapshot().config.runs[0]!.id;
    const raceId = client.getSnapshot().raceId;
    emit({ type: 'metrics', raceId, points: [{ runId: id, point: point(0) }] });
    vi.runAllTimers();
    expect(client.getSnapshot().notices).toContain(SAVE_FAILED_NOTICE);
    full = false;
    emit({ type: 'metrics', raceId, points: [{ runId: id, point: point(20) }] });
    vi.runAllTimers();
    expect(client.getSnapshot().notices).not.toContain(SAVE_FAILED_NOTICE);
    expect(inner.getItem(STORAGE_KEY)).toContain('"step":20');
  });
});
