/**
 * The page's Export PyTorch replays the race it ran (docs/pytorch-export.md §7.1): a page (TrainingClient)
 * on the real worker session, CPU backend, with a live change of the learning rate and a branch, exports
 * each run from its first settings with its changes at their steps and the branch from its parent at its
 * fork — the ExportRuns a hand-written (CLI-style) setup of that race has; the journal survives a saved
 * checkpoint and a reload; a record saved before the page kept journals still resumes, with a notice only for
 * the runs it lost; and the exported script's curves follow the page race's own (needs a Python with torch).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../../src/engine/optim/config.ts';
import { exportPytorch, type ExportRun, type ExportSetup } from '../../src/engine/export/pytorch.ts';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../../src/ui/config.ts';
import { exportSetupFromPlayground, journalCaveats } from '../../src/ui/export-pytorch.ts';
import { memoryStateStore } from '../../src/ui/memory-state-store.ts';
import { saveState, type StateStore } from '../../src/ui/saved-state.ts';
import { TrainingClient, type WorkerPort } from '../../src/ui/training-client.ts';
import type { RunSpec, WorkerEvent } from '../../src/worker/protocol.ts';
import { WorkerSession } from '../../src/worker/session.ts';
import { needPython, runPython } from './python.ts';

const run = (id: string, optimizer: OptimizerConfig): RunSpec => ({ id, name: id, colour: '#123456', optimizer });
const SGD = { kind: 'sgd', lr: 0.3, momentum: 0.9, weightDecay: 0 } as const;
const SGD_SLOW = { ...SGD, lr: 0.05, momentum: 0.5 };
const SGD_BRANCH = { ...SGD_SLOW, lr: 0.02 };
const ADAM = { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;

const PAGE: PlaygroundConfig = {
  ...DEFAULT_CONFIG,
  backend: 'cpu',
  data: { ...DEFAULT_CONFIG.data, n: 200 },
  model: { ...DEFAULT_CONFIG.model, hidden: '8t', evalEvery: 10 },
  runs: [run('a', SGD), run('b', ADAM)],
  inspect: { runId: null, layer: 0 },
};

/** A page on a worker session; `lag` ms: events reach the page that much later, as a busy page's would. */
function connected(config: PlaygroundConfig, store?: StateStore, lag = 0) {
  let emit: (e: WorkerEvent) => void = () => undefined;
  const session = new WorkerSession((e) => (lag > 0 ? setTimeout(() => emit(e), lag) : emit(e)));
  let idle: Promise<void> = Promise.resolve();
  const port: WorkerPort = {
    post: (cmd) => void (idle = session.handle(cmd)),
    listen: (onEvent) => (emit = onEvent),
    terminate: () => void session.dispose(),
  };
  const client = new TrainingClient(port, config, {
    schedule: (f) => f(),
    ...(store ? { storage: null, stateStore: store } : { persist: false }),
  });
  // Every command sent so far handled, every event it made folded in.
  const settled = async () => {
    let last: Promise<void> | null = null;
    while (last !== idle) {
      await (last = idle);
      if (lag > 0) await new Promise((resolve) => setTimeout(resolve, 2 * lag));
    }
  };
  return { client, settled };
}

/**
 * The race: 20 steps, a live change of a's rate, 10 steps, a branch of a, 10 steps, a change of the branch's
 * rate, 10 steps (paused throughout, so every change and the fork fall at the step the test names).
 */
async function race(page: ReturnType<typeof connected>): Promise<string> {
  const { client, settled } = page;
  await expect.poll(() => client.getSnapshot().data, { timeout: 20_000 }).not.toBeNull();
  client.stepOnce(20);
  await settled();
  client.updateRun('a', { optimizer: SGD_SLOW });
  client.stepOnce(10);
  await settled();
  client.duplicateRun('a');
  await settled();
  const branch = client.getSnapshot().config.runs.at(-1)!;
  client.stepOnce(10);
  await settled();
  client.updateRun(branch.id, { optimizer: SGD_BRANCH });
  client.stepOnce(10);
  await settled();
  expect(client.getSnapshot().step).toBe(50);
  return branch.name;
}

/** The ExportRuns of that race, as a hand-written setup (the CLI's ExportRun) says it. */
const expected = (branch: string): ExportRun[] => [
  { name: 'a', optimizer: SGD, changes: [{ step: 20, optimizer: SGD_SLOW }] },
  { name: 'b', optimizer: ADAM },
  {
    name: branch,
    optimizer: SGD_SLOW,
    branch: { from: 'a', step: 30 },
    changes: [{ step: 40, optimizer: SGD_BRANCH }],
  },
];

const pageExport = (client: TrainingClient): ExportSetup => {
  const s = client.getSnapshot();
  return exportSetupFromPlayground(s.config, null, null, s.runs);
};

