/**
 * The FishLeg optimizer (docs/fishleg.md §5–§7, §9) as recorded op lists over flat buffers. Every step:
 * m ← βm + (1−β)·Q(λ)g, θ ← θ − η(m + wd·θ). Every K steps (not at step 0), before that: one auxiliary
 * update of λ by Adam on the surrogate ⟨r, Q(λ)u⟩, with F·v on a fresh auxiliary batch; none at all while
 * α = 0 (Q frozen at Q₀). Scalars such as ‖v‖·‖u‖ stay on the device (Coef refs); live hyperparameters sit
 * in a small hyper tensor.
 */
import type { Program } from '../backend.ts';
import { ADAM_HYPER, ADAM_LAYOUT } from '../hyper.ts';
import type { Op } from '../ops.ts';
import { validateOptimizer, type OptimizerConfig } from '../optim/config.ts';
import type { InverseFisherView, Optimizer, TrainingContext } from '../optim/optimizer.ts';
import { OptimizerConfigError } from '../optim/schema.ts';
import {
  expectCounters,
  expectTensors,
  kindMismatch,
  OptimizerStateError,
  readTensors,
  type OptimizerState,
} from '../optim/state.ts';
import { Rng, Stream } from '../rng.ts';
import { slice, type Tensor } from '../tensor.ts';
import { withScratch, type Arena } from '../curvature/arena.ts';
import { APPROX, convertLambda, lambdaLayout, layerState, type LambdaLayout } from './approx.ts';
import { FisherProduct, layerKronRows } from '../curvature/fisher.ts';
import { kronPositions } from '../layers/registry.ts';
import { axpby, coef, scale } from '../curvature/op-builders.ts';
import { FISHLEG_APPROXES, fishLegInitScale, fishLegLearnsQ, type FishLegApprox, type FishLegConfig } from './spec.ts';
import { factoredIsCheaper, type ApproxImpl, type HostLambda } from './types.ts';

/** Layout of FishLeg's own hyper tensor, read only here through Coef refs (written by the host on update()). */
const H = { beta: 0, oneMinusBeta: 1, negLr: 2, decay: 3, gamma: 4, halfGamma: 5 } as const;
const HYPER_SIZE = Object.keys(H).length;
/**
 * Layout of the device scalars: ‖v‖², ‖u‖², ½vᵀF_γv − uᵀv, Q's fitted scale s (1 until fitScale fits it),
 * vᵀF_γv (scratch of the fit), and the auxiliary-loss accumulator.
 */
const S = { vv: 0, uu: 1, half: 2, qScale: 3, vfv: 4, auxAcc: 5 } as const;
const SCALARS = 6;
/** Added to ‖v‖² and ‖u‖² so that a zero gradient gives r = 0 instead of 0/0. */
const TINY = 1e-30;
/** Adam on λ (docs/fishleg.md §5). */
const AUX_BETA1 = 0.9;
const AUX_BETA2 = 0.999;
const AUX_EPS = 1e-8;

/** Whether step `step` (0-based) starts with an auxiliary update: every K steps, never at step 0. */
export function isAuxStep(step: number, auxEvery: number): boolean {
  return step > 0 && step % auxEvery === 0;
}

interface Programs {
  /** Null while Q is frozen (α = 0): nothing is recorded for an update that never runs. */
  readonly aux: Program | null;
  readonly step: Program;
  readonly refresh: Program;
}

/** A run of consecutive ops of one program: what it computes and for which layer (null: the whole model). */
export interface OpSegment {
  readonly part: string;
  readonly layer: number | null;
  readonly ops: readonly Op[];
}

/** The recorded programs as segments, in program order (cost counts, docs/benchmarks.md §5). */
export interface ProgramSegments {
  readonly aux: readonly OpSegment[];
  readonly step: readonly OpSegment[];
  readonly refresh: readonly OpSegment[];
}

const flat = (segs: readonly OpSegment[]): Op[] => segs.flatMap((s) => s.ops);

/** λ and everything shaped like it; replaced as a whole when the structure switches. */
interface LambdaState {
  readonly impl: ApproxImpl;
  readonly ll: LambdaLayout;
  readonly lam: Tensor;
  readonly grad: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
  readonly cache: Tensor;
}

