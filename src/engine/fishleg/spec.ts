/**
 * FishLeg's settings as plain data (docs/fishleg.md §7): the config type, the description of every setting
 * and the defaults, which are the authors' MNIST-autoencoder example. The optimizer is in fishleg.ts.
 */
import { APPROX, lambdaLayout } from './approx.ts';
import type { FishLegApprox } from './types.ts';
import { onesWidth, sampledScratch } from '../curvature/sizes.ts';
import { kronPositions, kronShape } from '../layers/registry.ts';
import type { ParamLayout } from '../model/mlp.ts';
import { SETUP } from '../setup-spec.ts';
import {
  checkLrTimesWeightDecay,
  LEARNING_RATE,
  OptimizerConfigError,
  WEIGHT_DECAY,
  type OptimizerSpec,
  type StateBuffer,
  type StateContext,
} from '../optim/schema.ts';

export { FISHLEG_APPROXES, type FishLegApprox } from './types.ts';

/** Fisher-vector product estimators (docs/fishleg.md §4). */
export type FisherEstimator = 'ggn' | 'sampled';
export const FISHER_ESTIMATORS = ['ggn', 'sampled'] as const satisfies readonly FisherEstimator[];

/** FishLeg (docs/fishleg.md §5–§7). */
export interface FishLegConfig {
  readonly kind: 'fishleg';
  readonly approx: FishLegApprox;
  /** η, the parameter step size. */
  readonly lr: number;
  /** β, the momentum on Q·g. */
  readonly beta: number;
  readonly weightDecay: number;
  /** α, Adam's learning rate on the auxiliary parameters λ; 0 freezes Q at Q₀ (no auxiliary updates at all). */
  readonly auxLr: number;
  /** γ, the damping of F_γ = F + γI. */
  readonly damping: number;
  /** Q₀ = initScale·I; null means 1/γ. */
  readonly initScale: number | null;
  /** K: one auxiliary update every K steps (not at step 0). */
  readonly auxEvery: number;
  /** Rows of the auxiliary batch; null means the training batch size. */
  readonly auxBatch: number | null;
  readonly fisher: FisherEstimator;
  /** Precondition the auxiliary gradient by Q (§5 step 4). */
  readonly preconditionAux: boolean;
  /**
   * Fit Q's overall scale s (Q_eff = s·Q(λ), one scalar per net) in closed form to the damped curvature along
   * each auxiliary gradient, at step 0 and at every auxiliary update (docs/fishleg.md §7.2).
   */
  readonly fitScale: boolean;
}

/** FishLeg's defaults (docs/fishleg.md §7) with the given approximation. */
export function defaultFishLeg(approx: FishLegApprox = 'block-kron'): FishLegConfig {
  return {
    kind: 'fishleg',
    approx,
    lr: 0.005,
    beta: 0.9,
    weightDecay: 1e-5,
    auxLr: 1e-4,
    damping: 0.1,
    initScale: null,
    auxEvery: 10,
    auxBatch: null,
    fisher: 'ggn',
    preconditionAux: true,
    fitScale: false,
  };
}

/**
 * Whether Q learns: α > 0. At α = 0 Adam's step on λ would be exactly zero, so Q is frozen at Q₀ and the run
 * is momentum SGD along Q₀g; FishLeg then records and runs no auxiliary update at all (docs/fishleg.md §7.1).
 */
export function fishLegLearnsQ(c: FishLegConfig): boolean {
  return c.auxLr > 0;
}

/** Q₀'s scale: initScale, or 1/γ when unset. */
export function fishLegInitScale(c: FishLegConfig): number {
  return c.initScale ?? 1 / c.damping;
}

