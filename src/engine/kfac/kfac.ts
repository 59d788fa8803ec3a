/**
 * K-FAC (docs/kfac.md §1–§4) as recorded op lists. Per layer l with parameters, every step: running averages
 * A_l ← εA_l + (1−ε)ĀᵀĀ/B of the inputs (bias column included) and G_l ← εG_l + (1−ε)ẼᵀẼ/(B·T) of errors
 * backpropagated from targets drawn from the model, over the layer's Kronecker rows (layers/types.ts KronRows:
 * T = 1 position per example for a dense layer, one per output pixel for a conv layer, KFC §6); every
 * invEvery steps (and at step 0) the π-split damped inverses, exact on the CPU backend (Cholesky) and by
 * Newton–Schulz on WebGPU; then the step P_l = G_l⁻¹ ∇W̄_l A_l⁻¹, scaled by the KL clip ν (a device scalar)
 * and applied by the SGD kernel (momentum, weight decay). Layers without parameters (pooling) are skipped.
 * With the Levenberg–Marquardt rule (docs/kfac.md §4.1) the damping λ lives on the device and is adapted every
 * LM_EVERY steps from the reduction ratio of the step just taken. Nothing is read back.
 */
import type { Program } from '../backend.ts';
import { withScratch, type Arena } from '../curvature/arena.ts';
import { layerKronRows } from '../curvature/fisher.ts';
import { axpby, coef, gemm, scale } from '../curvature/op-builders.ts';
import { kronShape } from '../layers/registry.ts';
import { backwardOps, forwardOps, inputStride, outputGradOps, ropOps, Workspace } from '../model/passes.ts';
import { SGD_HYPER, SGD_LAYOUT } from '../hyper.ts';
import type { Coef, Op } from '../ops.ts';
import { validateOptimizer, type OptimizerConfig } from '../optim/config.ts';
import type { DenseLayerInverse, Optimizer, TrainingContext } from '../optim/optimizer.ts';
import { expectTensors, kindMismatch, readTensors, type OptimizerState } from '../optim/state.ts';
import { Stream } from '../rng.ts';
import { slice, type Tensor } from '../tensor.ts';
import type { KfacConfig } from './spec.ts';
import { dampedInverseOps } from './newton-schulz.ts';

/** Live settings read through Coef refs: √κ, 1/η, and η, μ and weight decay (the step δ of the LM rule). */
const H = { sqrtKl: 0, invLr: 1, lr: 2, momentum: 3, weightDecay: 4 } as const;
const HYPER_SIZE = 5;
/** Added to traces and to η²gᵀPg so that a zero factor or gradient gives finite scalars. */
const TINY = 1e-30;

/** Martens & Grosse's T₁: the damping is adapted after every LM_EVERY-th step. */
export const LM_EVERY = 5;
/** Their ω₁ = (19/20)^T₁: λ ← ω₁λ when the quadratic model predicted the step well, λ/ω₁ when badly. */
export const LM_OMEGA = (19 / 20) ** LM_EVERY;
/** λ stays in [LM_MIN, LM_MAX], so that a long run of good (or bad) steps cannot take it out of float32. */
export const LM_MIN = 1e-8;
export const LM_MAX = 1e4;
/**
 * The ratio thresholds are tested on the device as min(1, LM_SHARPNESS · relu(x)): 1 for x > 1e-6, 0 for
 * x ≤ 0 (ρ within 1e-6 of a threshold moves λ part of the way).
 */
const LM_SHARPNESS = 1e6;

/** Whether the damping is adapted after step `step` (the LM rule on): steps T₁−1, 2T₁−1, … */
export function isDampingStep(step: number): boolean {
  return step % LM_EVERY === LM_EVERY - 1;
}

/** Where one layer's factors sit in the flat factor (and inverse) buffers. */
interface LayerFactors {
  /** The layer's index in the model's layout. */
  readonly index: number;
  readonly m: number;
  readonly p: number;
  readonly aOffset: number;
  readonly gOffset: number;
}

