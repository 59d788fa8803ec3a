/**
 * The page's setup as an ExportSetup (src/engine/export/pytorch.ts): the race's data, model and runs. A CSV
 * setup's data is embedded in the script, so the page downloads one file; the initial weights come from the
 * script's exact port of the engine's initialisation (no weights file).
 */
import {
  csvDataset,
  likelihoodFor,
  TOY_DEFAULTS,
  TOY_TASKS,
  type ToyTask,
  isRegressionToy,
  toyDataset,
  withFeatures,
  ExportError,
  type ExportData,
  type ExportSetup,
} from '../engine/page.ts';
import type { PlaygroundConfig } from './config.ts';
import { markerText, tunedMarker } from './tuned-marker.ts';

/** Steps the script trains when the page sets no step budget (the script's --steps changes it). */
export const DEFAULT_EXPORT_STEPS = 1000;

/** The script's file name. */
export const EXPORT_SCRIPT = 'playground.py';

// The script ports the classification toys' generators; a regression toy's points are embedded as a table.
const isToy = (t: string): t is ToyTask =>
  (TOY_TASKS as readonly string[]).includes(t) && !isRegressionToy(t as ToyTask);
const isRegression = (t: string): t is ToyTask =>
  (TOY_TASKS as readonly string[]).includes(t) && isRegressionToy(t as ToyTask);

export function exportSetupFromPlayground(
  config: PlaygroundConfig,
  csv: { readonly name: string; readonly text: string } | null,
): ExportSetup {
  const d = config.data;
  let data: ExportData;
  let dims: { inputDim: number; outputDim: number; kind: 'classification' | 'regression' | 'autoencoder' };
  if (isToy(d.task)) {
    const t = TOY_DEFAULTS[d.task];
    data = {
      source: 'toy',
      task: d.task,
      n: d.n,
      noise: d.noise,
      seed: d.seed,
      testFraction: d.testFraction ?? t.testFraction,
      classes: t.classes,
      ...(d.features ? { features: d.features } : {}),
    };
    dims = { inputDim: d.features?.length ?? 2, outputDim: t.classes, kind: 'classification' };
  } else if (isRegression(d.task)) {
    const split = d.testFraction !== undefined ? { testFraction: d.testFraction } : {};
    const toy = toyDataset(d.task, { n: d.n, noise: d.noise, seed: d.seed, ...split });
    const dataset = d.features ? withFeatures(toy, d.features) : toy;
    data = { source: 'table', dataset, embed: true };
    dims = dataset;
  } else if (d.task === 'mnist' || d.task === 'mnist-ae') {
    data = { source: 'mnist', task: d.task };
    dims =
      d.task === 'mnist'
        ? { inputDim: 784, outputDim: 10, kind: 'classification' }
        : { inputDim: 784, outputDim: 784, kind: 'autoencoder' };
  } else {
    if (!csv) throw new ExportError('load the CSV file first: the script carries its data');
    // Split exactly as the worker splits it (src/worker/session.ts).
    const dataset = csvDataset({ text: csv.text, name: csv.name }, undefined, { seed: d.seed });
    data = { source: 'table', dataset, embed: true };
    dims = dataset;
  }
  const hidden = config.model.hidden.trim();
  const arch = hidden === '' ? `${dims.inputDim}-${dims.outputDim}` : `${dims.inputDim}-${hidden}-${dims.outputDim}`;
  return {
    scriptName: EXPORT_SCRIPT,
    data,
    arch,
    likelihood: config.model.likelihood === 'auto' ? likelihoodFor(dims.kind) : config.model.likelihood,
    // The page has no σ setting: the engine's default.
    sigma: 1,
    batch: config.model.batch,
    evalEvery: config.model.evalEvery,
    steps: config.stopAt ?? DEFAULT_EXPORT_STEPS,
    seed: d.seed,
    runs: config.runs.map((r) => {
      const tuned = tunedMarker(r);
      return { name: r.name, optimizer: r.optimizer, ...(tuned ? { note: markerText(tuned) } : {}) };
    }),
  };
}
