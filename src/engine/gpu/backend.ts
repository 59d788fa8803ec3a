/**
 * The WebGPU backend: one GPUBuffer per Storage, op lists recorded once into pipelines, uniform buffers
 * and bind groups (program.ts), and `run` encoding any number of programs into one compute pass and one
 * submit. Reads go through a staging buffer; device errors and WGSL compile failures collected along
 * the way are thrown by the next `read` or `sync`, so they cannot go unnoticed.
 */
import type { Backend, Program } from '../backend.ts';
import type { Op } from '../ops.ts';
import type { DType, Storage, Tensor } from '../tensor.ts';
import { validateOp } from '../validate.ts';
import { isCpuEmulated, requestGpuDevice, type GpuDeviceOptions } from './device.ts';
import { GpuDeviceError, WebGpuBackendError } from './errors.ts';
import type { MatmulVariant } from './kernels/index.ts';
import { createSharedLayout, SCRATCH_BINDING } from './layout.ts';
import { PipelineCache } from './pipelines.ts';
import { GpuProgram, recordProgram, type RecordContext } from './program.ts';
import { SHADERS } from './shaders.ts';

export {
  WebGpuUnavailableError,
  SoftwareAdapterError,
  ShaderCompileError,
  WebGpuBackendError,
  GpuDeviceError,
} from './errors.ts';
export { isCpuEmulated } from './device.ts';

/** Options of createWebGpuBackend. */
export interface WebGpuBackendOptions {
  /** Destroy the device in dispose() (true when the backend requested the device itself). */
  readonly ownsDevice?: boolean;
  /** Receives debug lines (pipeline compiles). */
  readonly log?: (message: string) => void;
  /** Forces a matmul tiling (tests, benchmarks); default 'auto' (by size and adapter). */
  readonly matmul?: MatmulVariant;
}

interface Allocation {
  readonly storage: Storage;
  readonly buffer: GPUBuffer;
}

