/**
 * The registry of inverse-Fisher structures, the flat λ layout over all layers, and the host-side
 * conversion used when switching structure mid-training (docs/fishleg.md §9): carry R, L (and A, B)
 * where the new structure can represent them, keep trace(Q_l) per layer, add a small second term for
 * sum-of-Kron.
 */
import { kronShape } from '../layers/registry.ts';
import type { ParamLayout } from '../model/mlp.ts';
import { slice, type Tensor } from '../tensor.ts';
import { blockKron } from './block-kron.ts';
import { hostTraceQ } from './host-q.ts';
import { kronDiag } from './kron-diag.ts';
import { smallRandomTerm, sumKron } from './sum-kron.ts';
import type { ApproxImpl, HostLambda, KronTerm, LayerShape, LayerState, FishLegApprox } from './types.ts';

export const APPROX: Readonly<Record<FishLegApprox, ApproxImpl>> = {
  'block-kron': blockKron,
  'kron-diag': kronDiag,
  'sum-kron': sumKron,
};

/** Where each layer's λ and cache live inside the flat buffers. */
export interface LambdaLayout {
  readonly shapes: readonly LayerShape[];
  readonly lamOffsets: readonly number[];
  readonly cacheOffsets: readonly number[];
  readonly lamTotal: number;
  readonly cacheTotal: number;
}

export function layerShapes(layout: ParamLayout): LayerShape[] {
  return layout.layers.map(kronShape);
}

export function lambdaLayout(impl: ApproxImpl, layout: ParamLayout): LambdaLayout {
  const shapes = layerShapes(layout);
  const lamOffsets: number[] = [];
  const cacheOffsets: number[] = [];
  let lam = 0;
  let cache = 0;
  for (const s of shapes) {
    lamOffsets.push(lam);
    cacheOffsets.push(cache);
    lam += impl.lambdaSize(s);
    cache += impl.cacheSize(s);
  }
  return { shapes, lamOffsets, cacheOffsets, lamTotal: lam, cacheTotal: cache };
}

/** Views of layer l inside flat λ and cache buffers. */
export function layerState(impl: ApproxImpl, ll: LambdaLayout, lam: Tensor, cache: Tensor, l: number): LayerState {
  const shape = ll.shapes[l]!;
  return {
    shape,
    lam: slice(lam, ll.lamOffsets[l]!, impl.lambdaSize(shape)),
    cache: slice(cache, ll.cacheOffsets[l]!, impl.cacheSize(shape)),
  };
}

function scaleTerms(terms: readonly KronTerm[], c: number): KronTerm[] {
  return terms.map(({ R, L }) => ({ R: R.map((x) => x * c), L: L.map((x) => x * c) }));
}

/** Multiplies every factor by (target/trace)^¼, so that trace(Q) becomes `target`. */
function withTrace(h: HostLambda, s: LayerShape, target: number): HostLambda {
  const tr = hostTraceQ(h, s);
  if (!(tr > 0) || !(target > 0)) return h;
  const c = Math.pow(target / tr, 0.25);
  return { ...h, terms: scaleTerms(h.terms, c) };
}

/** The term with the larger trace (sum-of-Kron → a single-term structure keeps it). */
function largerTerm(h: HostLambda, s: LayerShape): KronTerm {
  let best = h.terms[0]!;
  let bestTr = -1;
  for (const t of h.terms) {
    const tr = hostTraceQ({ terms: [t] }, s);
    if (tr > bestTr) {
      best = t;
      bestTr = tr;
    }
  }
  return best;
}

/**
 * λ of one layer converted from structure `from` to `to` (docs/fishleg.md §9): block-Kron → Kron+diag is
 * exact (A = B = 1); → sum-of-Kron keeps the term and adds a small random one; → a single-term structure
 * keeps R, L of the larger term. Every result is rescaled so that trace(Q_l) is unchanged.
 */
export function convertLambda(
  h: HostLambda,
  from: FishLegApprox,
  to: FishLegApprox,
  s: LayerShape,
  normal: () => number,
): HostLambda {
  if (from === to) return h;
  const trace = hostTraceQ(h, s);
  const main = largerTerm(h, s);
  const mp = s.m * s.p;
  let out: HostLambda;
  switch (to) {
    case 'block-kron':
      out = { terms: [main] };
      break;
    case 'kron-diag':
      out = { terms: [main], A: new Float64Array(mp).fill(1), B: new Float64Array(mp).fill(1) };
      if (from === 'block-kron') return out; // the same Q exactly
      break;
    case 'sum-kron':
      out = { terms: [main, smallRandomTerm(s, trace / mp, normal)] };
      break;
    default:
      return to satisfies never;
  }
  return withTrace(out, s, trace);
}