/** A layer's damped inverse factors on the host: F_l⁻¹ ≈ G⁻¹ ⊗ A⁻¹ over row-major vec(W̄_l) (m×p). */
export interface KfacLayerInverse {
  readonly m: number;
  readonly p: number;
  /** (A + π√γ I)⁻¹, p×p. */
  readonly aInv: Float64Array;
  /** (G + √γ/π I)⁻¹, m×m. */
  readonly gInv: Float64Array;
}

interface Programs {
  readonly statsFirst: Program;
  readonly stats: Program;
  readonly invert: Program;
  readonly apply: Program;
  /** The step with the Levenberg–Marquardt adaptation of λ after it (recorded only with the rule on). */
  readonly applyAdapt: Program | null;
}

/** Whether step `step` recomputes the inverses: step 0 and every invEvery steps. */
export function isInverseStep(step: number, invEvery: number): boolean {
  return step % invEvery === 0;
}

export class Kfac implements Optimizer {
  private readonly layers: readonly LayerFactors[];
  private readonly factors: Tensor;
  private readonly inverses: Tensor;
  private readonly eye: Tensor;
  private readonly eyeOffset = new Map<number, number>();
  /** Errors of targets drawn from the model, on a copy of the training batch. */
  private readonly sample: Workspace;
  private readonly counter: Tensor;
  private readonly dir: Tensor;
  private readonly mom: Tensor;
  private readonly sgdHyper: Tensor;
  /** η with no momentum or weight decay: the LM step hands the SGD kernel the whole u = μm + νP + wd θ. */
  private readonly sgdStepHyper: Tensor;
  private readonly hyper: Tensor;
  /**
   * Per layer tr A, tr G; then the named scalars of SCALARS: the clip's η²gᵀPg, 1 − s, relu(1 − s) and ν,
   * the Newton–Schulz norm, the constant 1, the damping λ and the LM rule's terms.
   */
  private readonly scalars: Tensor;
  private readonly sIndex: Record<ScalarName, number>;
  private programs: Programs | null = null;
  private scratch: Tensor | null = null;
  private disposed = false;

  constructor(
    private readonly ctx: TrainingContext,
    public config: KfacConfig,
  ) {
    validateOptimizer(config);
    const { backend, layout, batch } = ctx;
    let off = 0;
    // A layer without parameters (pooling) has no Fisher block: it gets no factors, inverses or step.
    this.layers = layout.layers.flatMap((l, index) => {
      if (l.size === 0) return [];
      const { m, p } = kronShape(l);
      const f = { index, m, p, aOffset: off, gOffset: off + p * p };
      off += p * p + m * m;
      return [f];
    });
    this.factors = backend.alloc(off, 'kfac.factors');
    this.inverses = backend.alloc(off, 'kfac.inverses');
    const dims = [...new Set(this.layers.flatMap((l) => [l.m, l.p]))];
    let eyeSize = 0;
    for (const d of dims) {
      this.eyeOffset.set(d, eyeSize);
      eyeSize += d * d;
    }
    this.eye = backend.alloc(eyeSize, 'kfac.eye');
    const eyes = new Float32Array(eyeSize);
    for (const d of dims) for (let i = 0; i < d; i++) eyes[this.eyeOffset.get(d)! + i * d + i] = 1;
    backend.write(this.eye, eyes);
    this.sample = new Workspace(backend, layout, batch, 'kfac.sample');
    this.counter = backend.alloc(1, 'kfac.drawCounter', 'u32');
    const n = ctx.params.size;
    this.dir = backend.alloc(n, 'kfac.direction');
    this.mom = backend.alloc(n, 'kfac.momentum');
    this.sgdHyper = backend.alloc(SGD_HYPER, 'kfac.sgdHyper');
    this.sgdStepHyper = backend.alloc(SGD_HYPER, 'kfac.sgdStepHyper');
    this.hyper = backend.alloc(HYPER_SIZE, 'kfac.hyper');
    const L = this.layers.length;
    this.sIndex = Object.fromEntries(SCALARS.map((name, i) => [name, 2 * L + i])) as Record<ScalarName, number>;
    this.scalars = backend.alloc(2 * L + SCALARS.length, 'kfac.scalars');
    backend.write(this.sc(this.sIndex.one), [1]);
    this.writeHyper();
    this.writeDamping();
    this.record();
  }