/** Backend running every op as WGSL compute dispatches on one GPUDevice. */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly precision = 'f32' as const;
  readonly description: string;
  /** Resolves if the device is lost (driver reset, destroy()); the backend is unusable afterwards. */
  readonly lost: Promise<GPUDeviceLostInfo>;
  /** Largest allocation in elements (the device's storage-binding and buffer limits). */
  readonly maxElements: number;

  private readonly allocations = new Map<number, Allocation>();
  private readonly programs = new Set<GpuProgram>();
  private readonly pipelines: PipelineCache;
  private readonly ctx: RecordContext;
  private readonly dummies: GPUBuffer[] = [];
  private readonly deviceErrors: string[] = [];
  private nextId = 1;
  private disposed = false;
  private isLost = false;

  constructor(
    readonly device: GPUDevice,
    adapterInfo?: GPUAdapterInfo,
    private readonly options: WebGpuBackendOptions = {},
  ) {
    const info = adapterInfo ?? device.adapterInfo;
    const parts = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean) : [];
    this.description = `WebGPU${parts.length ? ` (${parts.join(' ')})` : ''}`;
    this.maxElements = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 4);
    this.lost = device.lost.then((l) => {
      this.isLost = true;
      return l;
    });
    device.addEventListener('uncapturederror', (ev) => {
      this.deviceErrors.push(ev.error.message);
    });
    const layout = createSharedLayout(device);
    this.pipelines = new PipelineCache(device, layout.pipeline, SHADERS, options.log);
    for (let b = 0; b <= SCRATCH_BINDING; b++) {
      // Each binding gets its own dummy: one buffer in two writable bindings breaks WebGPU's aliasing rule.
      this.dummies.push(device.createBuffer({ label: `dummy binding ${b}`, size: 16, usage: GPUBufferUsage.STORAGE }));
    }
    this.ctx = {
      device,
      pipelines: this.pipelines,
      groupLayout: layout.group,
      dummies: this.dummies,
      buffer: (t, what) => this.bufferOf(t, what),
      plan: { matmul: options.matmul ?? 'auto', cpuEmulated: isCpuEmulated(info) },
    };
  }

  private live(): void {
    if (this.disposed) throw new WebGpuBackendError('this WebGPU backend was disposed');
  }

  private bufferOf(t: Tensor, what: string): GPUBuffer {
    const a = this.allocations.get(t.storage.id);
    if (!a || a.storage !== t.storage) {
      throw new WebGpuBackendError(
        `${what}: storage '${t.storage.label}' (#${t.storage.id}) is not alive on this backend (freed, or allocated elsewhere)`,
      );
    }
    return a.buffer;
  }

  alloc(size: number, label: string, dtype: DType = 'f32'): Tensor {
    this.live();
    if (!Number.isSafeInteger(size) || size < 0) throw new WebGpuBackendError(`alloc '${label}': bad size ${size}`);
    if (size > this.maxElements) {
      throw new WebGpuBackendError(
        `alloc '${label}': ${size} elements exceed this device's limit of ${this.maxElements} per buffer`,
      );
    }
    const storage: Storage = { id: this.nextId++, size, dtype, label };
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(4, size * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.allocations.set(storage.id, { storage, buffer });
    return { storage, offset: 0, size };
  }

  free(t: Tensor): void {
    this.live();
    const buffer = this.bufferOf(t, 'free');
    buffer.destroy();
    this.allocations.delete(t.storage.id);
  }

  liveStorages(): number {
    return this.allocations.size;
  }

  write(t: Tensor, data: ArrayLike<number>, offset = 0): void {
    this.live();
    const buffer = this.bufferOf(t, 'write');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + data.length > t.size) {
      throw new WebGpuBackendError(
        `write to '${t.storage.label}': ${data.length} values at offset ${offset} do not fit its view of ${t.size}`,
      );
    }
    if (data.length === 0) return;
    let typed: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;
    if (t.storage.dtype === 'u32') {
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
          throw new WebGpuBackendError(`write to u32 '${t.storage.label}': value ${v} at ${i} is not a uint32`);
        }
      }
      typed =
        data instanceof Uint32Array && data.buffer instanceof ArrayBuffer
          ? (data as Uint32Array<ArrayBuffer>)
          : Uint32Array.from(data);
    } else {
      typed =
        data instanceof Float32Array && data.buffer instanceof ArrayBuffer
          ? (data as Float32Array<ArrayBuffer>)
          : Float32Array.from(data);
    }
    this.device.queue.writeBuffer(buffer, (t.offset + offset) * 4, typed);
  }

  async read(t: Tensor): Promise<Float32Array | Uint32Array> {
    this.live();
    const buffer = this.bufferOf(t, 'read');
    const bytes = t.size * 4;
    let out: Float32Array | Uint32Array;
    if (bytes === 0) {
      out = t.storage.dtype === 'u32' ? new Uint32Array(0) : new Float32Array(0);
    } else {
      const staging = this.device.createBuffer({
        label: `read ${t.storage.label}`,
        size: bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      try {
        const encoder = this.device.createCommandEncoder({ label: `read ${t.storage.label}` });
        encoder.copyBufferToBuffer(buffer, t.offset * 4, staging, 0, bytes);
        this.device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const copy = staging.getMappedRange().slice(0);
        staging.unmap();
        out = t.storage.dtype === 'u32' ? new Uint32Array(copy) : new Float32Array(copy);
      } finally {
        staging.destroy();
      }
    }
    await this.throwPendingErrors();
    return out;
  }

  record(label: string, ops: readonly Op[]): Program {
    this.live();
    ops.forEach((op, i) => {
      try {
        validateOp(op);
      } catch (e) {
        if (e instanceof Error) e.message = `${label}[${i}]: ${e.message}`;
        throw e;
      }
    });
    const program = recordProgram(this.ctx, this, label, ops);
    this.programs.add(program);
    return program;
  }

  run(...programs: readonly Program[]): void {
    this.live();
    if (this.pipelines.failure) throw this.pipelines.failure;
    const recorded = programs.map((p) => this.check(p));
    const encoder = this.device.createCommandEncoder({ label: recorded.map((p) => p.label).join(' + ') });
    const pass = encoder.beginComputePass({ label: recorded.map((p) => p.label).join(' + ') });
    for (const p of recorded) {
      for (const d of p.dispatches) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.grid[0], d.grid[1], d.grid[2]);
      }
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  private owned(p: Program): GpuProgram {
    if (!(p instanceof GpuProgram) || p.owner !== this) {
      throw new WebGpuBackendError(`program '${p.label}' was not recorded by this backend`);
    }
    if (p.released) throw new WebGpuBackendError(`program '${p.label}' was released`);
    return p;
  }

  /** A program that may run: ours, not released, and every storage it binds still alive. */
  private check(program: Program): GpuProgram {
    const p = this.owned(program);
    for (const id of p.storageIds) {
      if (!this.allocations.has(id)) {
        throw new WebGpuBackendError(`program '${p.label}' uses storage #${id}, which was freed`);
      }
    }
    return p;
  }

  release(p: Program): void {
    this.live();
    // Allowed after its storages were freed: releasing is how a program's owner cleans up.
    const gp = this.owned(p);
    for (const b of gp.buffers) b.destroy();
    gp.released = true;
    this.programs.delete(gp);
  }

  async sync(): Promise<void> {
    this.live();
    await this.device.queue.onSubmittedWorkDone();
    await this.throwPendingErrors();
  }

  compileProgress(): { readonly done: number; readonly total: number } {
    return this.pipelines.progress;
  }

  /** Resolves once every pipeline recorded so far has compiled; throws ShaderCompileError otherwise. */
  async compiled(): Promise<void> {
    await this.pipelines.settled();
  }

  private async throwPendingErrors(): Promise<void> {
    await this.pipelines.settled();
    if (this.deviceErrors.length > 0) {
      const errors = this.deviceErrors.splice(0);
      throw new GpuDeviceError(`the GPU reported ${errors.length} error(s):\n${errors.join('\n')}`);
    }
    if (this.isLost) throw new GpuDeviceError('the GPU device was lost');
  }

  dispose(): void {
    if (this.disposed) return;
    for (const p of this.programs) for (const b of p.buffers) b.destroy();
    this.programs.clear();
    for (const a of this.allocations.values()) a.buffer.destroy();
    this.allocations.clear();
    for (const b of this.dummies) b.destroy();
    this.disposed = true;
    if (this.options.ownsDevice) this.device.destroy();
  }
}

/** A backend on a device the caller owns (the caller destroys it after dispose()). */
export function createWebGpuBackend(
  device: GPUDevice,
  adapterInfo?: GPUAdapterInfo,
  options?: WebGpuBackendOptions,
): WebGpuBackend {
  return new WebGpuBackend(device, adapterInfo, options);
}

/**
 * Requests an adapter and a device from `gpu` (navigator.gpu by default, or Dawn's in Node) with the
 * adapter's largest buffer limits, so that whole datasets fit one storage; the backend owns the device.
 * Throws WebGpuUnavailableError when there is no WebGPU or no adapter.
 */
export async function requestWebGpuBackend(
  gpu: GPU | undefined = globalThis.navigator?.gpu,
  options: Omit<WebGpuBackendOptions, 'ownsDevice'> & GpuDeviceOptions = {},
): Promise<WebGpuBackend> {
  const { device, info } = await requestGpuDevice(gpu, options);
  return new WebGpuBackend(device, info, { ...options, ownsDevice: true });
}