export class FishLeg implements Optimizer, InverseFisherView {
  private lambda: LambdaState;
  /** The auxiliary batch's Fisher product; null while Q is frozen (α = 0). */
  private fisher: FisherProduct | null;
  private programs: Programs | null = null;
  private segments: ProgramSegments | null = null;
  private scratch: Tensor | null = null;
  private readonly mom: Tensor;
  private readonly qg: Tensor;
  private readonly vec: Tensor;
  private readonly r: Tensor;
  private readonly scalars: Tensor;
  private readonly hyper: Tensor;
  private readonly auxHyper: Tensor;
  /** Auxiliary updates since λ's Adam state (re)started: Adam's t. */
  private auxUpdates = 0;
  /** Auxiliary updates summed in the device's auxAcc scalar since readAuxLoss last reset it. */
  private auxSinceRead = 0;
  /** stepPrograms calls so far: tells a switch whether λ changed while it was being read. */
  private stepCalls = 0;
  /** Switches so far: each draws sum-of-Kron's random term from its own counters. */
  private switches = 0;
  /** Layers whose dense gradient ordinary steps read (cached; reset when the programs are re-recorded). */
  private denseLayers: ReadonlySet<number> | null = null;
  private switching: Promise<void> | null = null;
  private disposed = false;

  constructor(
    private readonly ctx: TrainingContext,
    public config: FishLegConfig,
  ) {
    validateOptimizer(config);
    const { backend } = ctx;
    const n = ctx.params.size;
    this.mom = backend.alloc(n, 'fishleg.momentum');
    this.qg = backend.alloc(n, 'fishleg.qg');
    this.vec = backend.alloc(n, 'fishleg.v');
    this.r = backend.alloc(n, 'fishleg.r');
    this.scalars = backend.alloc(SCALARS, 'fishleg.scalars');
    this.hyper = backend.alloc(HYPER_SIZE, 'fishleg.hyper');
    this.auxHyper = backend.alloc(ADAM_HYPER, 'fishleg.auxAdamHyper');
    backend.write(slice(this.scalars, S.qScale, 1), [1]);
    this.writeHyper();
    this.fisher = fishLegLearnsQ(config) ? new FisherProduct(ctx, this.auxRows(config), config.fisher) : null;
    const impl = APPROX[config.approx];
    const ll = lambdaLayout(impl, ctx.layout);
    const init = new Float64Array(ll.lamTotal);
    const rng = new Rng(ctx.seed, Stream.fishlegInit);
    const s = fishLegInitScale(config);
    ll.shapes.forEach((shape, l) => {
      init.set(
        impl.pack(
          impl.init(shape, s, () => rng.normal()),
          shape,
        ),
        ll.lamOffsets[l],
      );
    });
    this.lambda = this.allocLambda(impl, ll, init);
    this.record();
  }

  /** The op lists of the programs as recorded, by part and layer. */
  get programSegments(): ProgramSegments {
    this.assertLive();
    return this.segments!;
  }

  /** The approximation in use. */
  get approx(): FishLegApprox {
    return this.config.approx;
  }

  /** γ, the damping of the Fisher Q approximates the inverse of. */
  get damping(): number {
    return this.config.damping;
  }

  /** FishLeg's λ is the learned inverse Fisher the Inside views show. */
  get inverseFisher(): InverseFisherView {
    return this;
  }

  /**
   * Whether step `step` starts with an auxiliary update: every K steps (not at 0), and at step 0 too when
   * fitScale sets Q's scale from the first gradient; never while Q is frozen.
   */
  private auxAt(step: number): boolean {
    return this.fisher !== null && (isAuxStep(step, this.config.auxEvery) || (step === 0 && this.config.fitScale));
  }

