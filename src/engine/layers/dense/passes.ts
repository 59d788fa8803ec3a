/**
 * A dense layer's pass pieces as op lists. W̄ = [W | b] is m×(n+1) row-major (bias last, docs/fishleg.md §2) and
 * the input Ā carries a ones column, so S = Ā W̄ᵀ includes the bias and G = scale·Eᵀ Ā its gradient.
 */
import type { Op } from '../../ops.ts';
import { slice, type Tensor } from '../../tensor.ts';
import type { LayerLayout, LayerOps } from '../types.ts';

/** out (+)= input · W̄ᵀ: rows×(n+1) inputs (ones column included) times m×(n+1) weights. */
function forward(layer: LayerLayout, rows: number, input: Tensor, weights: Tensor, out: Tensor, beta: 0 | 1): Op[] {
  return [
    {
      op: 'matmul',
      layout: 'nt',
      m: rows,
      n: layer.m,
      k: layer.n + 1,
      a: input,
      lda: layer.n + 1,
      b: slice(weights, layer.offset, layer.size),
      ldb: layer.n + 1,
      c: out,
      ldc: layer.m,
      alpha: 1,
      beta,
    },
  ];
}

/** G (+)= scale · Eᵀ Ā. */
function weightGrad(
  layer: LayerLayout,
  rows: number,
  e: Tensor,
  input: Tensor,
  grads: Tensor,
  scale: number,
  beta: number,
): Op[] {
  return [
    {
      op: 'matmul',
      layout: 'tn',
      m: layer.m,
      n: layer.n + 1,
      k: rows,
      a: e,
      lda: layer.m,
      b: input,
      ldb: layer.n + 1,
      c: slice(grads, layer.offset, layer.size),
      ldc: layer.n + 1,
      alpha: scale,
      beta,
    },
  ];
}

/** dĀ = E W̄; its last (bias-input) column is computed but never read. */
function inputGrad(layer: LayerLayout, rows: number, e: Tensor, params: Tensor, dInput: Tensor): Op[] {
  return [
    {
      op: 'matmul',
      layout: 'nn',
      m: rows,
      n: layer.n + 1,
      k: layer.m,
      a: e,
      lda: layer.m,
      b: slice(params, layer.offset, layer.size),
      ldb: layer.n + 1,
      c: dInput,
      ldc: layer.n + 1,
      alpha: 1,
      beta: 0,
    },
  ];
}

/** dS = dĀ W̄ᵀ + Ā Vᵀ: the forward product twice, once on the tangent input (its ones column is 0). */
function tangent(
  layer: LayerLayout,
  rows: number,
  input: Tensor,
  dInput: Tensor | null,
  params: Tensor,
  v: Tensor,
  out: Tensor,
): Op[] {
  return [...forward(layer, rows, input, v, out, 0), ...(dInput ? forward(layer, rows, dInput, params, out, 1) : [])];
}

export const denseOps: LayerOps = { forward, weightGrad, inputGrad, tangent };
