/**
 * `npx tsx bench/conv.ts`: one conv2d layer's step (forward, weight gradient and input gradient) on the CPU,
 * three ways, alternated in rounds on the same data:
 *  - im2col + matmul as op lists (model/conv-passes.ts) on the CPU backend, matmuls on the WebAssembly SIMD
 *    kernels;
 *  - the same op lists with the TypeScript matmul loops (kernels: 'ts');
 *  - direct loops: the convolution, its weight gradient and its input gradient summed in place, no patches.
 * Prints ms per step and each contender's time ÷ im2col + SIMD matmul's, and checks that all three agree.
 */
import { Command } from 'commander';
import { CpuBackend } from '../src/engine/cpu/backend.ts';
import {
  conv2dForwardOps,
  conv2dInputGradOps,
  conv2dSizes,
  conv2dWeightGradOps,
  type Conv2dShape,
} from '../src/engine/model/conv-passes.ts';
import { Rng } from '../src/engine/rng.ts';
import { fmt } from './timing.ts';

interface Case {
  readonly name: string;
  readonly shape: Conv2dShape;
}

const SQUARE = { strideH: 1, strideW: 1 } as const;

/** The authors' MNIST CNN's conv layer, and a second layer of a LeNet-sized net after 2×2 pooling. */
const CASES: readonly Case[] = [
  {
    name: '28×28×1 → 16, 5×5 pad 2',
    shape: { batch: 64, h: 28, w: 28, c: 1, kh: 5, kw: 5, ...SQUARE, padH: 2, padW: 2, cOut: 16 },
  },
  {
    name: '14×14×16 → 32, 5×5 pad 2',
    shape: { batch: 64, h: 14, w: 14, c: 16, kh: 5, kw: 5, ...SQUARE, padH: 2, padW: 2, cOut: 32 },
  },
  {
    name: '14×14×16 → 32, 3×3 stride 2 pad 1',
    shape: { batch: 64, h: 14, w: 14, c: 16, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, cOut: 32 },
  },
];

interface Buffers {
  readonly x: Float32Array;
  readonly w: Float32Array;
  readonly e: Float32Array;
}

interface Result {
  readonly s: ArrayLike<number>;
  readonly grad: ArrayLike<number>;
  readonly dx: ArrayLike<number>;
}

/** Forward S = conv(x; W̄), dW̄ = Eᵀ·patches, dx = convᵀ(E; W), each summed directly (NHWC, PyTorch weight order). */
function directStep(shape: Conv2dShape, b: Buffers, out: { s: Float32Array; grad: Float32Array; dx: Float32Array }) {
  const { batch, h, w, c, kh, kw, strideH, strideW, padH, padW, cOut } = shape;
  const z = conv2dSizes(shape);
  const p = z.patch + 1;
  out.grad.fill(0);
  out.dx.fill(0);
  let r = 0;
  for (let n = 0; n < batch; n++) {
    const img = n * h * w * c;
    for (let oy = 0; oy < z.oh; oy++) {
      for (let ox = 0; ox < z.ow; ox++, r++) {
        for (let co = 0; co < cOut; co++) {
          const wr = co * p;
          let s = b.w[wr + z.patch]!;
          const e = b.e[r * cOut + co]!;
          out.grad[wr + z.patch] = out.grad[wr + z.patch]! + e;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * strideH - padH + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * strideW - padW + kx;
              if (ix < 0 || ix >= w) continue;
              const px = img + (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) {
                const k = wr + (ci * kh + ky) * kw + kx;
                s += b.w[k]! * b.x[px + ci]!;
                out.grad[k] = out.grad[k]! + e * b.x[px + ci]!;
                out.dx[px + ci] = out.dx[px + ci]! + e * b.w[k]!;
              }
            }
          }
          out.s[r * cOut + co] = s;
        }
      }
    }
  }
}

