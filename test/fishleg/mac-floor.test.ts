/**
 * FishLeg's recorded matrix products against a floor computed here, independently of the code it bounds
 * (fishleg/cost.ts and the association choices in block-kron.ts): every chain of the math (P_R·Eᵀ·Ā·P_L for
 * Q·G, the sandwiches R·U·L, the three ways of forming ∂S/∂R and ∂S/∂L of docs/fishleg.md §5.5) is costed
 * over ALL its parenthesisations, enumerated exhaustively, and the cheapest algorithm taken. The count of the
 * recorded ops (m·n·k per matmul, the op definitions) must be at least that floor — the code cannot beat
 * the math — and at most 5 % above it, per layer and program, on wide and narrow layers and a batch below
 * min(m, p). A p³ product where p²·m ones do, a product computed twice or a missed association fails.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/backend.ts';
import { barsDataset } from '../../src/engine/data/bars.ts';
import type { Dataset } from '../../src/engine/data/dataset.ts';
import { toyDataset } from '../../src/engine/data/toy.ts';
import { FishLeg, type OpSegment } from '../../src/engine/fishleg/fishleg.ts';
import { kronPositions, kronShape } from '../../src/engine/layers/registry.ts';
import { defaultFishLeg, FISHLEG_APPROXES, type FishLegApprox } from '../../src/engine/optim/config.ts';
import type { Op } from '../../src/engine/ops.ts';
import { Trainer } from '../../src/engine/trainer.ts';

/** The cost of every full parenthesisation of M_1·…·M_k (M_i is dims[i−1] × dims[i]), by enumeration. */
function associationCosts(dims: readonly number[]): number[] {
  const k = dims.length - 1;
  if (k <= 1) return [0];
  const out: number[] = [];
  // The last product splits the chain at s: (M_1…M_s)(M_{s+1}…M_k).
  for (let s = 1; s < k; s++) {
    const left = associationCosts(dims.slice(0, s + 1));
    const right = associationCosts(dims.slice(s));
    const join = dims[0]! * dims[s]! * dims[k]!;
    for (const a of left) for (const b of right) out.push(a + b + join);
  }
  return out;
}

const cheapest = (dims: readonly number[]): number => Math.min(...associationCosts(dims));

/** Multiply-adds of the matrix products in a list of recorded ops (an m×k by k×n product costs m·n·k). */
function matmulMacs(ops: readonly Op[]): number {
  return ops.reduce((acc, op) => acc + (op.op === 'matmul' ? op.m * op.n * op.k : 0), 0);
}

/**
 * ∂S/∂R = (X + Xᵀ)·R with X = r·P_L·uᵀ (d×d; d the side of R, e the other side), by its three algorithms:
 * X once and two d³ products; X and Xᵀ as two chains and one d³ product; or W_u = Rᵀ·u·P_L and
 * W_r = Rᵀ·r·P_L (never d³), then r·W_uᵀ + u·W_rᵀ.
 */
function kronGradient(d: number, e: number): number {
  const x = cheapest([d, e, e, d]);
  const sym = x + 2 * cheapest([d, d, d]);
  const both = 2 * x + cheapest([d, d, d]);
  const outer = 2 * cheapest([d, d, e, e]) + 2 * cheapest([d, e, d]);
  return Math.min(sym, both, outer);
}

interface Floors {
  /** The step's Q·G. G = Eᵀ·Ā is the weight gradient the train pass forms for every optimizer, so it is given. */
  readonly step: number;
  /** The auxiliary update's per-layer products: v = Q·u, Q·r, ∇_λS. */
  readonly aux: number;
  /** The cache refresh after the update. */
  readonly refresh: number;
}

/** The floors of one m×p layer (p counts the bias column) at batch B, from the math of each approximation. */
function floors(approx: FishLegApprox, m: number, p: number, B: number): Floors {
  const sandwich = cheapest([m, m, p, p]); // P_R·U·P_L (or R·U·L) on a formed m×p matrix
  if (approx === 'kron-diag') {
    // Q·U = R(B²∘(Rᵀ(A∘U)L))Lᵀ: the elementwise factors force a formed U and two sandwiches.
    const q = 2 * sandwich;
    // ∇_λS: the r side of Q once more, then ∂S/∂R and ∂S/∂L as one stacked product each.
    const grad = q + cheapest([m, 2 * p, m]) + cheapest([p, 2 * m, p]);
    return { step: q, aux: q + q + grad, refresh: 0 };
  }
  const terms = approx === 'sum-kron' ? 2 : 1;
  // Each Kronecker term works on the formed G, or on the whole chain P_R·Eᵀ·Ā·P_L where a small batch makes that cheaper.
  const chain = cheapest([m, m, B, p, p]);
  const step = terms * Math.min(sandwich, chain);
  // u = G is dense unless the batch is below min(m, p), where its factored chain may win.
  const qu = terms * (B < Math.min(m, p) ? Math.min(sandwich, chain) : sandwich);
  const qr = terms * sandwich;
  const grad = terms * (kronGradient(m, p) + kronGradient(p, m));
  return { step, aux: qu + qr + grad, refresh: terms * (cheapest([m, m, m]) + cheapest([p, p, p])) };
}