  stepPrograms(step: number): readonly Program[] {
    this.assertLive();
    const p = this.programs!;
    const { backend, batch } = this.ctx;
    backend.write(this.counter, [(step * batch * this.sample.outDim) % 2 ** 32]);
    const stats = step === 0 ? p.statsFirst : p.stats;
    const apply = p.applyAdapt !== null && isDampingStep(step) ? p.applyAdapt : p.apply;
    return isInverseStep(step, this.config.invEvery) ? [stats, p.invert, apply] : [stats, apply];
  }

  /**
   * η, μ, wd, γ, κ (while set), invEvery and the damping rule change live; the factor decay, turning the KL
   * clip on or off and the damping rule re-record the programs (nothing else is lost). A new γ restarts the
   * adapted λ from it; other changes leave λ where the rule has taken it.
   */
  update(config: OptimizerConfig): void {
    this.assertLive();
    if (config.kind !== 'kfac') throw new Error(`cannot change a K-FAC run into ${config.kind}`);
    validateOptimizer(config);
    const old = this.config;
    this.config = config;
    this.writeHyper();
    if (old.damping !== config.damping || old.dampingRule !== config.dampingRule) this.writeDamping();
    if (needsRecord(old, config)) this.record();
  }

  /** The damping the next inverse refresh uses: γ itself, or where the Levenberg–Marquardt rule has taken it. */
  async currentDamping(): Promise<number> {
    this.assertLive();
    const [lambda] = await this.ctx.backend.read(this.sc(this.sIndex.lambda));
    return lambda!;
  }

  /** The momentum, the factors and their inverses, and the device scalars (ν, traces). */
  async saveState(): Promise<OptimizerState> {
    this.assertLive();
    const config = this.config;
    const named = { momentum: this.mom, factors: this.factors, inverses: this.inverses, scalars: this.scalars };
    return { config, tensors: await readTensors(this.ctx.backend, named), counters: {} };
  }

  loadState(state: OptimizerState): void {
    this.assertLive();
    const c = state.config;
    if (c.kind !== 'kfac') throw kindMismatch(state, 'kfac');
    validateOptimizer(c);
    const t = expectTensors(state, {
      momentum: this.mom.size,
      factors: this.factors.size,
      inverses: this.inverses.size,
      scalars: this.scalars.size - (state.tensors.scalars?.length === this.legacyScalars ? LM_SCALARS : 0),
    });
    const old = this.config;
    this.config = c;
    this.writeHyper();
    const { backend } = this.ctx;
    backend.write(this.mom, t.momentum);
    backend.write(this.factors, t.factors);
    backend.write(this.inverses, t.inverses);
    // A record saved before the damping rule existed has no λ slots: λ starts at the config's γ.
    const scalars =
      t.scalars.length === this.legacyScalars
        ? [...t.scalars, c.damping, c.damping, ...new Array<number>(LM_SCALARS - 2).fill(0)]
        : t.scalars;
    backend.write(this.scalars, scalars);
    if (needsRecord(old, c)) this.record();
  }

  /** The length of a scalars tensor saved before the LM slots (after the traces and the clip's six). */
  private get legacyScalars(): number {
    return this.scalars.size - LM_SCALARS;
  }

  /** Layer l's current damped inverse factors (one readback), for views and tests. */
  async layerInverse(l: number): Promise<KfacLayerInverse> {
    this.assertLive();
    const f = this.factorsOf(l);
    const [a, g] = await Promise.all([
      this.ctx.backend.read(slice(this.inverses, f.aOffset, f.p * f.p)),
      this.ctx.backend.read(slice(this.inverses, f.gOffset, f.m * f.m)),
    ]);
    return { m: f.m, p: f.p, aInv: Float64Array.from(a), gInv: Float64Array.from(g) };
  }

