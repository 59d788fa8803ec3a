/**
 * shaders/rng.wgsl against src/engine/rng.ts: Threefry words bit for bit on many keys and counters,
 * uniforms bit for bit, and normals (Box–Muller with the polynomial cos_2pi) within 1e-5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHADERS } from '../../src/engine/gpu/shaders.ts';
import { normalAt, Rng, threefry2x32, toUniform } from '../../src/engine/rng.ts';
import { expectClose, expectEqual } from './harness.ts';

// A test-only entry point around the library: per case i, key = keys[i], counter = ctrs[i].
const TEST_WGSL = `${SHADERS.rng}
@group(0) @binding(0) var<storage, read> inp: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> words: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> reals: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inp)) {
    return;
  }
  let w = threefry2x32(inp[i].xy, inp[i].zw);
  words[i] = w;
  reals[i] = vec4<f32>(to_uniform(w.x), normal_from(w), cos_2pi(to_uniform(w.y)), 0.0);
}
`;

let device: GPUDevice;

beforeAll(async () => {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  device = await adapter.requestDevice();
});

afterAll(() => device.destroy());

/** Runs the test kernel over (k0, k1, c0, c1) cases. */
async function evaluate(cases: Uint32Array<ArrayBuffer>): Promise<{ words: Uint32Array; reals: Float32Array }> {
  const n = cases.length / 4;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const inp = device.createBuffer({ size: cases.byteLength, usage });
  device.queue.writeBuffer(inp, 0, cases);
  const words = device.createBuffer({ size: n * 8, usage });
  const reals = device.createBuffer({ size: n * 16, usage });
  const module = device.createShaderModule({ code: TEST_WGSL });
  const info = await module.getCompilationInfo();
  expect(info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`)).toEqual([]);
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [inp, words, reals].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const staging = device.createBuffer({ size: n * 24, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  enc.copyBufferToBuffer(words, 0, staging, 0, n * 8);
  enc.copyBufferToBuffer(reals, 0, staging, n * 8, n * 16);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  for (const b of [inp, words, reals, staging]) b.destroy();
  return { words: new Uint32Array(bytes, 0, n * 2), reals: new Float32Array(bytes, n * 8, n * 4) };
}

describe('rng.wgsl = rng.ts', () => {
  // Edge keys and counters, then random ones.
  const edges = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  const cases: number[] = [];
  for (const [i, k] of edges.entries()) for (const c of edges) cases.push(k, edges[(i + 1) % 6]!, c, c === 0 ? 0 : 7);
  const rng = new Rng(2024, 1);
  const word = () => Math.floor(rng.uniform() * 2 ** 24) * 256 + Math.floor(rng.uniform() * 256);
  // High counter words stay below 2²¹ so that normalAt's 53-bit counter c0 + 2³²·c1 is exact.
  for (let i = 0; i < 4000; i++) cases.push(word(), i % 7, i < 2000 ? i : word(), i % 3 === 0 ? word() >>> 11 : 0);
  const input = Uint32Array.from(cases);
  const n = input.length / 4;

  it('threefry2x32 words are bit-identical on 4,036 keys × counters', async () => {
    const { words } = await evaluate(input);
    const expected = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const [a, b] = threefry2x32(input[4 * i]!, input[4 * i + 1]!, input[4 * i + 2]!, input[4 * i + 3]!);
      expected[2 * i] = a;
      expected[2 * i + 1] = b;
    }
    // Known-answer check of the TS side too (Random123 threefry2x32_20 test vector, key = ctr = 0).
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expectEqual(words, expected, 'threefry words');
  });

  it('uniforms are bit-identical, normals within 1e-5, cos_2pi within 2e-7', async () => {
    const { words, reals } = await evaluate(input);
    const uni = new Float64Array(n);
    const gpuUni = new Float64Array(n);
    const normal = new Float64Array(n);
    const gpuNormal = new Float64Array(n);
    const cos = new Float64Array(n);
    const gpuCos = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      uni[i] = toUniform(words[2 * i]!);
      gpuUni[i] = reals[4 * i]!;
      // normalAt takes a 53-bit counter: c0 + 2³²·c1.
      normal[i] = normalAt(input[4 * i]!, input[4 * i + 1]!, input[4 * i + 2]! + 4294967296 * input[4 * i + 3]!);
      gpuNormal[i] = reals[4 * i + 1]!;
      cos[i] = Math.cos(2 * Math.PI * toUniform(words[2 * i + 1]!));
      gpuCos[i] = reals[4 * i + 2]!;
    }
    expectEqual(gpuUni, uni, 'to_uniform');
    expectClose(gpuNormal, normal, { atol: 1e-5, rtol: 1e-5 }, 'normal_from');
    expectClose(gpuCos, cos, { atol: 2e-7, rtol: 0 }, 'cos_2pi');
  });
});
