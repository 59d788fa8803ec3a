/**
 * Sizes of the Fisher product's buffers from the layout alone, shared by fisher.ts and the memory estimate
 * (a module of its own so that the optimizer specs need not import the product and its config types).
 */
import { kronPositions, kronShape } from '../layers/registry.ts';
import type { ParamLayout } from '../model/mlp.ts';

/** The widest of m, p and the positions over a net's layers: the row of ones the products broadcast with. */
export function onesWidth(layout: ParamLayout): number {
  return Math.max(1, ...layout.layers.map((l) => Math.max(kronShape(l).m, kronShape(l).p, kronPositions(l))));
}

/** The most Kronecker rows per example over a net's layers, and the widest side (m or p) of any layer. */
export function sampledShape(layout: ParamLayout): { positions: number; width: number } {
  return {
    positions: Math.max(1, ...layout.layers.map(kronPositions)),
    width: Math.max(...layout.layers.map(kronShape).map(({ m, p }) => Math.max(m, p))),
  };
}

/** Scratch of the sampled product on `rows` examples (memory.ts): c, its per-position copy and the row products. */
export function sampledScratch(layout: ParamLayout, rows: number): number {
  const { positions, width } = sampledShape(layout);
  return rows + (positions > 1 ? rows * positions : 0) + rows * positions * width;
}
