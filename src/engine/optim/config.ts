/**
 * Optimizer settings as plain data (serialisable for the CLI, the URL and the worker protocol),
 * their defaults and their validation. FishLeg's settings (docs/fishleg.md §7) are part of the union.
 */

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

/** FishLeg's structured inverse-Fisher approximations (docs/fishleg.md §3). */
export type FishLegApprox = 'block-kron' | 'kron-diag' | 'sum-kron';
export const FISHLEG_APPROXES = ['block-kron', 'kron-diag', 'sum-kron'] as const satisfies readonly FishLegApprox[];

/** Fisher-vector product estimators (docs/fishleg.md §4). */
export type FisherEstimator = 'ggn' | 'sampled';
export const FISHER_ESTIMATORS = ['ggn', 'sampled'] as const satisfies readonly FisherEstimator[];

/** FishLeg (docs/fishleg.md §5–§7); defaults are the authors' MNIST-autoencoder example. */
export interface FishLegConfig {
  readonly kind: 'fishleg';
  readonly approx: FishLegApprox;
  /** η, the parameter step size. */
  readonly lr: number;
  /** β, the momentum on Q·g. */
  readonly beta: number;
  readonly weightDecay: number;
  /** α, Adam's learning rate on the auxiliary parameters λ. */
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
}

export type OptimizerConfig = SgdConfig | AdamConfig | FishLegConfig;
export type OptimizerKind = OptimizerConfig['kind'];
export const OPTIMIZER_KINDS = ['sgd', 'adam', 'adamw', 'fishleg'] as const satisfies readonly OptimizerKind[];

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
  };
}

/** Q₀'s scale: initScale, or 1/γ when unset. */
export function fishLegInitScale(c: FishLegConfig): number {
  return c.initScale ?? 1 / c.damping;
}

/** PyTorch's defaults, except SGD's learning rate and momentum, which PyTorch leaves to the user. */
export function defaultOptimizer(kind: OptimizerKind): OptimizerConfig {
  switch (kind) {
    case 'sgd':
      return { kind, lr: 0.1, momentum: 0.9, weightDecay: 0 };
    case 'adam':
      return { kind, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    case 'adamw':
      return { kind, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };
    case 'fishleg':
      return defaultFishLeg();
    default:
      return kind satisfies never;
  }
}

/** Thrown for settings no optimizer can run with; the message names the setting and the allowed range. */
export class OptimizerConfigError extends Error {
  override readonly name = 'OptimizerConfigError';
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new OptimizerConfigError(message);
}

const finite = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);

/** Throws OptimizerConfigError when a setting is out of range. */
export function validateOptimizer(c: OptimizerConfig): void {
  check(finite(c.lr) && c.lr > 0, `learning rate must be a positive number (got ${c.lr})`);
  check(finite(c.weightDecay) && c.weightDecay >= 0, `weight decay must be ≥ 0 (got ${c.weightDecay})`);
  switch (c.kind) {
    case 'sgd':
      check(finite(c.momentum) && c.momentum >= 0 && c.momentum < 1, `momentum must be in [0, 1) (got ${c.momentum})`);
      return;
    case 'adam':
    case 'adamw':
      check(finite(c.beta1) && c.beta1 >= 0 && c.beta1 < 1, `beta1 must be in [0, 1) (got ${c.beta1})`);
      check(finite(c.beta2) && c.beta2 >= 0 && c.beta2 < 1, `beta2 must be in [0, 1) (got ${c.beta2})`);
      check(finite(c.eps) && c.eps > 0, `eps must be positive (got ${c.eps})`);
      return;
    case 'fishleg':
      validateFishLeg(c);
      return;
    default:
      c satisfies never;
  }
}

function validateFishLeg(c: FishLegConfig): void {
  check(
    (FISHLEG_APPROXES as readonly string[]).includes(c.approx),
    `unknown FishLeg approximation '${String(c.approx)}' (expected one of ${FISHLEG_APPROXES.join(', ')})`,
  );
  check(finite(c.beta) && c.beta >= 0 && c.beta < 1, `FishLeg beta must be in [0, 1) (got ${c.beta})`);
  check(finite(c.auxLr) && c.auxLr > 0, `FishLeg auxiliary learning rate must be a positive number (got ${c.auxLr})`);
  check(finite(c.damping) && c.damping >= 0, `FishLeg damping must be ≥ 0 (got ${c.damping})`);
  check(
    c.damping > 0 || c.initScale !== null,
    'FishLeg damping 0 needs an explicit init scale (the default is 1/damping)',
  );
  check(
    c.initScale === null || (finite(c.initScale) && c.initScale > 0),
    `FishLeg init scale must be positive, or unset for 1/damping (got ${c.initScale})`,
  );
  check(
    Number.isInteger(c.auxEvery) && c.auxEvery >= 1,
    `FishLeg aux-every K must be an integer ≥ 1 (got ${c.auxEvery})`,
  );
  check(
    c.auxBatch === null || (Number.isInteger(c.auxBatch) && c.auxBatch >= 1),
    `FishLeg auxiliary batch must be a positive integer, or unset for the training batch (got ${c.auxBatch})`,
  );
  check(
    (FISHER_ESTIMATORS as readonly string[]).includes(c.fisher),
    `unknown Fisher estimator '${String(c.fisher)}' (expected one of ${FISHER_ESTIMATORS.join(', ')})`,
  );
  check(
    typeof c.preconditionAux === 'boolean',
    `FishLeg preconditionAux must be true or false (got ${String(c.preconditionAux)})`,
  );
}