  /**
   * Programs for step `step`: [auxiliary update, parameter step] every K steps (not at 0) while Q learns,
   * else [parameter step].
   */
  stepPrograms(step: number): readonly Program[] {
    this.assertLive();
    const p = this.programs!;
    this.stepCalls++;
    if (!this.auxAt(step) || !p.aux) return [p.step];
    this.fisher!.prepare(step);
    const t = ++this.auxUpdates;
    this.ctx.backend.write(
      this.auxHyper,
      ADAM_LAYOUT.pack({
        lr: this.config.auxLr,
        beta1: AUX_BETA1,
        beta2: AUX_BETA2,
        eps: AUX_EPS,
        weight_decay: 0,
        decoupled: 0,
        bc1: 1 - AUX_BETA1 ** t,
        bc2: 1 - AUX_BETA2 ** t,
      }),
    );
    this.ctx.backend.write(slice(this.scalars, S.vv, 2), [TINY, TINY]);
    this.auxSinceRead++;
    return [p.aux, p.step];
  }

  /** Every layer on auxiliary steps (u is the dense gradient); otherwise only layers without a factored Q·G. */
  gradientLayers(step: number): ReadonlySet<number> | 'all' {
    if (this.auxAt(step)) return 'all';
    // The same Set object every ordinary step (until a switch re-records), so the trainer's lookup is cheap.
    this.denseLayers ??= new Set(this.ctx.layout.layers.map((_, l) => l).filter((l) => !this.usesFactored(l)));
    return this.denseLayers;
  }

  /** Whether layer l's parameter step applies Q to E_l and Ā_l (its batch·positions Kronecker rows) instead of the dense gradient. */
  private usesFactored(l: number): boolean {
    const { impl } = this.lambda;
    const layer = this.ctx.layout.layers[l]!;
    const rows = this.ctx.batch * kronPositions(layer);
    return impl.qFactoredOps !== null && rows > 0 && factoredIsCheaper(this.layer(l).shape, rows, impl.terms);
  }

  /**
   * Changes hyperparameters live. η, β, wd, γ and α need no re-recording, except α to or from 0 (freezing
   * or unfreezing Q adds or drops the auxiliary program and its Fisher product); the auxiliary batch size,
   * the estimator and preconditionAux re-record the auxiliary program. initScale only matters at creation.
   * The approximation changes through switchApprox().
   */
  update(config: OptimizerConfig): void {
    this.assertLive();
    if (config.kind !== 'fishleg') throw new Error(`cannot change a FishLeg run into ${config.kind}`);
    validateOptimizer(config);
    if (config.approx !== this.config.approx) {
      throw new OptimizerConfigError(
        `the approximation changes with switchApprox('${config.approx}'), not update() (current: ${this.config.approx})`,
      );
    }
    const old = this.config;
    this.config = config;
    this.writeHyper();
    const rerecord = this.syncFisher() || old.fitScale !== config.fitScale;
    if (rerecord || (this.fisher && old.preconditionAux !== config.preconditionAux)) this.record();
  }

  /**
   * Makes the Fisher product match the settings: none while Q is frozen, else one of the auxiliary batch's
   * rows and the chosen estimator. Returns whether it changed (the auxiliary program must be re-recorded).
   */
  private syncFisher(): boolean {
    const c = this.config;
    const f = this.fisher;
    const want = fishLegLearnsQ(c);
    if (f && want && f.rows === this.auxRows(c) && f.estimator === c.fisher) return false;
    if (!f && !want) return false;
    f?.dispose();
    this.fisher = want ? new FisherProduct(this.ctx, this.auxRows(c), c.fisher) : null;
    return true;
  }

  /**
   * Mean auxiliary loss A = (½vᵀF_γv − uᵀv)/‖u‖² over the auxiliary updates since the last call, or null if
   * there were none. One readback.
   */
  async readAuxLoss(): Promise<number | null> {
    this.assertLive();
    if (this.auxSinceRead === 0) return null;
    const count = this.auxSinceRead;
    const acc = slice(this.scalars, S.auxAcc, 1);
    const v = await this.ctx.backend.read(acc);
    this.ctx.backend.write(acc, [0]);
    this.auxSinceRead = 0;
    return v[0]! / count;
  }

