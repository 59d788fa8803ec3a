/**
 * Settings of K-FAC and of the exact natural gradient (docs/kfac.md), their defaults and validation.
 * Plain data like every optimizer config; the union in optim/config.ts includes both.
 */
import { F32_MAX, F32_MIN_NORMAL, OptimizerConfigError } from '../optim/config.ts';

/** K-FAC (Martens & Grosse 2015) with a kfac-pytorch style update (docs/kfac.md §1–§4). */
export interface KfacConfig {
  readonly kind: 'kfac';
  /** η, the step size on the preconditioned gradient. */
  readonly lr: number;
  /** μ, heavy-ball momentum (PyTorch SGD semantics). */
  readonly momentum: number;
  readonly weightDecay: number;
  /** γ: the factors are damped as A + π√γ I and G + √γ/π I. */
  readonly damping: number;
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

export const KFAC_FISHERS = ['sampled', 'ggn'] as const satisfies readonly KfacConfig['fisher'][];

/**
 * The defaults of the common PyTorch K-FAC implementations: damping 1e-3, factor decay 0.95, KL clip 1e-3,
 * momentum 0.9, inverses every 100 steps (their TInv; Martens & Grosse refresh every 20). Factors are
 * updated every step here (their TCov is 10), which a small batch needs. η is ours (docs/kfac.md §4).
 */
export function defaultKfac(): KfacConfig {
  return {
    kind: 'kfac',
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 0,
    damping: 1e-3,
    factorDecay: 0.95,
    invEvery: 100,
    klClip: 1e-3,
    fisher: 'sampled',
  };
}

/** A damped Gauss–Newton step (η = 1 would be the full step) with a light damping, no momentum. */
export function defaultNatural(): NaturalConfig {
  return { kind: 'natural', lr: 0.1, momentum: 0, weightDecay: 0, damping: 1e-2 };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new OptimizerConfigError(message);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The settings reach the kernels through float32 buffers. */
function f32(x: number, what: string): void {
  check(Math.abs(x) <= F32_MAX, `${what} must fit in float32 (at most ${F32_MAX} in size; got ${x})`);
  check(x === 0 || Math.abs(x) >= F32_MIN_NORMAL, `${what} must be 0 or at least ${F32_MIN_NORMAL} in size (got ${x})`);
}

function decayRate(x: number, what: string): void {
  check(finite(x) && x >= 0 && x < 1 && Math.fround(x) < 1, `${what} must be in [0, 1) (got ${x})`);
  f32(x, what);
}

function positive(x: number, what: string): void {
  check(finite(x) && x > 0, `${what} must be a positive number (got ${x})`);
  f32(x, what);
}

/** Checks the settings K-FAC and the natural gradient share with every optimizer. */
function common(c: KfacConfig | NaturalConfig, name: string): void {
  positive(c.lr, `${name} learning rate`);
  decayRate(c.momentum, `${name} momentum`);
  check(finite(c.weightDecay) && c.weightDecay >= 0, `${name} weight decay must be ≥ 0 (got ${c.weightDecay})`);
  f32(c.weightDecay, `${name} weight decay`);
  positive(c.damping, `${name} damping`);
}

/** Throws OptimizerConfigError naming the first setting out of range. */
export function validateKfac(c: KfacConfig): void {
  common(c, 'K-FAC');
  decayRate(c.factorDecay, 'K-FAC factor decay');
  check(
    Number.isSafeInteger(c.invEvery) && c.invEvery >= 1,
    `K-FAC inverse interval (invEvery) must be an integer ≥ 1 (got ${c.invEvery})`,
  );
  if (c.klClip !== null) positive(c.klClip, 'K-FAC KL clip (null turns it off)');
  check(
    (KFAC_FISHERS as readonly string[]).includes(c.fisher),
    `unknown K-FAC fisher '${String(c.fisher)}' (expected one of ${KFAC_FISHERS.join(', ')})`,
  );
  // The exact-GGN factor needs one backward pass per network output (784 on MNIST) per step: not cheap.
  check(
    c.fisher !== 'ggn',
    "K-FAC fisher 'ggn' is not implemented: the exact-GGN factor G needs one backward pass per network output each step; use 'sampled' (targets drawn from the model, K-FAC's definition)",
  );
}

export function validateNatural(c: NaturalConfig): void {
  common(c, 'natural-gradient');
}