describe("the page's export replays its race's journal and branches", () => {
  it('exports each run from its first settings, its live changes at their steps and the branch at its fork', async () => {
    const page = connected(PAGE);
    const branch = await race(page);
    const setup = pageExport(page.client);
    expect(setup.runs).toEqual(expected(branch));
    // The page's config holds only the latest settings: what the export wrote before it kept the journal.
    expect(page.client.getSnapshot().config.runs.map((r) => r.optimizer)).toEqual([SGD_SLOW, ADAM, SGD_BRANCH]);
    expect(journalCaveats(page.client.getSnapshot().config, page.client.getSnapshot().runs)).toEqual([]);
    expect(() => exportPytorch(setup)).not.toThrow();
    page.client.dispose();
  });

  it("forks a branch made while playing at the step the worker made it, not the page's last shown step", async () => {
    const { client, settled } = connected(PAGE, undefined, 25);
    await expect.poll(() => client.getSnapshot().data, { timeout: 20_000 }).not.toBeNull();
    client.play();
    await expect.poll(() => client.getSnapshot().step, { timeout: 20_000 }).toBeGreaterThan(30);
    client.duplicateRun('a');
    client.updateRun('b', { optimizer: { ...ADAM, lr: 0.005 } });
    await expect.poll(() => client.getSnapshot().step, { timeout: 20_000 }).toBeGreaterThan(120);
    client.pause();
    await settled();
    const s = client.getSnapshot();
    const branch = s.config.runs.at(-1)!;
    const runs = pageExport(client).runs;
    // The branch's first evaluation is its parent's state at the fork.
    const fork = s.runs[branch.id]!.points[0]!;
    expect(runs[2]!.branch).toEqual({ from: 'a', step: fork.step });
    expect(runs[1]!.optimizer).toEqual(ADAM);
    expect(runs[1]!.changes).toHaveLength(1);
    expect(runs[1]!.changes![0]!.step).toBeGreaterThan(0);
    client.dispose();
  });

  it('keeps the whole journal through a saved checkpoint and a reload', async () => {
    const store = memoryStateStore();
    const first = connected(PAGE, store);
    const branch = await race(first);
    first.client.saveState();
    await first.settled();
    await expect.poll(() => store.record()?.state.step, { timeout: 20_000 }).toBe(50);
    const rec = structuredClone(store.record()!);
    // The worker's own journal starts at its checkpoint: the changes before it are the page's to keep.
    expect(rec.state.changes).toEqual([]);
    const config = first.client.getSnapshot().config;
    first.client.dispose();

    const second = connected(config, store);
    await expect.poll(() => second.client.getSnapshot().resumed?.step, { timeout: 20_000 }).toBe(50);
    expect(pageExport(second.client).runs).toEqual(expected(branch));
    // Trained on, and saved again, the journal goes on from where it was.
    // A reload numbers the runs by position (normaliseIds).
    const b = second.client.getSnapshot().config.runs[1]!;
    expect(b.name).toBe('b');
    second.client.updateRun(b.id, { optimizer: { ...ADAM, lr: 0.004 } });
    second.client.stepOnce(10);
    await second.settled();
    expect(pageExport(second.client).runs[1]).toEqual({
      name: 'b',
      optimizer: ADAM,
      changes: [{ step: 50, optimizer: { ...ADAM, lr: 0.004 } }],
    });
    second.client.dispose();

    // A record from before the page kept journals resumes; only the runs whose past it cannot know get a notice.
    const legacy = rec.curves.map(({ journal: _j, origin: _o, ...c }) => c);
    await saveState(store, { setup: rec.setup, backend: rec.backend, state: rec.state, curves: legacy });
    const third = connected(config, store);
    await expect.poll(() => third.client.getSnapshot().resumed?.step, { timeout: 20_000 }).toBe(50);
    const s = third.client.getSnapshot();
    const caveats = journalCaveats(s.config, s.runs);
    expect(caveats).toHaveLength(2);
    expect(caveats[0]).toMatch(/^a: its earlier settings were saved by an older version/);
    expect(caveats[1]).toMatch(new RegExp(`^${branch}: its earlier settings`));
    // Those are exported as the page did before, the unchanged run as it ran.
    expect(pageExport(third.client).runs).toEqual([
      { name: 'a', optimizer: SGD_SLOW },
      { name: 'b', optimizer: ADAM },
      { name: branch, optimizer: SGD_BRANCH },
    ]);
    third.client.dispose();
  });

  it("trains, in PyTorch, the page race's curves", { timeout: 180_000 }, async (ctx) => {
    const py = needPython(ctx, ['numpy', 'torch']);
    const page = connected(PAGE);
    await race(page);
    const s = page.client.getSnapshot();
    const dir = mkdtempSync(join(tmpdir(), 'page-journal-'));
    const curves = (sub: string, setup: ExportSetup) => {
      const folder = join(dir, sub);
      mkdirSync(folder, { recursive: true });
      for (const f of exportPytorch({ ...setup, steps: 50 })) writeFileSync(join(folder, f.name), f.contents);
      runPython(py, [setup.scriptName, '--device', 'cpu'], folder, 170_000);
      const out = new Map<string, Map<number, number>>();
      const metrics = join(folder, setup.scriptName.replace(/\.py$/, '_metrics.csv'));
      for (const line of readFileSync(metrics, 'utf8').trim().split('\n').slice(1)) {
        const r = line.split(',');
        if (!out.has(r[1]!)) out.set(r[1]!, new Map());
        out.get(r[1]!)!.set(Number(r[0]), Number(r[3]));
      }
      return out;
    };
    const script = curves('replay', pageExport(page.client));
    const gap = (
      got: Map<string, Map<number, number>>,
      name: string,
      points: readonly { step: number; trainLoss: number }[],
    ) => Math.max(...points.map((p) => Math.abs(got.get(name)!.get(p.step)! - p.trainLoss)));
    for (const r of s.config.runs) {
      const points = s.runs[r.id]!.points;
      // A branch's curve starts at its fork.
      expect([...script.get(r.name)!.keys()], r.name).toEqual(points.map((p) => p.step));
      expect(gap(script, r.name, points), r.name).toBeLessThan(1e-4);
    }
    // The negative control: the latest settings from step 0 and no branch, what the page exported before.
    const flat = curves('flat', exportSetupFromPlayground(s.config, null, null));
    expect(gap(flat, 'a', s.runs.a!.points), 'a from its final settings').toBeGreaterThan(1e-3);
    page.client.dispose();
  });
});
