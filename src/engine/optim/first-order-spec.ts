/**
 * SGD with momentum and Adam/AdamW as plain data: config types, settings and defaults (PyTorch's, except
 * SGD's learning rate and momentum, which PyTorch leaves to the user). The classes are in optimizer.ts.
 */
import { checkLrTimesWeightDecay, LEARNING_RATE, WEIGHT_DECAY, type OptimizerSpec } from './schema.ts';

export interface SgdConfig {
  readonly kind: 'sgd';
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface AdamConfig {
  readonly kind: 'adam' | 'adamw';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export const SGD_SPEC: OptimizerSpec<SgdConfig> = {
  kinds: ['sgd'],
  labels: { sgd: 'SGD' },
  summary: 'SGD with heavy-ball momentum (PyTorch: dampening 0, no Nesterov)',
  schema: {
    lr: LEARNING_RATE,
    momentum: {
      type: 'number',
      label: 'momentum',
      name: 'momentum',
      url: 'm',
      cli: '--momentum',
      live: 'live',
      help: 'SGD momentum',
      decay: true,
    },
    weightDecay: WEIGHT_DECAY,
  },
  defaults: () => ({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 }),
  refine: checkLrTimesWeightDecay,
  stateBuffers: (_, { layout }) => [{ part: 'SGD momentum', name: 'SGD momentum', floats: layout.total }],
};

export const ADAM_SPEC: OptimizerSpec<AdamConfig> = {
  kinds: ['adam', 'adamw'],
  labels: { adam: 'Adam', adamw: 'AdamW' },
  summary: 'Adam, and AdamW with decoupled weight decay',
  schema: {
    lr: LEARNING_RATE,
    beta1: {
      type: 'number',
      label: 'β₁',
      name: 'beta1',
      url: 'b1',
      cli: '--beta1',
      live: 'live',
      help: 'Adam beta1',
      decay: true,
    },
    beta2: {
      type: 'number',
      label: 'β₂',
      name: 'beta2',
      url: 'b2',
      cli: '--beta2',
      live: 'live',
      help: 'Adam beta2',
      decay: true,
    },
    eps: {
      type: 'number',
      label: 'ε',
      name: 'eps',
      url: 'eps',
      cli: '--eps',
      live: 'live',
      help: 'Adam epsilon',
      min: 0,
      minOpen: true,
    },
    weightDecay: WEIGHT_DECAY,
  },
  defaults: (kind) => ({
    kind,
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: kind === 'adamw' ? 1e-2 : 0,
  }),
  refine: checkLrTimesWeightDecay,
  stateBuffers: (_, { layout }) => [
    { part: 'Adam state', name: 'Adam m', floats: layout.total },
    { part: 'Adam state', name: 'Adam v', floats: layout.total },
  ],
};
