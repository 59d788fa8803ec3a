/**
 * One-click setups: each preset is a whole PlaygroundConfig (task, model, runs with tuned hyperparameters,
 * Inside-FishLeg target, chart settings), so clicking one also fixes the URL that reproduces it.
 */
import { defaultFishLeg } from '../engine/optim/config.ts';
import {
  DEFAULT_CHART,
  DEFAULT_CONFIG,
  dataFor,
  modelFor,
  optimizerFor,
  runsFor,
  type PlaygroundConfig,
} from './config.ts';

export interface Preset {
  readonly id: string;
  readonly title: string;
  /** One sentence saying what to watch. */
  readonly blurb: string;
  readonly config: (backend: PlaygroundConfig['backend']) => PlaygroundConfig;
}

const base = (backend: PlaygroundConfig['backend']): PlaygroundConfig => ({ ...DEFAULT_CONFIG, backend });

export const PRESETS: readonly Preset[] = [
  {
    id: 'mnist-ae',
    title: 'FishLeg vs Adam on the MNIST autoencoder',
    blurb: 'The paper’s benchmark, scaled down to train in a browser: watch the reconstruction loss of both.',
    config: (backend) => ({
      ...base(backend),
      data: dataFor('mnist-ae'),
      model: modelFor('mnist-ae'),
      runs: runsFor([optimizerFor('adam', 1e-3), { ...defaultFishLeg('block-kron'), lr: 0.005 }]),
      inspect: { runId: null, layer: 0 },
    }),
  },
  {
    id: 'spiral',
    title: 'Spiral: SGD vs Adam vs FishLeg',
    blurb: 'Three optimizers, same weights, same batches: whose loss falls fastest?',
    config: (backend) => base(backend),
  },
  {
    id: 'switch',
    title: 'Switch approximations live',
    blurb: 'Change the FishLeg run’s approximation while it trains: the curve carries on and the switch is marked.',
    config: (backend) => ({
      ...base(backend),
      data: dataFor('circles'),
      model: modelFor('circles'),
      runs: runsFor([optimizerFor('adam'), { ...defaultFishLeg('block-kron'), lr: 0.1 }]),
      inspect: { runId: 'r2', layer: 2 },
    }),
  },
  {
    id: 'inverse-fisher',
    title: 'Q learns the inverse Fisher',
    blurb: 'A tiny network where the exact Fisher can be computed: watch Q approach (F + γI)⁻¹.',
    config: (backend) => ({
      ...base(backend),
      data: dataFor('spiral'),
      model: { ...modelFor('spiral'), hidden: '4t', evalEvery: 10 },
      runs: runsFor([{ ...defaultFishLeg('block-kron'), lr: 0.02, auxLr: 3e-3, auxEvery: 1 }]),
      inspect: { runId: 'r1', layer: 0 },
      chart: { ...DEFAULT_CHART, metric: 'aux' },
    }),
  },
];
