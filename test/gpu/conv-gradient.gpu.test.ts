/**
 * The conv2d + pooling + conv2d + dense net of test/conv/composite.ts on WebGPU: its loss, parameters' and
 * images' gradients and R-op against the CPU reference (f32) from the same seeded start, and its gradient
 * against directional central differences of the GPU's own float32 loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { buildComposite, COMPOSITES, type ConvLayerSpec } from '../conv/composite.ts';
import { expectClose, Pair, randoms } from './harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await Pair.create();
});
afterAll(() => pair.dispose());

const TOL = { atol: 2e-5, rtol: 1e-4 };

describe.each(COMPOSITES)('$name', (spec) => {
  it('loss, gradients and R-op agree with the CPU backend', async () => {
    const results = [];
    for (const be of [pair.cpu, pair.gpu] as Backend[]) {
      const net = buildComposite(be, spec, 4);
      const programs = [net.forward, net.backward, net.forward, net.rop].map((ops, i) => be.record(`p${i}`, ops));
      be.run(...programs);
      results.push({
        loss: await be.read(net.loss),
        grads: await be.read(net.grads),
        dx: await be.read(net.dx),
        dLogits: await be.read(net.dLogits),
      });
      programs.forEach((p) => be.release(p));
    }
    const [cpu, gpu] = results as [(typeof results)[0], (typeof results)[0]];
    expectClose(gpu.loss, cpu.loss, TOL, 'loss');
    expectClose(gpu.grads, cpu.grads, TOL, 'parameter gradient');
    expectClose(gpu.dx, cpu.dx, TOL, 'image gradient');
    expectClose(gpu.dLogits, cpu.dLogits, TOL, 'R-op');
  });

  it('the GPU gradient matches directional central differences of the GPU loss', async () => {
    const be = pair.gpu;
    // float32 differences need steps of ~1e-3, across which ReLU's kinks bend the loss by a few per cent
    // (the float64 check takes 1e-5 steps): tanh keeps the loss smooth at that scale.
    const smooth = (l: ConvLayerSpec): ConvLayerSpec => ({ ...l, act: l.act === 'relu' ? 'tanh' : l.act });
    const net = buildComposite(be, { ...spec, conv1: smooth(spec.conv1), conv2: smooth(spec.conv2) }, 5);
    const fwd = be.record('forward', net.forward);
    const bwd = be.record('backward', net.backward);
    be.run(fwd, bwd);
    const g = Array.from(await be.read(net.grads));
    const h = 1e-3;
    for (let d = 0; d < 3; d++) {
      const v = randoms(net.nParams, 30 + d);
      const lossAlong = async (sign: number): Promise<number> => {
        be.write(
          net.params,
          net.init.params.map((t, i) => t + sign * h * v[i]!),
        );
        be.run(fwd);
        return (await be.read(net.loss))[0]!;
      };
      const fd = ((await lossAlong(1)) - (await lossAlong(-1))) / (2 * h);
      const gv = g.reduce((s, gi, i) => s + gi * v[i]!, 0);
      expect(Math.abs(gv - fd), `direction ${d}: ⟨g, v⟩ = ${gv}, differences ${fd}`).toBeLessThan(
        1e-3 + 1e-2 * Math.abs(fd),
      );
      expect(Math.abs(fd)).toBeGreaterThan(1e-3);
    }
    be.release(fwd);
    be.release(bwd);
  });
});
