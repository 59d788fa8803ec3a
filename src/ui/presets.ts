/**
 * One-click setups: each preset is a whole PlaygroundConfig (task, model, runs with tuned hyperparameters,
 * Inside-FishLeg target, chart settings), so clicking one also fixes the URL that reproduces it.
 * The tuned values were measured, not guessed: `npx tsx bench/preset-sweep.ts --preset <id>` trains a
 * preset's exact race on the CPU backend (figures below; CPU f32, 2026-11-28).
 */
import { defaultFishLeg } from '../engine/optim/config.ts';
import {
  DEFAULT_CHART,
  DEFAULT_CONFIG,
  dataFor,
  modelFor,
  optimizerFor,
  runsFor,
  SPIRAL_RUNS,
  TOY_FISHLEG,
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

/**
 * MNIST autoencoder: Adam at the paper's 1e-3 against FishLeg at the paper's defaults (η 0.005, α 1e-4,
 * γ 0.1, K 10, block-Kron). `--preset mnist-ae --steps 800 --eval-every 200 --adam-lr 0.001,0.003
 * --lr 0.005,0.01`, seed 1, train NLL at steps 200/400/600/800:
 *   Adam 1e-3      177.2 / 141.6 / 126.7 / 116.2
 *   Adam 3e-3      136.1 / 109.4 / 100.8 /  95.9   (Adam's better rate on this small model)
 *   FishLeg η.005  129.2 / 103.0 /  94.6 /  91.7   (passes Adam 3e-3's 800-step loss by step 600)
 *   FishLeg η.01   120.7 / 102.8 /  97.9 /  92.5
 * Seeds 2 and 3 (`--steps 500 --eval-every 250 --seeds 2,3 --adam-lr 0.001,0.003`), train NLL at 250/500:
 *   seed 2: Adam 1e-3 159.1 / 127.7, Adam 3e-3 127.3 / 106.9, FishLeg 118.1 / 97.7
 *   seed 3: Adam 1e-3 158.0 / 128.9, Adam 3e-3 123.4 / 103.7, FishLeg 111.5 / 94.1
 * Test NLL tracks train NLL within ≈1.5 in every run. The first minute on a 2-core CPU (≈ 150–250 steps at the
 * preset's pace): `--steps 100 --eval-every 50 --seeds 1,2,3 --quiet` (2026-12-01) has FishLeg's step-50 loss
 * already below Adam's step-100 loss on every seed (train NLL at step 100: Adam 206.1 / 203.4 / 201.5,
 * FishLeg 168.4 / 167.2 / 151.6), so the blurb's "by the first evaluation (step 50)" holds.
 */
const MNIST_FISHLEG = { ...defaultFishLeg('block-kron'), lr: 0.005 };

export const PRESETS: readonly Preset[] = [
  {
    id: 'mnist-ae',
    title: 'FishLeg beats Adam on the MNIST autoencoder',
    blurb:
      'The paper’s benchmark, scaled down to train in a browser: per step, FishLeg’s reconstruction loss drops below Adam’s by the first evaluation (step 50) and stays there. Each FishLeg step costs several Adam steps, so against training seconds on a CPU Adam is still ahead.',
    config: (backend) => ({
      ...base(backend),
      data: dataFor('mnist-ae'),
      model: modelFor('mnist-ae'),
      runs: runsFor([optimizerFor('adam', 1e-3), MNIST_FISHLEG]),
      inspect: { runId: null, layer: 0 },
    }),
  },
  {
    id: 'spiral',
    title: 'Spiral: SGD vs Adam vs FishLeg',
    blurb:
      'Same weights, same batches: a tuned FishLeg and Adam at its best rate run neck and neck on this tiny toy and both leave SGD behind (FishLeg’s clear win is the MNIST autoencoder).',
    config: (backend) => ({ ...base(backend), runs: runsFor(SPIRAL_RUNS), inspect: { runId: 'r3', layer: 2 } }),
  },
  {
    id: 'switch',
    title: 'Switch approximations live',
    blurb: 'Change the FishLeg run’s approximation while it trains: the curve carries on and the switch is marked.',
    config: (backend) => ({
      ...base(backend),
      data: dataFor('circles'),
      model: modelFor('circles'),
      // The tuned toy FishLeg (with the old η 0.1, α 1e-4 its Q barely moved and it traced SGD's curve), calmer
      // on circles: `npx tsx bench/preset-sweep.ts --preset switch --steps 6000 --lr 0.2,0.5 --aux-lr 0.003,0.01`
      // gave a last-quarter mean train loss of 0.0012 at η 0.2, α 0.003 against 0.024–0.040 at η 0.5 (loss spikes).
      runs: runsFor([optimizerFor('adam', 0.03), { ...TOY_FISHLEG, lr: 0.2, auxLr: 3e-3 }]),
      inspect: { runId: 'r2', layer: 2 },
    }),
  },
  {
    id: 'inverse-fisher',
    title: 'Q learns the inverse Fisher',
    blurb:
      'A linear model whose exact Fisher is computed alongside: watch Q, started at I, approach (F + γI)⁻¹ — the relative error falls about 20× in 2,000 steps, paced at 100 steps a second so that you can follow it.',
    // Measured on the CPU backend (exact Fisher on 64 rows, as the view computes it): with this setting the relative
    // error of layer 0 fell 0.83 → 0.40 → 0.12 → 0.076 → 0.040 at steps 0/200/500/1000/2000. Categorical
    // outputs were avoided on purpose: softmax's Fisher is singular along "add a constant to every logit",
    // gradients never probe that direction, and Q's error there (its init against 1/γ) stays, ≈ 0.55 at best.
    // A hidden tanh layer keeps the Kronecker fit loose too (0.9 → 0.6 on its output layer). presets.test.ts pins ≥ 5×.
    config: (backend) => ({
      ...base(backend),
      data: dataFor('gaussians'),
      model: { ...modelFor('gaussians'), hidden: '', likelihood: 'bernoulli', evalEvery: 10 },
      runs: runsFor([{ ...defaultFishLeg('block-kron'), lr: 0.02, auxLr: 3e-3, initScale: 1, auxEvery: 1 }]),
      inspect: { runId: 'r1', layer: 0 },
      // The auxiliary loss turns negative as Q learns: a linear axis.
      chart: { ...DEFAULT_CHART, metric: 'aux', log: false },
      // At full speed the CPU runs this linear model at thousands of steps a second: over before anyone looks.
      speed: 100,
    }),
  },
];