  /** The Inside view's capability (optim/optimizer.ts): layer l's Ĝ⁻¹ ⊗ Â⁻¹, dense. */
  async denseLayerInverse(l: number): Promise<DenseLayerInverse> {
    const f = await this.layerInverse(l);
    // Under the LM rule the inverses were formed with λ at their refresh (a float32 device value).
    const damping =
      this.config.dampingRule === 'fixed'
        ? this.config.damping
        : (await this.ctx.backend.read(this.sc(this.sIndex.lambdaInv)))[0]!;
    return { label: 'K-FAC (Ĝ ⊗ Â)⁻¹', damping, matrix: denseLayerInverse(f) };
  }

  /** Layer l's running factors A (p×p) and G (m×m) before damping (one readback), for tests. */
  async layerFactors(l: number): Promise<{ a: Float64Array; g: Float64Array }> {
    this.assertLive();
    const f = this.factorsOf(l);
    const [a, g] = await Promise.all([
      this.ctx.backend.read(slice(this.factors, f.aOffset, f.p * f.p)),
      this.ctx.backend.read(slice(this.factors, f.gOffset, f.m * f.m)),
    ]);
    return { a: Float64Array.from(a), g: Float64Array.from(g) };
  }

  /** The factors of layer l of the layout; throws for a layer that does not exist or has no parameters. */
  private factorsOf(l: number): LayerFactors {
    const layers = this.ctx.layout.layers;
    if (!layers[l]) throw new RangeError(`layer ${l} does not exist (the model has ${layers.length})`);
    const f = this.layers.find((x) => x.index === l);
    if (!f) throw new RangeError(`layer ${l} (${layers[l].kind}) has no parameters, so K-FAC keeps no factors for it`);
    return f;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releasePrograms();
    this.sample.dispose();
    const { backend } = this.ctx;
    for (const t of [
      this.factors,
      this.inverses,
      this.eye,
      this.counter,
      this.dir,
      this.mom,
      this.sgdHyper,
      this.sgdStepHyper,
      this.hyper,
      this.scalars,
    ])
      backend.free(t);
  }

  private writeHyper(): void {
    const c = this.config;
    const { backend } = this.ctx;
    backend.write(this.sgdHyper, SGD_LAYOUT.pack({ lr: c.lr, momentum: c.momentum, weight_decay: c.weightDecay }));
    backend.write(this.sgdStepHyper, SGD_LAYOUT.pack({ lr: c.lr, momentum: 0, weight_decay: 0 }));
    const hyper = new Array<number>(HYPER_SIZE);
    hyper[H.sqrtKl] = Math.sqrt(c.klClip ?? 1);
    hyper[H.invLr] = 1 / c.lr;
    hyper[H.lr] = c.lr;
    hyper[H.momentum] = c.momentum;
    hyper[H.weightDecay] = c.weightDecay;
    backend.write(this.hyper, hyper);
  }

  /** λ ← γ: at the start, and when γ or the rule is set. */
  private writeDamping(): void {
    this.ctx.backend.write(this.sc(this.sIndex.lambda), [this.config.damping]);
  }

  private releasePrograms(): void {
    const { backend } = this.ctx;
    if (this.programs) {
      for (const p of Object.values(this.programs) as (Program | null)[]) if (p) backend.release(p);
      this.programs = null;
    }
    if (this.scratch) {
      backend.free(this.scratch);
      this.scratch = null;
    }
  }

  private record(): void {
    this.releasePrograms();
    const { backend } = this.ctx;
    const eps = this.config.factorDecay;
    const { result, scratch } = withScratch(backend, 'kfac.scratch', (arena) => ({
      statsFirst: this.statsOps(0),
      stats: this.statsOps(eps),
      invert: this.invertOps(arena),
      apply: this.applyOps(arena, false),
      applyAdapt: this.config.dampingRule === 'levenberg-marquardt' ? this.applyOps(arena, true) : null,
    }));
    this.scratch = scratch;
    this.programs = {
      statsFirst: backend.record('kfac.stats0', result.statsFirst),
      stats: backend.record('kfac.stats', result.stats),
      invert: backend.record('kfac.invert', result.invert),
      apply: backend.record('kfac.apply', result.apply),
      applyAdapt: result.applyAdapt && backend.record('kfac.applyAdapt', result.applyAdapt),
    };
  }