  /**
   * Switches the inverse-Fisher structure (docs/fishleg.md §9); the next step submitted after the promise
   * resolves uses it. θ, the momentum and the step count are kept; λ is carried over where the new
   * structure can represent it, with trace(Q_l) preserved per layer; Adam's state on λ restarts.
   * One readback of λ.
   */
  async switchApprox(approx: FishLegApprox): Promise<void> {
    this.assertLive();
    if (!(FISHLEG_APPROXES as readonly string[]).includes(approx)) {
      throw new OptimizerConfigError(
        `unknown FishLeg approximation '${String(approx)}' (expected one of ${FISHLEG_APPROXES.join(', ')})`,
      );
    }
    while (this.switching) await this.switching;
    if (approx === this.config.approx) return;
    this.switching = this.doSwitch(approx);
    try {
      await this.switching;
    } finally {
      this.switching = null;
    }
  }

  /** λ of every layer in host form (views, tests). One readback. */
  async hostLambda(): Promise<{ approx: FishLegApprox; layers: HostLambda[] }> {
    const { impl, ll } = this.lambda;
    const data = await this.ctx.backend.read(this.lambda.lam);
    const layers = ll.shapes.map((shape, l) =>
      impl.unpack(data.subarray(ll.lamOffsets[l], ll.lamOffsets[l]! + impl.lambdaSize(shape)), shape),
    );
    return { approx: impl.name, layers };
  }

  /**
   * θ's momentum, λ with its Adam moments, the auxiliary-loss accumulator, the counters and the settings
   * (the current approximation included). Waits for a switch in flight; the reads then go out together.
   */
  async saveState(): Promise<OptimizerState> {
    this.assertLive();
    while (this.switching) await this.switching;
    const { lam, m, v } = this.lambda;
    const config = this.config;
    const counters = { auxUpdates: this.auxUpdates, auxSinceRead: this.auxSinceRead, switches: this.switches };
    const named = { momentum: this.mom, lambda: lam, lambdaAdamM: m, lambdaAdamV: v, scalars: this.scalars };
    return { config, tensors: await readTensors(this.ctx.backend, named), counters };
  }

  /**
   * Loads a saved state. A different approximation re-allocates λ for its structure; the programs are
   * re-recorded where the settings they bake in differ, and the caches are refreshed from the loaded λ.
   */
  loadState(state: OptimizerState): void {
    this.assertLive();
    if (this.switching)
      throw new OptimizerStateError('cannot load a FishLeg state while the approximation is switching');
    const c = state.config;
    if (c.kind !== 'fishleg') throw kindMismatch(state, 'fishleg');
    validateOptimizer(c);
    const sameApprox = c.approx === this.config.approx;
    const impl = APPROX[c.approx];
    const ll = sameApprox ? this.lambda.ll : lambdaLayout(impl, this.ctx.layout);
    const lamSize = Math.max(1, ll.lamTotal);
    const t = expectTensors(state, {
      momentum: this.mom.size,
      lambda: lamSize,
      lambdaAdamM: lamSize,
      lambdaAdamV: lamSize,
      scalars: SCALARS,
    });
    const counters = expectCounters(state, ['auxUpdates', 'auxSinceRead', 'switches']);
    // Everything fits: only now change anything.
    const old = this.config;
    this.config = c;
    this.writeHyper();
    let rerecord = this.syncFisher() || old.preconditionAux !== c.preconditionAux || old.fitScale !== c.fitScale;
    const { backend } = this.ctx;
    if (sameApprox) {
      backend.write(this.lambda.lam, t.lambda);
    } else {
      this.releasePrograms();
      this.freeLambda(this.lambda);
      this.lambda = this.allocLambda(impl, ll, t.lambda);
      rerecord = true;
    }
    backend.write(this.lambda.m, t.lambdaAdamM);
    backend.write(this.lambda.v, t.lambdaAdamV);
    backend.write(this.mom, t.momentum);
    backend.write(this.scalars, t.scalars);
    this.auxUpdates = counters.auxUpdates;
    this.auxSinceRead = counters.auxSinceRead;
    this.switches = counters.switches;
    // Both paths run the refresh program after the writes above, so the cached factors match the loaded λ.
    if (rerecord) this.record();
    else backend.run(this.programs!.refresh);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releasePrograms();
    this.freeLambda(this.lambda);
    this.fisher?.dispose();
    const { backend } = this.ctx;
    for (const t of [this.mom, this.qg, this.vec, this.r, this.scalars, this.hyper, this.auxHyper]) backend.free(t);
  }