function opsContender(shape: Conv2dShape, b: Buffers, kernels: 'auto' | 'ts') {
  const be = new CpuBackend({ precision: 'f32', kernels });
  const z = conv2dSizes(shape);
  const t = (data: ArrayLike<number> | number, label: string) => {
    const v = be.alloc(typeof data === 'number' ? data : data.length, label);
    if (typeof data !== 'number') be.write(v, data);
    return v;
  };
  const x = t(b.x, 'x');
  const weights = t(b.w, 'w');
  const e = t(b.e, 'e');
  const cols = t(z.cols, 'cols');
  const s = t(z.rows * shape.cOut, 's');
  const grads = t(z.params, 'grads');
  const dcols = t(z.dcols, 'dcols');
  const dx = t(shape.batch * z.inPerExample, 'dx');
  const program = be.record('conv step', [
    ...conv2dForwardOps(shape, { x, ldX: z.inPerExample, weights, cols, s }),
    ...conv2dWeightGradOps(shape, { e, cols, grads, scale: 1 }),
    ...conv2dInputGradOps(shape, { e, weights, dcols, dx, ldX: z.inPerExample }),
  ]);
  // The data movement alone: the patches out and their gradient back, without the products.
  const movement = be.record('im2col + col2im', [
    conv2dForwardOps(shape, { x, ldX: z.inPerExample, weights, cols, s })[0]!,
    conv2dInputGradOps(shape, { e, weights, dcols, dx, ldX: z.inPerExample })[1]!,
  ]);
  return {
    description: be.description,
    step: () => be.run(program),
    movement: () => be.run(movement),
    result: (): Result => ({ s: be.readSync(s), grad: be.readSync(grads), dx: be.readSync(dx) }),
    ready: () => be.helperThreads(),
  };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const o = new Command('conv')
    .option('--rounds <n>', 'alternated rounds', '5')
    .option('--steps <n>', 'steps per contender per round', '3')
    .option('--batch <n>', 'images per step', '64')
    .parse()
    .opts<{ rounds: string; steps: string; batch: string }>();
  const rounds = Number(o.rounds);
  const steps = Number(o.steps);
  console.log(`# conv2d layer step (forward + weight gradient + input gradient), f32, ${new Date().toISOString()}`);
  for (const c of CASES) {
    const shape = { ...c.shape, batch: Number(o.batch) };
    const z = conv2dSizes(shape);
    const rng = new Rng(1, 99);
    const fill = (n: number) => Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
    const b: Buffers = { x: fill(shape.batch * z.inPerExample), w: fill(z.params), e: fill(z.rows * shape.cOut) };
    const direct = {
      s: new Float32Array(z.rows * shape.cOut),
      grad: new Float32Array(z.params),
      dx: new Float32Array(shape.batch * z.inPerExample),
    };
    const simd = opsContender(shape, b, 'auto');
    const ts = opsContender(shape, b, 'ts');
    await simd.ready();
    const contenders = [
      { name: `im2col + matmul, ${simd.description}`, step: simd.step },
      { name: `im2col + matmul, ${ts.description}`, step: ts.step },
      { name: 'direct loops (TypeScript)', step: () => directStep(shape, b, direct) },
      { name: 'of the first: im2col + col2im alone', step: simd.movement },
    ];
    for (const k of contenders) k.step();
    const agree = [simd.result(), ts.result()].map((r) =>
      Math.max(maxRelDiff(r.s, direct.s), maxRelDiff(r.grad, direct.grad), maxRelDiff(r.dx, direct.dx)),
    );
    const samples = contenders.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      contenders.forEach((k, i) => {
        const t0 = performance.now();
        for (let s = 0; s < steps; s++) k.step();
        samples[i]!.push((performance.now() - t0) / steps);
      });
    }
    const ms = samples.map(median);
    const macs = 3 * z.rows * shape.cOut * (z.patch + 1);
    console.log(`\n## ${c.name}, batch ${shape.batch}: ${(macs / 1e6).toFixed(1)} M multiply-adds per step`);
    console.log(
      `largest relative difference from the direct loops: SIMD ${agree[0]!.toExponential(1)}, TS ${agree[1]!.toExponential(1)}`,
    );
    console.log('| contender | ms/step | ÷ im2col + SIMD matmul |');
    console.log('| --- | --- | --- |');
    contenders.forEach((k, i) => console.log(`| ${k.name} | ${fmt(ms[i]!, 1)} | ${fmt(ms[i]! / ms[0]!, 2)} |`));
  }
}

void main();
