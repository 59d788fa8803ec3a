/**
 * The Inside-FishLeg target survives data, model and run edits (and a CSV load): kept where it applies, a FishLeg
 * run picked where it does not, "none" kept only when the user chose it.
 */
import { describe, expect, it } from 'vitest';
import { defaultFishLeg } from '../engine/optim/config.ts';
import type { Command, WorkerEvent } from '../worker/protocol.ts';
import { DEFAULT_CONFIG, fitInspect, optimizerFor, runsFor, type PlaygroundConfig } from './config.ts';
import { TrainingClient, type WorkerPort } from './training-client.ts';

function client(config: PlaygroundConfig) {
  const sent: Command[] = [];
  let emit: (e: WorkerEvent) => void = () => undefined;
  const port: WorkerPort = {
    post: (cmd) => sent.push(cmd),
    listen: (onEvent) => {
      emit = onEvent;
    },
    terminate: () => undefined,
  };
  const c = new TrainingClient(port, config, { schedule: (f) => f(), persist: false });
  return { c, sent, emit: (e: WorkerEvent) => emit(e) };
}

const lastSetup = (sent: Command[]) => sent.filter((s) => s.type === 'setup').at(-1);

describe('fitInspect', () => {
  const runs = runsFor([optimizerFor('sgd'), defaultFishLeg(), defaultFishLeg()]);
  const cfg = { ...DEFAULT_CONFIG, runs };
  it('keeps a target that applies, clamping its layer to the model', () => {
    const keep = { ...cfg, inspect: { runId: 'r3', layer: 1 } };
    expect(fitInspect(keep)).toBe(keep.inspect);
    expect(fitInspect({ ...keep, model: { ...cfg.model, hidden: '' } })).toEqual({ runId: 'r3', layer: 0 });
  });
  it('picks the first FishLeg run when the target is gone or none', () => {
    expect(fitInspect({ ...cfg, inspect: { runId: 'r1', layer: 2 } })).toEqual({ runId: 'r2', layer: 2 });
    expect(fitInspect({ ...cfg, inspect: { runId: null, layer: 7 } })).toEqual({ runId: 'r2', layer: 2 });
    expect(fitInspect({ ...cfg, inspect: { runId: null, layer: 1 } }, true)).toEqual({ runId: null, layer: 1 });
  });
  it('is none without FishLeg runs', () => {
    const sgd = { ...cfg, runs: runsFor([optimizerFor('sgd')]), inspect: { runId: 'r3', layer: 0 } };
    expect(fitInspect(sgd)).toEqual({ runId: null, layer: 0 });
  });
});

describe('the Inside-FishLeg selector through edits', () => {
  it('keeps the FishLeg run after a CSV load, with the hidden layers', () => {
    const { c, sent } = client(DEFAULT_CONFIG);
    const cfg = { ...DEFAULT_CONFIG, model: { ...DEFAULT_CONFIG.model, hidden: '8r-8r' } };
    c.reset(cfg);
    c.useCsv({ name: 'a.csv', text: 'x,y\n1,2\n' }, { ...cfg, data: { ...cfg.data, task: 'csv' } });
    const s = c.getSnapshot().config;
    expect(s.inspect).toEqual(DEFAULT_CONFIG.inspect);
    expect(s.model.hidden).toBe('8r-8r');
    expect(lastSetup(sent)).toMatchObject({ spec: { inspect: DEFAULT_CONFIG.inspect, model: { hidden: '8r-8r' } } });
  });

  it('picks a FishLeg run when a task change, a kind change or a removal leaves none', () => {
    const { c, sent } = client({ ...DEFAULT_CONFIG, inspect: { runId: null, layer: 0 } });
    expect(c.getSnapshot().config.inspect).toEqual({ runId: 'r3', layer: 0 });
    expect(lastSetup(sent)).toMatchObject({ spec: { inspect: { runId: 'r3' } } });
    c.updateRun('r3', { optimizer: optimizerFor('adam') });
    expect(c.getSnapshot().config.inspect.runId).toBeNull();
    c.updateRun('r1', { optimizer: defaultFishLeg() });
    expect(c.getSnapshot().config.inspect.runId).toBe('r1');
    c.removeRun('r1');
    expect(c.getSnapshot().config.inspect.runId).toBeNull();
  });

  it('keeps "none" when the user chose it', () => {
    const { c } = client(DEFAULT_CONFIG);
    c.setInspect({ runId: null, layer: 2 });
    c.reset({ ...c.getSnapshot().config, data: { ...c.getSnapshot().config.data, seed: 5 } });
    expect(c.getSnapshot().config.inspect.runId).toBeNull();
    c.setInspect({ runId: 'r3', layer: 1 });
    c.updateRun('r1', { optimizer: optimizerFor('adamw') });
    expect(c.getSnapshot().config.inspect).toEqual({ runId: 'r3', layer: 1 });
  });
});