  private async doSwitch(to: FishLegApprox): Promise<void> {
    const { backend, layout, seed } = this.ctx;
    let data: Float32Array | Float64Array | Uint32Array;
    let seen: number;
    do {
      seen = this.stepCalls;
      data = await backend.read(this.lambda.lam);
    } while (seen !== this.stepCalls); // steps submitted meanwhile may have updated λ: read again
    this.assertLive();
    const old = this.lambda;
    const from = old.impl.name;
    const impl = APPROX[to];
    const ll = lambdaLayout(impl, layout);
    const packed = new Float64Array(ll.lamTotal);
    // Fresh counters on the init stream for the small random term of sum-of-Kron.
    const rng = new Rng(seed, Stream.fishlegInit, ++this.switches * 2 ** 32);
    ll.shapes.forEach((shape, l) => {
      const h = old.impl.unpack(
        data.subarray(old.ll.lamOffsets[l], old.ll.lamOffsets[l]! + old.impl.lambdaSize(shape)),
        shape,
      );
      packed.set(
        impl.pack(
          convertLambda(h, from, to, shape, () => rng.normal()),
          shape,
        ),
        ll.lamOffsets[l],
      );
    });
    this.releasePrograms();
    this.freeLambda(old);
    this.lambda = this.allocLambda(impl, ll, packed);
    this.config = { ...this.config, approx: to };
    this.auxUpdates = 0;
    this.record();
  }

  private auxRows(c: FishLegConfig): number {
    return c.auxBatch ?? this.ctx.batch;
  }

  private writeHyper(): void {
    const c = this.config;
    const h = new Array<number>(HYPER_SIZE);
    h[H.beta] = c.beta;
    h[H.oneMinusBeta] = 1 - c.beta;
    h[H.negLr] = -c.lr;
    h[H.decay] = 1 - c.lr * c.weightDecay;
    h[H.gamma] = c.damping;
    h[H.halfGamma] = 0.5 * c.damping;
    this.ctx.backend.write(this.hyper, h);
  }

  private allocLambda(impl: ApproxImpl, ll: LambdaLayout, init: ArrayLike<number>): LambdaState {
    const { backend } = this.ctx;
    const n = Math.max(1, ll.lamTotal);
    const st: LambdaState = {
      impl,
      ll,
      lam: backend.alloc(n, `fishleg.${impl.name}.lambda`),
      grad: backend.alloc(n, `fishleg.${impl.name}.lambdaGrad`),
      m: backend.alloc(n, `fishleg.${impl.name}.adamM`),
      v: backend.alloc(n, `fishleg.${impl.name}.adamV`),
      cache: backend.alloc(Math.max(1, ll.cacheTotal), `fishleg.${impl.name}.cache`),
    };
    backend.write(st.lam, init);
    return st;
  }

  private freeLambda(st: LambdaState): void {
    for (const t of [st.lam, st.grad, st.m, st.v, st.cache]) this.ctx.backend.free(t);
  }

  private releasePrograms(): void {
    const { backend } = this.ctx;
    if (this.programs) {
      for (const p of [this.programs.aux, this.programs.step, this.programs.refresh]) if (p) backend.release(p);
      this.programs = null;
    }
    if (this.scratch) {
      backend.free(this.scratch);
      this.scratch = null;
    }
  }

  /** (Re)records every program over one shared scratch, then refreshes the caches from λ. */
  private record(): void {
    this.denseLayers = null;
    this.releasePrograms();
    const { backend } = this.ctx;
    const { result, scratch } = withScratch(backend, 'fishleg.scratch', (arena) => ({
      aux: this.fisher ? this.auxOps(arena, this.fisher) : [],
      step: this.stepOps(arena),
      refresh: this.refreshOps(),
    }));
    this.scratch = scratch;
    this.segments = result;
    this.programs = {
      aux: this.fisher ? backend.record('fishleg.aux', flat(result.aux)) : null,
      step: backend.record('fishleg.step', flat(result.step)),
      refresh: backend.record('fishleg.refresh', flat(result.refresh)),
    };
    backend.run(this.programs.refresh);
  }

