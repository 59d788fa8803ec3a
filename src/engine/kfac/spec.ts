/**
 * K-FAC's and the exact natural gradient's settings as plain data (docs/kfac.md): the config types, the
 * description of every setting, the defaults and the device buffers for the memory estimate. The optimizers
 * are in kfac.ts and natural.ts.
 */
import { kronShape } from '../layers/registry.ts';
import { SETUP } from '../setup-spec.ts';
import {
  checkLrTimesWeightDecay,
  LEARNING_RATE,
  WEIGHT_DECAY,
  type NumberSetting,
  type OptimizerSpec,
  type StateBuffer,
} from '../optim/schema.ts';

export type KfacDampingRule = 'fixed' | 'levenberg-marquardt';

/** K-FAC (Martens & Grosse 2015) with a kfac-pytorch style update (docs/kfac.md §1–§4). */
export interface KfacConfig {
  readonly kind: 'kfac';
  /** η, the step size on the preconditioned gradient. */
  readonly lr: number;
  /** μ, heavy-ball momentum (PyTorch SGD semantics). */
  readonly momentum: number;
  readonly weightDecay: number;
  /** γ: the factors are damped as A + π√γ I and G + √γ/π I (the starting λ under the LM rule). */
  readonly damping: number;
  /** 'fixed' keeps γ; 'levenberg-marquardt' adapts it every 5 steps from the step's reduction ratio (§4.1). */
  readonly dampingRule: KfacDampingRule;
  /** ε of the running averages A ← εA + (1−ε)Â. */
  readonly factorDecay: number;
  /** The damped inverses are recomputed every invEvery steps (and at step 0). */
  readonly invEvery: number;
  /** κ: the step is scaled by ν = min(1, √(κ / (η²·gᵀPg))); null turns the clip off. */
  readonly klClip: number | null;
  /** How G's backpropagated errors are made: 'sampled' draws targets from the model (K-FAC's definition). */
  readonly fisher: 'sampled' | 'ggn';
}

/** θ ← θ − η (F + γI)⁻¹ g with the exact Fisher of the batch, for small networks (docs/kfac.md §5). */
export interface NaturalConfig {
  readonly kind: 'natural';
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** γ of F + γI. */
  readonly damping: number;
}

/**
 * Damping 1e-3, factor decay 0.95, KL clip 1e-3 and momentum 0.9 are the common PyTorch K-FAC implementations'
 * defaults; the inverses are refreshed every 20 steps, Martens & Grosse's schedule (those implementations use
 * 100), and the damping is fixed: `npm run bench:kfac-defaults` on the MNIST-autoencoder preset net and a
 * deeper autoencoder (BENCHMARKS.md, "K-FAC's defaults across two nets") found 20 the best interval across
 * both, and the Levenberg–Marquardt rule worse on both (with the KL clip keeping steps short, ρ stays near 1
 * and the rule takes λ to its floor, leaving the factors nearly undamped). Factors are updated every step (their TCov is 10),
 * which a small batch needs. η is ours (docs/kfac.md §4).
 */
export function defaultKfac(): KfacConfig {
  return {
    kind: 'kfac',
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 0,
    damping: 1e-3,
    dampingRule: 'fixed',
    factorDecay: 0.95,
    invEvery: 20,
    klClip: 1e-3,
    fisher: 'sampled',
  };
}

/** A damped Gauss–Newton step (η = 1 would be the full step) with a light damping, no momentum. */
export function defaultNatural(): NaturalConfig {
  return { kind: 'natural', lr: 0.1, momentum: 0, weightDecay: 0, damping: 1e-2 };
}

/** Heavy-ball momentum with PyTorch SGD semantics, as SGD's (the same URL key and flag). */
const momentum = (who: string): NumberSetting => ({
  type: 'number',
  label: 'μ momentum',
  name: `${who} momentum`,
  url: 'm',
  cli: '--momentum',
  live: 'live',
  help: `${who} heavy-ball momentum μ (PyTorch SGD semantics)`,
  decay: true,
});

/** γ, with FishLeg's URL key and flag; positive here (K-FAC takes √γ, the solve needs F + γI invertible). */
const damping = (who: string, help: string): NumberSetting => ({
  type: 'number',
  label: 'γ damping',
  name: `${who} damping`,
  url: 'dmp',
  cli: '--damping',
  live: 'live',
  help,
  min: 0,
  minOpen: true,
});

/** Momentum and the preconditioned direction (both optimizers), then each one's own buffers. */
const vectors = (part: string, who: string, names: readonly string[], n: number): StateBuffer[] =>
  names.map((name) => ({ part, name: `${who} ${name}`, floats: n }));

