/**
 * Optimizer settings as plain data (serialisable for the CLI, the URL and the worker protocol),
 * their defaults and their validation. FishLeg's settings (docs/fishleg.md §7) are part of the union.
 */
import { defaultKfac, defaultNatural, validateKfac, validateNatural } from '../kfac/config.ts';
import type { KfacConfig, NaturalConfig } from '../kfac/config.ts';

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

export type OptimizerConfig = SgdConfig | AdamConfig | FishLegConfig | KfacConfig | NaturalConfig;
export type OptimizerKind = OptimizerConfig['kind'];
export const OPTIMIZER_KINDS = [
  'sgd',
  'adam',
  'adamw',
  'fishleg',
  'kfac',
  'natural',
] as const satisfies readonly OptimizerKind[];

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
    case 'kfac':
      return defaultKfac();
    case 'natural':
      return defaultNatural();
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

/** The largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;
/** The smallest normal float32: GPUs may flush anything smaller (subnormals) to zero. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** Whether a float survives the trip to a float32 buffer as itself: finite there, and 0 or normal. */
export function isFloat32Normal(x: number): boolean {
  const a = Math.abs(x);
  return finite(x) && a <= F32_MAX && (a === 0 || a >= F32_MIN_NORMAL);
}

/**
 * Every setting ends up in a float32 hyper buffer: a value beyond float32's range becomes ±∞ there, and a
 * subnormal one may become 0 on one backend and not on another, so both are rejected with the setting named.
 */
function checkFloat32(x: number, what: string): void {
  check(Math.abs(x) <= F32_MAX, `${what} must fit in float32 (at most ${F32_MAX} in size; got ${x})`);
  check(
    x === 0 || Math.abs(x) >= F32_MIN_NORMAL,
    `${what} must be 0 or at least ${F32_MIN_NORMAL} in size, the smallest normal float32 (got ${x})`,
  );
}

/** A setting that must be a positive number (checked for float32 after the basic rule, so its message stays). */
function positive(x: number, message: string, what: string): void {
  check(finite(x) && x > 0, message);
  checkFloat32(x, what);
}

/** A setting with a basic rule `ok` (finite, in range) that is then stored in float32. */
function inRange(x: number, ok: boolean, message: string, what: string): void {
  check(finite(x) && ok, message);
  checkFloat32(x, what);
}

/** The largest float32 below 1 (1 − 2⁻²⁴): anything in (0.99999997, 1) rounds to 1 in a float32 buffer. */
export const F32_BELOW_ONE = 1 - 2 ** -24;

/**
 * A decay rate in [0, 1) (momentum, β): it reaches the kernels as float32, where 0.9999999999 is 1, so that
 * momentum never forgets and Adam's second moment stays 0 (the step is m/ε: a divergence with no cause shown).
 */
function decay(x: number, what: string): void {
  inRange(x, x >= 0 && x < 1, `${what} must be in [0, 1) (got ${x})`, what);
  check(
    Math.fround(x) < 1,
    `${what} must be in [0, 1) in float32, where ${x} is 1: use at most ${F32_BELOW_ONE} (got ${x})`,
  );
}

/** Whether a count is a positive safe integer (an auxiliary batch of 1e300 is an "integer" too). */
const count = (x: number | null): boolean => Number.isSafeInteger(x) && (x as number) >= 1;

/** Throws OptimizerConfigError when a setting is out of range. */
export function validateOptimizer(c: OptimizerConfig): void {
  positive(c.lr, `learning rate must be a positive number (got ${c.lr})`, 'learning rate');
  inRange(c.weightDecay, c.weightDecay >= 0, `weight decay must be ≥ 0 (got ${c.weightDecay})`, 'weight decay');
  // The kernels form lr·wd (FishLeg writes 1 − lr·wd) in float32.
  check(
    c.lr * c.weightDecay <= F32_MAX,
    `learning rate × weight decay must fit in float32 (got ${c.lr} × ${c.weightDecay})`,
  );
  switch (c.kind) {
    case 'sgd':
      decay(c.momentum, 'momentum');
      return;
    case 'adam':
    case 'adamw':
      decay(c.beta1, 'beta1');
      decay(c.beta2, 'beta2');
      positive(c.eps, `eps must be positive (got ${c.eps})`, 'eps');
      return;
    case 'fishleg':
      validateFishLeg(c);
      return;
    case 'kfac':
      validateKfac(c);
      return;
    case 'natural':
      validateNatural(c);
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
  decay(c.beta, 'FishLeg beta');
  positive(
    c.auxLr,
    `FishLeg auxiliary learning rate must be a positive number (got ${c.auxLr})`,
    'FishLeg auxiliary learning rate',
  );
  inRange(c.damping, c.damping >= 0, `FishLeg damping must be ≥ 0 (got ${c.damping})`, 'FishLeg damping');
  check(
    c.damping > 0 || c.initScale !== null,
    'FishLeg damping 0 needs an explicit init scale (the default is 1/damping)',
  );
  // With damping ≥ the smallest normal float32, the default init scale 1/damping stays below 1e38.
  if (c.initScale !== null) {
    positive(
      c.initScale,
      `FishLeg init scale must be positive, or unset for 1/damping (got ${c.initScale})`,
      'FishLeg init scale',
    );
  }
  check(count(c.auxEvery), `FishLeg aux-every K must be an integer ≥ 1 (got ${c.auxEvery})`);
  check(
    c.auxBatch === null || count(c.auxBatch),
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