  private layer(l: number) {
    const { impl, ll, lam, cache } = this.lambda;
    return layerState(impl, ll, lam, cache, l);
  }

  /**
   * out = Q(λ)·u per layer. When u is the batch gradient (`isBatchGrad`), structures with a factored form
   * use E_l and Ā_l of the train workspace where that is cheaper than the dense product.
   */
  private qOps(
    part: string,
    u: Tensor,
    out: Tensor,
    arena: Arena,
    isBatchGrad: boolean,
    keep: readonly (Tensor | undefined)[] = [],
  ): OpSegment[] {
    const { impl } = this.lambda;
    const { ws, batch } = this.ctx;
    return this.ctx.layout.layers.map((layer, l) => {
      const st = this.layer(l);
      const o = slice(out, layer.offset, layer.size);
      const rows = isBatchGrad && impl.qFactoredOps && this.usesFactored(l) ? layerKronRows(ws, l, batch) : null;
      const ops =
        layer.size === 0
          ? [] // no parameters (pooling): nothing to precondition
          : rows && impl.qFactoredOps
            ? impl.qFactoredOps(st, { e: rows.e, a: rows.a, rows: rows.rows, scale: 1 / batch }, o, arena)
            : impl.qDenseOps(st, slice(u, layer.offset, layer.size), o, arena, keep[l]);
      return { part, layer: l, ops };
    });
  }

  private refreshOps(): OpSegment[] {
    const { impl } = this.lambda;
    return this.ctx.layout.layers.map((layer, l) => ({
      part: 'refresh',
      layer: l,
      ops: layer.size === 0 ? [] : impl.refreshOps(this.layer(l)),
    }));
  }

  /** m ← βm + (1−β)·s·Q g (s = 1 unless fitScale);  θ ← (1 − η·wd)·θ − η·m (docs/fishleg.md §6). */
  private stepOps(arena: Arena): OpSegment[] {
    const { params, grads } = this.ctx;
    const n = params.size;
    const hy = (i: number) => ({ t: slice(this.hyper, i, 1), power: 1 as const });
    const newPart = this.config.fitScale
      ? coef(1, hy(H.oneMinusBeta), { t: slice(this.scalars, S.qScale, 1), power: 1 })
      : coef(1, hy(H.oneMinusBeta));
    return [
      ...this.qOps('Q·g', grads, this.qg, arena, true),
      {
        part: 'momentum and θ',
        layer: null,
        ops: [
          axpby(n, coef(1, hy(H.beta)), this.mom, newPart, this.qg, this.mom),
          axpby(n, coef(1, hy(H.decay)), params, coef(1, hy(H.negLr)), this.mom, params),
        ],
      },
    ];
  }

  /**
   * The auxiliary update (docs/fishleg.md §5), then the caches refreshed from the new λ. ‖v‖² and ‖u‖²
   * accumulate onto the 10⁻³⁰ the host writes with each update (stepPrograms), so no fill dispatch; r starts
   * as γv − u and the Fisher product's last products add F·v into it, so F·v never needs a buffer or a pass
   * of its own, and ½vᵀF_γv − uᵀv = ½vᵀ(F_γv − u) − ½uᵀv comes from two reductions onto one scalar.
   */
  private auxOps(arena: Arena, fisher: FisherProduct): OpSegment[] {
    return arena.scoped(() => this.auxOpsWithin(arena, fisher));
  }