export const KFAC_SPEC: OptimizerSpec<KfacConfig> = {
  curvature: true,
  kinds: ['kfac'],
  labels: { kfac: 'K-FAC' },
  summary:
    'K-FAC: Kronecker-factored Fisher, damped inverses (exact Cholesky on the CPU, Newton–Schulz on WebGPU), KL clip (docs/kfac.md)',
  schema: {
    lr: { ...LEARNING_RATE, label: 'η learning rate', help: 'learning rate η' },
    momentum: momentum('K-FAC'),
    weightDecay: WEIGHT_DECAY,
    damping: damping('K-FAC', 'K-FAC damping γ: A + π√γ I and G + √γ/π I (natural: F + γI)'),
    dampingRule: {
      type: 'enum',
      label: 'damping rule',
      name: 'K-FAC damping rule',
      url: 'dr',
      cli: '--damping-rule',
      live: 'live',
      help: "K-FAC: 'fixed' keeps γ; 'levenberg-marquardt' starts at γ and adapts it every 5 steps from how well the quadratic model predicted the step (Martens & Grosse §6.5; with the KL clip it measured worse, docs/kfac.md §4.1)",
      choices: [
        { value: 'fixed', label: 'fixed' },
        { value: 'levenberg-marquardt', label: 'adaptive (LM)' },
      ],
    },
    factorDecay: {
      type: 'number',
      label: 'ε factor decay',
      name: 'K-FAC factor decay',
      url: 'fd',
      cli: '--factor-decay',
      live: 'live',
      help: 'K-FAC running-average decay ε of the factors A and G',
      decay: true,
    },
    invEvery: {
      type: 'integer',
      label: 'inverses every',
      name: 'K-FAC inverse interval (invEvery)',
      unit: 'steps',
      url: 'ie',
      cli: '--inv-every',
      live: 'live',
      help: 'K-FAC: recompute the damped inverses every N steps (and at step 0)',
      min: 1,
      // The same bound as the model's evaluation interval in a link.
      linkMax: SETUP.evalEvery.page.max,
    },
    klClip: {
      type: 'number',
      label: 'κ KL clip',
      name: 'K-FAC KL clip',
      url: 'kl',
      cli: '--kl-clip',
      live: 'live',
      help: 'K-FAC KL clip κ: the step is scaled by min(1, √(κ / η²gᵀPg))',
      min: 0,
      minOpen: true,
      nullable: { meaning: 'no clip', placeholder: 'off' },
    },
    fisher: {
      type: 'enum',
      label: 'Fisher of G',
      name: 'K-FAC fisher',
      url: 'fi',
      cli: '--fisher',
      live: 'live',
      help: "K-FAC: G's errors from targets drawn from the model",
      choices: [{ value: 'sampled', label: 'sampled' }],
      // The exact-GGN factor needs one backward pass per network output (784 on MNIST) per step: not cheap.
      refused: {
        ggn: "the exact-GGN factor G needs one backward pass per network output each step; use 'sampled' (targets drawn from the model, K-FAC's definition)",
      },
    },
  },
  defaults: defaultKfac,
  refine: checkLrTimesWeightDecay,
  stateBuffers(_, { layout, batch, workspace }) {
    const part = 'K-FAC state';
    // Layers without parameters (pooling) get no factors (kfac.ts); a conv layer's patches are in the workspace.
    const shapes = layout.layers.filter((l) => l.size > 0).map(kronShape);
    const f = shapes.reduce((s, { m, p }) => s + p ** 2 + m ** 2, 0);
    const dims = [...new Set(shapes.flatMap(({ m, p }) => [m, p]))];
    const maxD = Math.max(...dims);
    return [
      ...vectors(part, 'K-FAC', ['momentum', 'direction'], layout.total),
      { part, name: 'K-FAC factors A, G', floats: f },
      { part, name: 'K-FAC inverses', floats: f },
      { part, name: 'K-FAC identities', floats: dims.reduce((s, d) => s + d * d, 0) },
      // Newton–Schulz's three d×d matrices (newton-schulz.ts).
      { part, name: 'K-FAC scratch', floats: Math.max(3 * maxD * maxD, ...layout.layers.map((l) => l.size)) },
      ...workspace(batch, 'K-FAC sampling workspace', 'K-FAC sampling'),
    ];
  },
};

export const NATURAL_SPEC: OptimizerSpec<NaturalConfig> = {
  curvature: true,
  kinds: ['natural'],
  labels: { natural: 'Natural gradient' },
  summary: 'the exact natural gradient (F + γI)⁻¹g by conjugate gradients, for small networks (docs/kfac.md §5)',
  // CG's cost per step grows with the model: beyond this, K-FAC or FishLeg.
  maxParams: 1000,
  schema: {
    lr: { ...LEARNING_RATE, label: 'η learning rate', help: 'learning rate η' },
    momentum: momentum('natural-gradient'),
    weightDecay: WEIGHT_DECAY,
    damping: damping('natural-gradient', 'damping γ'),
  },
  defaults: defaultNatural,
  refine: checkLrTimesWeightDecay,
  stateBuffers: (_, { layout, batch, workspace }) => [
    ...vectors(
      'natural-gradient state',
      'natural-gradient',
      ['momentum', 'direction', 'residual', 'search', 'product'],
      layout.total,
    ),
    ...workspace(batch, 'natural-gradient workspace', 'natural-gradient'),
  ],
};