  private sc(i: number): Tensor {
    return slice(this.scalars, i, 1);
  }

  private eyeOf(d: number): Tensor {
    return slice(this.eye, this.eyeOffset.get(d)!, d * d);
  }

  /**
   * Targets drawn from the model at the batch's outputs, backpropagated (a copy of the batch's forward pass
   * in its own workspace, so the training errors stay as the backward pass left them); then the factors.
   */
  private statsOps(eps: number): Op[] {
    const { params, grads, ws, batch: B, likelihood: lik, sigma, seed, layout } = this.ctx;
    const sw = this.sample;
    const p0 = inputStride(layout.layers[0]!);
    const ops: Op[] = [
      scale(B * p0, 1, slice(ws.a[0]!, 0, B * p0), slice(sw.a[0]!, 0, B * p0)),
      ...forwardOps(sw, params, B),
      {
        op: 'draw',
        lik,
        rows: B,
        cols: sw.outDim,
        mu: sw.mu,
        sigma,
        seed,
        stream: Stream.kfacDraw,
        counter: this.counter,
        sample: sw.y,
      },
      ...outputGradOps(sw, lik, sigma, B),
      ...backwardOps(sw, params, grads, B, 1, 0, new Set(layout.layers.map((_, l) => l))),
    ];
    // A from the training pass's rows, G from the sampled pass's errors (the same forward pass, so the same
    // patches). A conv layer has T positions per example: A sums over them per example, G averages (KFC).
    for (const f of this.layers) {
      const train = layerKronRows(ws, f.index, B)!;
      const drawn = layerKronRows(sw, f.index, B)!;
      const a = slice(this.factors, f.aOffset, f.p * f.p);
      const g = slice(this.factors, f.gOffset, f.m * f.m);
      ops.push(
        gemm('tn', f.p, f.p, train.rows, train.a, train.a, a, (1 - eps) / B, eps),
        gemm('tn', f.m, f.m, drawn.rows, drawn.e, drawn.e, g, (1 - eps) / (B * drawn.positions), eps),
      );
    }
    return ops;
  }

  /**
   * Whether the damped factors are inverted exactly (Cholesky, the CPU backend) or by Newton–Schulz (WebGPU,
   * where a run of matmuls is the fast path and a sequential factorisation has no kernel).
   */
  get exactInverses(): boolean {
    return this.ctx.backend.name === 'cpu';
  }

  /** π_l = √((tr A/p)/(tr G/m)); A + π√γ I and G + √γ/π I inverted exactly (CPU) or by Newton–Schulz (WebGPU). */
  private invertOps(arena: Arena): Op[] {
    const ops: Op[] = [scale(1, 1, this.sc(this.sIndex.lambda), this.sc(this.sIndex.lambdaInv))];
    const sqrtGamma = { t: this.sc(this.sIndex.lambda), power: 0.5 as const };
    this.layers.forEach((f, l) => {
      // l counts the layers with factors (their traces' slots), not the layout's layers.
      const trA = this.sc(2 * l);
      const trG = this.sc(2 * l + 1);
      const a = slice(this.factors, f.aOffset, f.p * f.p);
      const g = slice(this.factors, f.gOffset, f.m * f.m);
      ops.push(
        { op: 'fill', n: 2, value: TINY, out: slice(this.scalars, 2 * l, 2) },
        { op: 'reduce', kind: 'dot', n: f.p * f.p, x: a, y: this.eyeOf(f.p), scale: 1, accumulate: true, out: trA },
        { op: 'reduce', kind: 'dot', n: f.m * f.m, x: g, y: this.eyeOf(f.m), scale: 1, accumulate: true, out: trG },
      );
      const cA: Coef = coef(Math.sqrt(f.m / f.p), { t: trA, power: 0.5 }, { t: trG, power: -0.5 }, sqrtGamma);
      const cG: Coef = coef(Math.sqrt(f.p / f.m), { t: trA, power: -0.5 }, { t: trG, power: 0.5 }, sqrtGamma);
      const aOut = slice(this.inverses, f.aOffset, f.p * f.p);
      const gOut = slice(this.inverses, f.gOffset, f.m * f.m);
      if (this.exactInverses) {
        ops.push(
          { op: 'spdInverse', d: f.p, m: a, c: cA, out: aOut },
          { op: 'spdInverse', d: f.m, m: g, c: cG, out: gOut },
        );
        return;
      }
      const norm = this.sc(this.sIndex.norm);
      ops.push(
        ...dampedInverseOps({ d: f.p, m: a, c: cA, eye: this.eyeOf(f.p), out: aOut, norm }, arena),
        ...dampedInverseOps({ d: f.m, m: g, c: cG, eye: this.eyeOf(f.m), out: gOut, norm }, arena),
      );
    });
    return ops;
  }

