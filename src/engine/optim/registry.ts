/**
 * The optimizer registry: for every kind of optimizer.config.ts's catalog, the class that trains with it.
 * This module may import every optimizer (none imports it back), which keeps optimizer.ts, fishleg.ts and
 * the next optimizer's module free of each other. A kind without an entry here fails to compile.
 */
import { FishLeg } from '../fishleg/fishleg.ts';
import { Kfac } from '../kfac/kfac.ts';
import { NaturalGradient } from '../kfac/natural.ts';
import { validateOptimizer, type ConfigOf, type OptimizerConfig, type OptimizerKind } from './config.ts';
import { Adam, Sgd, type Optimizer, type TrainingContext } from './optimizer.ts';

type Factories = { readonly [K in OptimizerKind]: (ctx: TrainingContext, config: ConfigOf<K>) => Optimizer };

const CREATE: Factories = {
  sgd: (ctx, c) => new Sgd(ctx, c),
  adam: (ctx, c) => new Adam(ctx, c),
  adamw: (ctx, c) => new Adam(ctx, c),
  fishleg: (ctx, c) => new FishLeg(ctx, c),
  kfac: (ctx, c) => new Kfac(ctx, c),
  natural: (ctx, c) => new NaturalGradient(ctx, c),
};

/** Validates the settings, allocates the optimizer's state and records its update. */
export function createOptimizer(ctx: TrainingContext, config: OptimizerConfig): Optimizer {
  validateOptimizer(config);
  const create = CREATE[config.kind] as (ctx: TrainingContext, config: OptimizerConfig) => Optimizer;
  return create(ctx, config);
}
