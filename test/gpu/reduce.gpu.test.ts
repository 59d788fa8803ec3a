/**
 * reduce (sum, dot, sumsq) on the GPU against the CPU's float64 sums: sizes from 1 to beyond one pass of
 * all workgroups, scale, accumulate into out[0], and x, y and out sharing one storage.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Op } from '../../src/engine/ops.ts';
import { slice } from '../../src/engine/tensor.ts';
import { Pair, randoms, type Side } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

describe.each(['sum', 'dot', 'sumsq'] as const)('reduce %s', (kind) => {
  // 300,001 > 512 workgroups × 256 invocations: each invocation strides over several elements.
  it.each([1, 7, 257, 65537, 300001])('n=%i, scale, overwrite then accumulate', async (n) => {
    const x = pair.twin(randoms(n + 1, n), 'x');
    const y = pair.twin(randoms(n, n + 1), 'y');
    const out = pair.twin([5, 5, 5], 'out');
    await pair.run((s: Side): Op[] => [
      {
        op: 'reduce',
        kind,
        n,
        x: slice(x[s], 1, n),
        ...(kind === 'dot' ? { y: y[s] } : {}),
        scale: 0.5,
        accumulate: false,
        out: slice(out[s], 0, 1),
      },
      {
        op: 'reduce',
        kind,
        n,
        x: slice(x[s], 1, n),
        ...(kind === 'dot' ? { y: y[s] } : {}),
        scale: -2,
        accumulate: true,
        out: slice(out[s], 2, 1),
      },
    ]);
    // f32 partial sums of n terms of size ≤ 1 against float64.
    await pair.expectClose(out, { atol: 1e-6 * Math.sqrt(n) * 4, rtol: 1e-5 }, `${kind} n=${n}`);
  });
});

it('dot with x, y and out in one storage, accumulated over three runs of one program', async () => {
  const n = 1000;
  const buf = pair.twin([...randoms(2 * n, 5), 1], 'x | y | out');
  await pair.run(
    (s: Side): Op[] => [
      {
        op: 'reduce',
        kind: 'dot',
        n,
        x: slice(buf[s], 0, n),
        y: slice(buf[s], n, n),
        scale: 1,
        accumulate: true,
        out: slice(buf[s], 2 * n, 1),
      },
    ],
    3,
  );
  await pair.expectClose(buf, { atol: 1e-4, rtol: 1e-5 }, 'shared storage dot');
});