  /**
   * P_l = G⁻¹ ∇W̄_l A⁻¹; ν = min(1, √κ/(η√(gᵀP))) = 1 − relu(1 − s) on the device; then SGD on νP. With
   * `adapt`, the Levenberg–Marquardt rule's model of the step before it and the damping's update after it.
   */
  private applyOps(arena: Arena, adapt: boolean): Op[] {
    const { grads, params, layout } = this.ctx;
    const n = params.size;
    const ops: Op[] = [];
    arena.scoped(() => {
      const width = Math.max(...this.layers.map((f) => f.m * f.p));
      const tmp = arena.take(width);
      for (const f of this.layers) {
        const layer = layout.layers[f.index]!;
        const t = slice(tmp, 0, f.m * f.p);
        ops.push(
          gemm(
            'nn',
            f.m,
            f.p,
            f.m,
            slice(this.inverses, f.gOffset, f.m * f.m),
            slice(grads, layer.offset, layer.size),
            t,
          ),
          gemm(
            'nn',
            f.m,
            f.p,
            f.p,
            t,
            slice(this.inverses, f.aOffset, f.p * f.p),
            slice(this.dir, layer.offset, layer.size),
          ),
        );
      }
    });
    if (this.config.klClip !== null) {
      const s = this.sIndex;
      const hy = (i: number) => ({ t: slice(this.hyper, i, 1), power: 1 as const });
      const one = this.sc(s.one);
      ops.push(
        { op: 'fill', n: 1, value: TINY, out: this.sc(s.vg) },
        { op: 'reduce', kind: 'dot', n, x: this.dir, y: grads, scale: 1, accumulate: true, out: this.sc(s.vg) },
        // t = 1 − √κ/(η√(gᵀP)); r = max(0, t); ν = 1 − r.
        axpby(1, 1, one, coef(-1, hy(H.sqrtKl), hy(H.invLr), { t: this.sc(s.vg), power: -0.5 }), one, this.sc(s.t)),
        { op: 'actForward', act: 'relu', rows: 1, cols: 1, s: this.sc(s.t), out: this.sc(s.r), ldOut: 1 },
        axpby(1, 1, one, -1, this.sc(s.r), this.sc(s.nu)),
        scale(n, coef(1, { t: this.sc(s.nu), power: 1 }), this.dir, this.dir),
      );
    }
    if (!adapt) {
      ops.push({ op: 'sgd', n, param: params, grad: this.dir, mom: this.mom, hyper: this.sgdHyper });
      return ops;
    }
    ops.push(
      ...this.stepModelOps(),
      // m ← u and θ ← θ − ηu: the same update as the kernel's μm + νP + wd θ, from the u already formed.
      { op: 'sgd', n, param: params, grad: this.dir, mom: this.mom, hyper: this.sgdStepHyper },
      ...this.dampingUpdateOps(),
    );
    return ops;
  }