export const FISHLEG_SPEC: OptimizerSpec<FishLegConfig> = {
  kinds: ['fishleg'],
  labels: { fishleg: 'FishLeg' },
  summary: 'FishLeg: a learned structured inverse Fisher (docs/fishleg.md)',
  inverseFisher: true,
  curvature: true,
  schema: {
    approx: {
      type: 'enum',
      label: 'approximation (switches live)',
      name: 'FishLeg approximation',
      url: 'ap',
      cli: '--approx',
      live: 'switch',
      help: 'FishLeg approximation of the inverse Fisher',
      choices: [
        { value: 'block-kron', label: 'block-Kron' },
        { value: 'kron-diag', label: 'Kron + diag' },
        { value: 'sum-kron', label: 'sum of Kron' },
      ],
    },
    lr: { ...LEARNING_RATE, label: 'η learning rate', help: 'learning rate η' },
    beta: {
      type: 'number',
      label: 'β momentum',
      name: 'FishLeg beta',
      url: 'be',
      cli: '--beta',
      live: 'live',
      help: 'FishLeg momentum β',
      decay: true,
    },
    weightDecay: { ...WEIGHT_DECAY, help: 'weight decay' },
    auxLr: {
      type: 'number',
      label: 'α aux learning rate',
      name: 'FishLeg auxiliary learning rate',
      url: 'alr',
      cli: '--aux-lr',
      live: 'live',
      help: 'FishLeg auxiliary (λ) Adam learning rate α (0: Q frozen at Q₀)',
      min: 0,
    },
    damping: {
      type: 'number',
      label: 'γ damping',
      name: 'FishLeg damping',
      url: 'dmp',
      cli: '--damping',
      live: 'live',
      help: 'FishLeg damping γ',
      min: 0,
    },
    initScale: {
      type: 'number',
      label: 'Q₀ scale',
      name: 'FishLeg init scale',
      url: 'is',
      cli: '--init-scale',
      live: 'creation',
      help: 'FishLeg Q₀ = scale·I',
      min: 0,
      minOpen: true,
      nullable: { meaning: '1/damping', placeholder: '1/γ' },
    },
    auxEvery: {
      type: 'integer',
      label: 'aux every K',
      name: 'FishLeg aux-every K',
      url: 'k',
      cli: '--aux-every',
      live: 'live',
      help: 'FishLeg auxiliary update every K steps',
      min: 1,
      // The same bound as the model's evaluation interval in a link.
      linkMax: SETUP.evalEvery.page.max,
    },
    auxBatch: {
      type: 'integer',
      label: 'aux batch',
      name: 'FishLeg auxiliary batch',
      url: 'ab',
      cli: '--aux-batch',
      live: 'live',
      help: 'FishLeg auxiliary batch size',
      min: 1,
      // The same bound as the model's batch in a link.
      linkMax: SETUP.batch.page.max,
      nullable: { meaning: 'the training batch', placeholder: 'batch' },
    },
    fisher: {
      type: 'enum',
      label: 'Fisher estimator',
      name: 'Fisher estimator',
      url: 'fi',
      cli: '--fisher',
      live: 'live',
      help: 'FishLeg Fisher-vector estimator',
      choices: [
        { value: 'ggn', label: 'GGN (exact)' },
        { value: 'sampled', label: 'sampled' },
      ],
    },
    preconditionAux: {
      type: 'boolean',
      label: 'precondition aux gradient by Q',
      name: 'FishLeg preconditionAux',
      url: 'pa',
      cli: '--precondition-aux',
      live: 'live',
      help: 'FishLeg: precondition the auxiliary gradient by Q',
    },
    fitScale: {
      type: 'boolean',
      label: 'fit Q scale to curvature',
      name: 'FishLeg fitScale',
      url: 'fs',
      cli: '--fit-scale',
      live: 'live',
      help: "FishLeg: fit Q's overall scale to the curvature along the gradient",
    },
  },
  defaults: () => defaultFishLeg(),
  refine(c) {
    checkLrTimesWeightDecay(c);
    // With damping ≥ the smallest normal float32, the default init scale 1/damping stays below 1e38.
    if (c.damping === 0 && c.initScale === null) {
      throw new OptimizerConfigError('FishLeg damping 0 needs an explicit init scale (the default is 1/damping)');
    }
  },
  stateBuffers: fishlegBuffers,
};

/**
 * FishLeg's op-list scratch (curvature/arena.ts), a bound on its high-water mark: the largest of the
 * builders' per-layer needs, each of which returns its scratch before the next one runs.
 */
function fishlegScratch(c: FishLegConfig, layout: ParamLayout, batch: number, auxRows: number): number {
  const impl = APPROX[c.approx];
  const layers = layout.layers.filter((l) => l.size > 0);
  let high = 0;
  const learns = fishLegLearnsQ(c);
  // Kron+diag keeps 4·m·p per layer from v = Q·u to ∇λS across the whole auxiliary update (kron-diag.ts).
  const kept = learns ? layers.reduce((sum, l) => sum + (impl.keepSize?.(kronShape(l)) ?? 0), 0) : 0;
  // Q·G in factored form reads a layer's batch·positions Kronecker rows.
  for (const l of layers) high = Math.max(high, kept + impl.scratch(kronShape(l), batch * kronPositions(l)));
  // The sampled Fisher product's c and per-row products (fisher.ts sampledProducts), while Kron+diag's keep is held.
  if (learns && c.fisher === 'sampled') high = Math.max(high, kept + sampledScratch(layout, auxRows));
  return high;
}

/** What FishLeg allocates (fishleg.ts): vectors like θ, λ and its Adam state, the cache, scratch, aux workspace. */
function fishlegBuffers(c: FishLegConfig, { layout, batch, workspace }: StateContext): StateBuffer[] {
  const n = layout.total;
  const ll = lambdaLayout(APPROX[c.approx], layout);
  const auxRows = c.auxBatch ?? batch;
  const part = 'FishLeg state';
  const out: StateBuffer[] = ['momentum', 'Q·g', 'v', 'r'].map((name) => ({
    part,
    name: `FishLeg ${name}`,
    floats: n,
  }));
  for (const name of ['λ', 'λ gradient', 'λ Adam m', 'λ Adam v'])
    out.push({ part, name: `FishLeg ${name}`, floats: ll.lamTotal });
  out.push({ part, name: 'FishLeg cache', floats: ll.cacheTotal });
  out.push({ part, name: 'FishLeg scratch', floats: fishlegScratch(c, layout, batch, auxRows) });
  // A frozen Q has no Fisher product (fishleg.ts).
  if (!fishLegLearnsQ(c)) return out;
  // The Fisher product's row of ones (fisher.ts).
  out.push({ part, name: 'FishLeg ones', floats: onesWidth(layout) });
  out.push(...workspace(auxRows, 'FishLeg auxiliary workspace', 'FishLeg auxiliary'));
  return out;
}