  private auxOpsWithin(arena: Arena, fisher: FisherProduct): OpSegment[] {
    const { grads: u, params } = this.ctx;
    const n = params.size;
    const { impl, lam, grad, m, v: adamV, ll } = this.lambda;
    const v = this.vec;
    const r = this.r;
    const sc = (i: number) => slice(this.scalars, i, 1);
    const hy = (i: number) => ({ t: slice(this.hyper, i, 1), power: 1 as const });
    // 1/v_norm = ‖v‖⁻¹‖u‖⁻¹ as device-scalar refs.
    const invNorm = [
      { t: sc(S.vv), power: -0.5 as const },
      { t: sc(S.uu), power: -0.5 as const },
    ];
    // What v = Q·u leaves for ∇λS (Kron+diag), in scratch held for the whole update: only where v is dense.
    const keep = this.ctx.layout.layers.map((_, l) => {
      const size = impl.keepSize?.(ll.shapes[l]!) ?? 0;
      const dense = !(impl.qFactoredOps && this.usesFactored(l));
      return size > 0 && dense ? arena.take(size) : undefined;
    });
    const segs: OpSegment[] = [
      ...this.qOps('v = Q·u', u, v, arena, true, keep),
      {
        part: 'norms, r = γv − u',
        layer: null,
        ops: [
          { op: 'reduce', kind: 'sumsq', n, x: v, scale: 1, accumulate: true, out: sc(S.vv) },
          { op: 'reduce', kind: 'sumsq', n, x: u, scale: 1, accumulate: true, out: sc(S.uu) },
          axpby(n, coef(1, hy(H.gamma)), v, -1, u, r),
        ],
      },
      { part: 'F·v', layer: null, ops: fisher.ops(v, r, arena, true) },
      {
        // A = (½vᵀFv + ½γ‖v‖² − uᵀv)/‖u‖², accumulated for readAuxLoss; then r ← (F v + γ v − u)/v_norm.
        part: 'aux loss, r / v_norm',
        layer: null,
        ops: [
          { op: 'reduce', kind: 'dot', n, x: v, y: r, scale: 0.5, accumulate: false, out: sc(S.half) },
          { op: 'reduce', kind: 'dot', n, x: u, y: v, scale: -0.5, accumulate: true, out: sc(S.half) },
          axpby(1, 1, sc(S.auxAcc), coef(1, { t: sc(S.uu), power: -1 }), sc(S.half), sc(S.auxAcc)),
          ...(this.config.fitScale ? this.fitScaleOps(n, u, v, r) : []),
          scale(n, coef(1, ...invNorm), r, r),
        ],
      },
    ];
    if (this.config.preconditionAux) {
      segs.push(...this.qOps('Q·r', r, this.qg, arena, false), {
        part: 'Q·r / v_norm',
        layer: null,
        ops: [scale(n, coef(1, ...invNorm), this.qg, r)],
      });
    }
    this.ctx.layout.layers.forEach((layer, l) => {
      if (layer.size === 0) return;
      const st = this.layer(l);
      const g = slice(grad, ll.lamOffsets[l]!, impl.lambdaSize(st.shape));
      segs.push({
        part: '∇λ',
        layer: l,
        ops: impl.gradOps(
          st,
          slice(r, layer.offset, layer.size),
          slice(u, layer.offset, layer.size),
          g,
          arena,
          keep[l],
        ),
      });
    });
    segs.push({
      part: 'Adam on λ',
      layer: null,
      ops: [{ op: 'adam', n: Math.max(1, ll.lamTotal), param: lam, grad, m, v: adamV, hyper: this.auxHyper }],
    });
    segs.push(...this.refreshOps());
    return segs;
  }

  /**
   * s = uᵀv / vᵀF_γv with v = Q(λ)u: the minimiser over c of the auxiliary loss ½c²vᵀF_γv − c·uᵀv of c·Q(λ)
   * along u (docs/fishleg.md §7.2). Q(λ) and F_γ are positive definite, so s > 0. Runs while r = F_γv − u.
   */
  private fitScaleOps(n: number, u: Tensor, v: Tensor, r: Tensor): Op[] {
    const sc = (i: number) => slice(this.scalars, i, 1);
    return [
      { op: 'reduce', kind: 'dot', n, x: u, y: v, scale: 1, accumulate: false, out: sc(S.qScale) },
      { op: 'reduce', kind: 'dot', n, x: v, y: r, scale: 1, accumulate: false, out: sc(S.vfv) },
      axpby(1, 1, sc(S.vfv), 1, sc(S.qScale), sc(S.vfv)),
      scale(1, coef(1, { t: sc(S.vfv), power: -1 }), sc(S.qScale), sc(S.qScale)),
    ];
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this FishLeg optimizer has been disposed');
  }
}