  /**
   * Before the SGD kernel moves θ: the step it will take, δ = −η u with u = μ m + νP + wd θ (the kernel's own
   * formula), written into the direction buffer, and the terms of the quadratic model of the batch loss h
   * along it, M(δ) = gᵀδ + ½ δᵀ(F + λI)δ with F the batch's Fisher (the R-op J u on the sampling workspace,
   * which holds the forward pass at θ), and h(θ) from the training pass's outputs.
   */
  private stepModelOps(): Op[] {
    const { params, grads, ws, batch: B, likelihood: lik, sigma } = this.ctx;
    const sw = this.sample;
    const n = params.size;
    const s = this.sIndex;
    const u = this.dir;
    const hy = (i: number) => ({ t: slice(this.hyper, i, 1), power: 1 as const });
    const out = sw.outDim;
    return [
      axpby(n, coef(1, hy(H.momentum)), this.mom, 1, u, u),
      axpby(n, 1, u, coef(1, hy(H.weightDecay)), params, u),
      { op: 'fill', n: 1, value: 0, out: this.sc(s.gu) },
      { op: 'reduce', kind: 'dot', n, x: grads, y: u, scale: 1, accumulate: true, out: this.sc(s.gu) },
      { op: 'fill', n: 1, value: 0, out: this.sc(s.uu) },
      { op: 'reduce', kind: 'sumsq', n, x: u, scale: 1, accumulate: true, out: this.sc(s.uu) },
      ...ropOps(sw, params, u, B),
      { op: 'fisherOutput', lik, rows: B, cols: out, mu: sw.mu, v: sw.dmu, sigma, scale: 1, out: sw.gout },
      { op: 'fill', n: 1, value: 0, out: this.sc(s.uFu) },
      {
        op: 'reduce',
        kind: 'dot',
        n: B * out,
        x: slice(sw.dmu, 0, B * out),
        y: slice(sw.gout, 0, B * out),
        scale: 1 / B,
        accumulate: true,
        out: this.sc(s.uFu),
      },
      ...this.batchLossOps(slice(ws.mu, 0, B * out), s.h0),
    ];
  }

  /** scalar ← (1/B) Σᵢ nllᵢ of the training batch's targets at outputs `mu`. */
  private batchLossOps(mu: Tensor, into: number): Op[] {
    const { ws, batch: B, likelihood: lik, sigma } = this.ctx;
    const sw = this.sample;
    const cols = sw.outDim;
    const y = slice(ws.y, 0, B * cols);
    return [
      { op: 'nll', lik, rows: B, cols, mu, y, sigma, perExample: sw.perExample },
      { op: 'fill', n: 1, value: 0, out: this.sc(into) },
      {
        op: 'reduce',
        kind: 'sum',
        n: B,
        x: slice(sw.perExample, 0, B),
        scale: 1 / B,
        accumulate: true,
        out: this.sc(into),
      },
    ];
  }

