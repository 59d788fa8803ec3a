/**
 * The WebGPU backend's mechanics: transfers with offsets and dtypes, programs recorded once and run many
 * times, several programs per submit, misuse errors (freed storages, released or foreign programs,
 * invalid ops), WGSL compile errors that quote the source, and leak checks on storages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpValidationError } from '../../src/engine/backend.ts';
import { CpuBackend } from '../../src/engine/cpu/index.ts';
import {
  requestWebGpuBackend,
  ShaderCompileError,
  WebGpuBackendError,
  WebGpuUnavailableError,
  type WebGpuBackend,
} from '../../src/engine/gpu/backend.ts';
import { requestGpuDevice } from '../../src/engine/gpu/device.ts';
import { createSharedLayout } from '../../src/engine/gpu/layout.ts';
import { PipelineCache } from '../../src/engine/gpu/pipelines.ts';
import { slice } from '../../src/engine/tensor.ts';

let be: WebGpuBackend;
let baseline: number;
beforeAll(async () => {
  be = await requestWebGpuBackend();
  baseline = be.liveStorages();
});
afterAll(() => {
  // Every test frees what it allocates.
  expect(be.liveStorages()).toBe(baseline);
  be.dispose();
});

describe('transfers', () => {
  it('describes its adapter and allows large buffers', () => {
    expect(be.description).toMatch(/^WebGPU/);
    expect(be.precision).toBe('f32');
    expect(be.maxElements).toBeGreaterThanOrEqual(2 ** 25); // ≥ 128 MiB: an MNIST split fits one storage
  });

  it('writes and reads views at element offsets, f32 and u32', async () => {
    const f = be.alloc(10, 'f');
    const u = be.alloc(5, 'u', 'u32');
    be.write(slice(f, 3, 5), [1.5, -2, 3, 4, 5], 0);
    be.write(f, [9], 9);
    be.write(u, Uint32Array.of(0, 1, 0xffffffff), 2);
    expect(Array.from(await be.read(f))).toEqual([0, 0, 0, 1.5, -2, 3, 4, 5, 0, 9]);
    expect(Array.from(await be.read(slice(f, 4, 3)))).toEqual([-2, 3, 4]);
    const ur = await be.read(u);
    expect(ur).toBeInstanceOf(Uint32Array);
    expect(Array.from(ur)).toEqual([0, 0, 0, 1, 0xffffffff]);
    expect(await be.read(slice(f, 2, 0))).toHaveLength(0);
    be.free(f);
    be.free(u);
  });

  it('rejects writes past a view and non-uint32 values', () => {
    const u = be.alloc(4, 'u', 'u32');
    expect(() => be.write(slice(u, 1, 2), [1, 2, 3])).toThrow(WebGpuBackendError);
    expect(() => be.write(u, [1.5])).toThrow(/not a uint32/);
    expect(() => be.write(u, [-1])).toThrow(WebGpuBackendError);
    be.free(u);
  });

  it('refuses allocations over the device limit', () => {
    expect(() => be.alloc(be.maxElements + 1, 'huge')).toThrow(/exceed/);
  });
});

describe('programs', () => {
  it('runs one recorded program several times, and several programs in one submit, in order', async () => {
    const x = be.alloc(100, 'x');
    const acc = be.alloc(1, 'acc');
    const fill = be.record('fill', [{ op: 'fill', n: 100, value: 1, out: x }]);
    const step = be.record('step', [
      { op: 'axpby', n: 100, a: { c: 2 }, x, out: x },
      { op: 'reduce', kind: 'sum', n: 100, x, scale: 1, accumulate: true, out: acc },
    ]);
    be.run(fill, step, step);
    be.run(step);
    // x: 2, 4, 8 after three steps; acc = 100·(2 + 4 + 8).
    expect(Array.from(await be.read(acc))).toEqual([1400]);
    expect((await be.read(x))[99]).toBe(8);
    be.release(fill);
    be.release(step);
    be.free(x);
    be.free(acc);
  });

  it('validates ops at record time', () => {
    const x = be.alloc(10, 'x');
    expect(() => be.record('bad', [{ op: 'fill', n: 11, value: 0, out: x }])).toThrow(OpValidationError);
    expect(() => be.record('bad', [{ op: 'fill', n: 11, value: 0, out: x }])).toThrow(/bad\[0\]: fill/);
    be.free(x);
  });

  it('rejects freed storages, released programs and foreign tensors or programs', async () => {
    const x = be.alloc(4, 'x');
    const p = be.record('p', [{ op: 'fill', n: 4, value: 1, out: x }]);
    be.release(p);
    expect(() => be.run(p)).toThrow(/released/);
    const q = be.record('q', [{ op: 'fill', n: 4, value: 1, out: x }]);
    be.free(x);
    expect(() => be.run(q)).toThrow(/freed/);
    await expect(be.read(x)).rejects.toThrow(WebGpuBackendError);
    expect(() => be.free(x)).toThrow(WebGpuBackendError);
    be.release(q);

    const cpu = new CpuBackend();
    const foreign = cpu.alloc(4, 'cpu tensor');
    expect(() => be.record('f', [{ op: 'fill', n: 4, value: 1, out: foreign }])).toThrow(/not alive on this backend/);
    const cp = cpu.record('cpu program', [{ op: 'fill', n: 4, value: 1, out: foreign }]);
    expect(() => be.run(cp)).toThrow(/not recorded by this backend/);
    cpu.dispose();
  });
});

describe('leaks', () => {
  it('returns to the baseline after free, and to zero after dispose', async () => {
    const other = await requestWebGpuBackend();
    expect(other.liveStorages()).toBe(0);
    const ts = [other.alloc(10, 'a'), other.alloc(20, 'b'), other.alloc(1, 'c', 'u32')];
    expect(other.liveStorages()).toBe(3);
    const p = other.record('p', [
      { op: 'reduce', kind: 'sumsq', n: 10, x: ts[0]!, scale: 1, accumulate: false, out: ts[1]! },
    ]);
    other.run(p);
    await other.sync();
    other.release(p);
    other.free(ts[0]!);
    expect(other.liveStorages()).toBe(2);
    other.dispose();
    expect(other.liveStorages()).toBe(0);
    expect(() => other.alloc(1, 'after dispose')).toThrow(/disposed/);
  });
});

describe('errors', () => {
  it('a WGSL compile error names the pipeline and quotes the source line with a caret', async () => {
    const { device } = be;
    const layout = createSharedLayout(device);
    const cache = new PipelineCache(device, layout.pipeline, {
      broken: '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = 1u;\n}\n',
    });
    cache.get('broken', 'main');
    const err = await cache.settled().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShaderCompileError);
    const msg = (err as Error).message;
    expect(msg).toContain("'broken:main:'");
    expect(msg).toMatch(/error at line 3:\d+/);
    expect(msg).toContain('3 |   let x: f32 = 1u;');
    expect(msg).toContain('^');
  });

  it('without navigator.gpu or an adapter, WebGpuUnavailableError', async () => {
    await expect(requestGpuDevice(undefined)).rejects.toThrow(WebGpuUnavailableError);
    const noAdapter = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    await expect(requestWebGpuBackend(noAdapter)).rejects.toThrow(/no WebGPU adapter/);
  });
});