/** Elements written by the recorded non-matrix ops (each writes one value per element it covers). */
function elementwise(ops: readonly Op[]): number {
  return ops.reduce((acc, op) => {
    if (op.op === 'matmul') return acc;
    return acc + ('n' in op ? op.n : 'rows' in op ? op.rows * op.cols : 0);
  }, 0);
}

/**
 * Elementwise passes per layer that the definitions require where they are fixed by them: Kron+diag's
 * Q(U) = A∘[R(B²∘(Rᵀ(A∘U)L))Lᵀ] takes three m·p products per application and its refresh one (B∘B); the
 * Kronecker forms need none (their sums fold into the products). ∇λS's elementwise terms are not bounded here.
 */
function elementwiseFloor(approx: FishLegApprox, m: number, p: number) {
  const q = approx === 'kron-diag' ? 3 * m * p : 0;
  return { 'Q·g': q, 'v = Q·u': q, 'Q·r': q, refresh: approx === 'kron-diag' ? m * p : 0 };
}

const sum = (segs: readonly OpSegment[], layer: number, pred: (part: string) => boolean): number =>
  segs.filter((s) => s.layer === layer && pred(s.part)).reduce((acc, s) => acc + matmulMacs(s.ops), 0);

describe('associationCosts', () => {
  it('enumerates every parenthesisation (Catalan many) with its cost', () => {
    expect(associationCosts([10, 30, 5, 60]).sort((a, b) => a - b)).toEqual([4500, 27000]);
    expect(associationCosts([2, 3, 4, 5, 6])).toHaveLength(5);
    expect(associationCosts([2, 3, 4, 5, 6, 7])).toHaveLength(14);
    expect(cheapest([4, 7])).toBe(0);
  });
});

describe.each(FISHLEG_APPROXES)('%s: recorded products against the independent floor', (approx) => {
  it.each([
    ['2-40r-3t-2', 8],
    ['2-12t-30r-2', 8],
    ['2-24t-24t-2', 32],
    // A conv layer's Kronecker rows are batch × output pixels (here 8·64 and 2·9), pooling has no parameters.
    ['8x8x1-c3k3p1r-mp2-f-2', 8],
    ['8x8x1-c6k3s3p1t-ap2-f-2', 2],
  ] as const)('%s, batch %i', (arch, batch) => {
    const backend = new CpuBackend({ precision: 'f32' });
    const data: Dataset = arch.includes('x')
      ? barsDataset({ n: 64, seed: 1 })
      : toyDataset('spiral', { n: 64, seed: 1 });
    const t = Trainer.create(backend, data, {
      arch,
      likelihood: 'categorical',
      optimizer: { ...defaultFishLeg(approx), preconditionAux: true },
      batch,
      seed: 1,
    });
    const fl = t.inverseFisher;
    if (!(fl instanceof FishLeg)) throw new Error('a FishLeg run has a FishLeg optimizer');
    const segs = fl.programSegments;
    t.layout.layers.forEach((layer, l) => {
      const { m, p } = kronShape(layer);
      if (m * p === 0) {
        const ops = [...segs.step, ...segs.aux].filter((x) => x.layer === l).flatMap((x) => x.ops);
        expect(ops, `layer ${l} has no parameters: no FishLeg ops`).toEqual([]);
        return;
      }
      const f = floors(approx, m, p, batch * kronPositions(layer));
      const counted = {
        step: sum(segs.step, l, () => true),
        aux: sum(segs.aux, l, (part) => part !== 'refresh'),
        refresh: sum(segs.aux, l, (part) => part === 'refresh'),
      };
      const ew = elementwiseFloor(approx, m, p);
      for (const [part, floor] of Object.entries(ew)) {
        const ops = [...segs.step, ...segs.aux].filter((x) => x.layer === l && x.part === part);
        expect(ops.length, `layer ${l} has a '${part}' segment`).toBeGreaterThan(0);
        // Each part once per program that has it: the step's Q·g, the update's Q·u, Q·r and refresh.
        for (const seg of ops) expect(elementwise(seg.ops), `layer ${l} ${part} elementwise`).toBe(floor);
      }
      for (const program of ['step', 'aux', 'refresh'] as const) {
        const what = `layer ${l} (${m}×${p}) ${program}: counted ${counted[program]}, floor ${f[program]}`;
        expect(counted[program], what).toBeGreaterThanOrEqual(f[program]);
        expect(counted[program], what).toBeLessThanOrEqual(1.05 * f[program]);
      }
    });
    t.dispose();
    backend.dispose();
  });
});