  /**
   * After the step: h(θ + δ) on the same batch, ρ = (h(θ + δ) − h(θ)) / M(δ), and Martens & Grosse's rule
   * λ ← ω₁λ if ρ > ¾, λ/ω₁ if ρ < ¼ (a step the model cannot explain, uphill included, raises λ), clamped
   * to [LM_MIN, LM_MAX]. Every branch is arithmetic on device scalars: min(1, k·relu(x)) is the indicator.
   */
  private dampingUpdateOps(): Op[] {
    const { params, batch: B } = this.ctx;
    const sw = this.sample;
    const s = this.sIndex;
    const sc = (i: number) => this.sc(i);
    const ref = (i: number, power: 1 | -1 = 1) => ({ t: sc(i), power });
    const lr = { t: slice(this.hyper, H.lr, 1), power: 1 as const };
    const one = sc(s.one);
    const relu = (x: number, outIndex: number): Op => ({
      op: 'actForward',
      act: 'relu',
      rows: 1,
      cols: 1,
      s: sc(x),
      out: sc(outIndex),
      ldOut: 1,
    });
    /** sc(into) = 1 if sc(x) > 0 else 0 (up to the 1e-6 ramp), via scratch slot `tmp`. */
    const indicator = (x: number, into: number): Op[] => [
      relu(x, s.tmp),
      axpby(1, 1, one, -LM_SHARPNESS, sc(s.tmp), sc(s.tmp)),
      relu(s.tmp, s.tmp),
      axpby(1, 1, one, -1, sc(s.tmp), sc(into)),
    ];
    return [
      ...forwardOps(sw, params, B),
      ...this.batchLossOps(slice(sw.mu, 0, B * sw.outDim), s.h1),
      // M = −η gᵀu + ½η² (uᵀFu + λ uᵀu).
      axpby(1, coef(-1, lr), sc(s.gu), coef(0.5, lr, lr), sc(s.uFu), sc(s.model)),
      axpby(1, 1, sc(s.model), coef(0.5, lr, lr, ref(s.lambda)), sc(s.uu), sc(s.model)),
      { op: 'fill', n: 1, value: -TINY, out: sc(s.tmp) },
      axpby(1, 1, sc(s.model), 1, sc(s.tmp), sc(s.model)),
      axpby(1, coef(1, ref(s.model, -1)), sc(s.h1), coef(-1, ref(s.model, -1)), sc(s.h0), sc(s.rho)),
      // hi = [ρ > ¾], lo = [ρ < ¼].
      axpby(1, 1, sc(s.rho), -0.75, one, sc(s.hi)),
      ...indicator(s.hi, s.hi),
      axpby(1, -1, sc(s.rho), 0.25, one, sc(s.lo)),
      ...indicator(s.lo, s.lo),
      // λ ← λ (1 + (ω−1) hi)(1 + (1/ω − 1) lo), then clamped.
      axpby(1, 1, one, LM_OMEGA - 1, sc(s.hi), sc(s.hi)),
      axpby(1, 1, one, 1 / LM_OMEGA - 1, sc(s.lo), sc(s.lo)),
      scale(1, coef(1, ref(s.hi), ref(s.lo)), sc(s.lambda), sc(s.lambda)),
      // max(λ, MIN) = λ + relu(MIN − λ) and min(λ, MAX) = λ − relu(λ − MAX): exact while λ is inside (the
      // forms MIN + relu(λ − MIN) and MAX − relu(MAX − λ) would round λ to float32's spacing at MAX).
      axpby(1, -1, sc(s.lambda), LM_MIN, one, sc(s.tmp)),
      relu(s.tmp, s.tmp),
      axpby(1, 1, sc(s.lambda), 1, sc(s.tmp), sc(s.lambda)),
      axpby(1, 1, sc(s.lambda), -LM_MAX, one, sc(s.tmp)),
      relu(s.tmp, s.tmp),
      axpby(1, 1, sc(s.lambda), -1, sc(s.tmp), sc(s.lambda)),
    ];
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this K-FAC optimizer has been disposed');
  }
}

/**
 * (G⁻¹ ⊗ A⁻¹) as a dense (m·p)×(m·p) matrix over row-major vec(W̄_l): K-FAC's inverse-Fisher block of the
 * layer, in the order FishLeg's views use ([i·p + j] for W̄[i, j]).
 */
export function denseLayerInverse(f: KfacLayerInverse): Float64Array {
  const { m, p, aInv, gInv } = f;
  const d = m * p;
  const out = new Float64Array(d * d);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const g = gInv[i * m + k]!;
      if (g === 0) continue;
      for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) out[(i * p + j) * d + k * p + l] = g * aInv[j * p + l]!;
    }
  return out;
}

/** The named device scalars after the per-layer traces (kfac.scalars). */
const SCALARS = [
  'vg',
  't',
  'r',
  'nu',
  'norm',
  'one',
  // The damping: γ, or where the Levenberg–Marquardt rule has taken it; and the value the inverses in use
  // were formed with (λ at the last refresh).
  'lambda',
  'lambdaInv',
  // The LM rule: gᵀu, uᵀu, uᵀFu, h(θ), h(θ + δ), M(δ), ρ, the two indicators and a scratch slot.
  'gu',
  'uu',
  'uFu',
  'h0',
  'h1',
  'model',
  'rho',
  'hi',
  'lo',
  'tmp',
] as const;
type ScalarName = (typeof SCALARS)[number];
/** The slots from 'lambda' on, which records saved before the damping rule lack. */
const LM_SCALARS = SCALARS.length - SCALARS.indexOf('lambda');

/** Whether a config change alters the recorded programs' structure (not only values read through refs). */
function needsRecord(old: KfacConfig, next: KfacConfig): boolean {
  return (
    old.factorDecay !== next.factorDecay ||
    (old.klClip === null) !== (next.klClip === null) ||
    old.dampingRule !== next.dampingRule
  );
}
