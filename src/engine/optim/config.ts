/**
 * The catalog of optimizers as plain data (serialisable for the CLI, the URL and the worker protocol): one
 * OptimizerSpec per optimizer module (settings, defaults, labels; optim/schema.ts), and everything derived
 * from the list: the config union, the kinds, labels, defaults and validation. Adding an optimizer adds its
 * spec to OPTIMIZER_SPECS (and its class to optim/registry.ts); nothing here names one.
 */
import { ADAM_SPEC, SGD_SPEC } from './first-order-spec.ts';
import { FISHLEG_SPEC } from '../fishleg/spec.ts';
import { KFAC_SPEC, NATURAL_SPEC } from '../kfac/spec.ts';
import { OptimizerConfigError, settingsOf, validateWith, type KeyedSetting, type OptimizerSpec } from './schema.ts';

export {
  F32_BELOW_ONE,
  F32_MAX,
  F32_MIN_NORMAL,
  isFloat32Normal,
  OptimizerConfigError,
  type OptimizerSpec,
} from './schema.ts';
export type { AdamConfig, SgdConfig } from './first-order-spec.ts';
// FishLeg's own names, re-exported for the many callers that imported them from here.
export {
  defaultFishLeg,
  FISHER_ESTIMATORS,
  FISHLEG_APPROXES,
  fishLegInitScale,
  fishLegLearnsQ,
  type FisherEstimator,
  type FishLegApprox,
  type FishLegConfig,
} from '../fishleg/spec.ts';

/** Every optimizer's spec, in the order menus, flags and the README list them. */
export const OPTIMIZER_SPECS = [SGD_SPEC, ADAM_SPEC, FISHLEG_SPEC, KFAC_SPEC, NATURAL_SPEC] as const;

type SpecConfig<S> = S extends OptimizerSpec<infer C> ? C : never;
export type OptimizerConfig = SpecConfig<(typeof OPTIMIZER_SPECS)[number]>;
export type OptimizerKind = OptimizerConfig['kind'];
/** The config of one kind (AdamConfig for 'adamw' too). */
export type ConfigOf<K extends OptimizerKind> = OptimizerConfig extends infer C
  ? C extends { readonly kind: infer CK }
    ? K extends CK
      ? C
      : never
    : never
  : never;

export const OPTIMIZER_KINDS: readonly OptimizerKind[] = OPTIMIZER_SPECS.flatMap((s) => s.kinds);

const SPEC_OF = new Map<string, OptimizerSpec>(
  OPTIMIZER_SPECS.flatMap((s) => s.kinds.map((k) => [k, s as unknown as OptimizerSpec] as const)),
);

export const isOptimizerKind = (k: unknown): k is OptimizerKind => typeof k === 'string' && SPEC_OF.has(k);

/** The spec of a kind (throws OptimizerConfigError for an unknown one). */
export function specOf(kind: OptimizerKind): OptimizerSpec {
  const s = SPEC_OF.get(kind);
  if (!s)
    throw new OptimizerConfigError(`unknown optimizer '${String(kind)}' (expected ${OPTIMIZER_KINDS.join(', ')})`);
  return s;
}

/** A kind's settings with their config keys, in schema order. */
export const settingsOfKind = (kind: OptimizerKind): readonly KeyedSetting[] => settingsOf(specOf(kind));

export const OPTIMIZER_LABELS: Readonly<Record<OptimizerKind, string>> = Object.fromEntries(
  OPTIMIZER_SPECS.flatMap((s) => Object.entries(s.labels as Readonly<Record<string, string>>)),
) as Record<OptimizerKind, string>;

/** An optimizer's defaults (each spec says where they come from). */
export function defaultOptimizer(kind: OptimizerKind): OptimizerConfig {
  return specOf(kind).defaults(kind) as OptimizerConfig;
}

/** Why `kind` cannot train a model of `params` parameters (its spec's maxParams), or null when it can. */
export function modelRefusal(kind: OptimizerKind, params: number): string | null {
  const max = specOf(kind).maxParams;
  return max !== undefined && params > max
    ? `${OPTIMIZER_LABELS[kind]} is for models of at most ${max.toLocaleString('en')} parameters; this one has ${params.toLocaleString('en')}`
    : null;
}

/** Whether runs of `kind` have a learned inverse Fisher to look inside (FishLeg). */
export const hasInverseFisher = (kind: OptimizerKind): boolean => specOf(kind).inverseFisher === true;

/**
 * The new value of the setting that changes by a structure switch (FishLeg's approximation) when `to`
 * changes it from `from` (same kind), else null: that change goes through Trainer.switchApprox, not update.
 */
export function switchedValue(from: OptimizerConfig, to: OptimizerConfig): string | null {
  if (from.kind !== to.kind) return null;
  const a = from as unknown as Readonly<Record<string, unknown>>;
  const b = to as unknown as Readonly<Record<string, unknown>>;
  const s = settingsOfKind(to.kind).find((x) => x.live === 'switch' && a[x.key] !== b[x.key]);
  return s ? String(b[s.key]) : null;
}

/**
 * A config read back from storage with every setting it lacks taken from the kind's defaults: a setting added
 * after the record was saved (K-FAC's damping rule) keeps the behaviour the record was made with only where
 * the default is that behaviour, which each new setting's default is chosen to be.
 */
export function withDefaultsForMissing(c: OptimizerConfig): OptimizerConfig {
  const values = c as unknown as Readonly<Record<string, unknown>>;
  const defaults = defaultOptimizer(c.kind) as unknown as Readonly<Record<string, unknown>>;
  const missing = settingsOfKind(c.kind).filter((s) => !(s.key in values));
  if (missing.length === 0) return c;
  return { ...c, ...Object.fromEntries(missing.map((s) => [s.key, defaults[s.key]])) };
}

/** Throws OptimizerConfigError, naming the setting and the allowed range, when a setting is out of range. */
export function validateOptimizer(c: OptimizerConfig): void {
  validateWith(specOf(c.kind), c);
}
