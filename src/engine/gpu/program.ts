/**
 * Recording: turns validated ops into GPU objects once — pipelines (cached), one uniform buffer per op
 * holding each dispatch's Params at aligned offsets, an op-owned scratch buffer where a plan asks for
 * one, and a bind group per dispatch — so that running a program only sets pipelines and bind groups.
 */
import type { Op } from '../ops.ts';
import type { Program } from '../backend.ts';
import type { Tensor } from '../tensor.ts';
import { WebGpuBackendError } from './errors.ts';
import { planOp, type DispatchSpec, type PlanOptions } from './kernels/index.ts';
import { F32_BINDING, F32_SLOTS, PARAMS_BINDING, SCRATCH_BINDING, U32_BINDING } from './layout.ts';
import type { PipelineCache } from './pipelines.ts';
import { SHADERS, type ShaderName } from './shaders.ts';
import { packStruct, parseStruct, type StructLayout } from './uniforms.ts';

/** One dispatch ready to encode. */
export interface RecordedDispatch {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: readonly [number, number, number];
}

/** What recording needs from the backend. */
export interface RecordContext {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  readonly groupLayout: GPUBindGroupLayout;
  /** The live buffer behind a tensor's storage; throws for freed or foreign storages. */
  buffer(t: Tensor, what: string): GPUBuffer;
  /** A distinct small buffer for each binding index, bound where a dispatch has nothing to bind. */
  readonly dummies: readonly GPUBuffer[];
  /** Kernel choices forced by the backend's options. */
  readonly plan: PlanOptions;
}

/** A recorded op list: owns its uniform and scratch buffers until released. */
export class GpuProgram implements Program {
  released = false;
  constructor(
    readonly owner: object,
    readonly label: string,
    readonly ops: readonly Op[],
    readonly dispatches: readonly RecordedDispatch[],
    readonly buffers: readonly GPUBuffer[],
    /** Storages the program binds: running it after freeing one of them is an error. */
    readonly storageIds: ReadonlySet<number>,
  ) {}
}

const layouts = new Map<ShaderName, StructLayout>();

/** The layout of a shader's `Params` struct, parsed from its WGSL once. */
export function paramsLayout(shader: ShaderName): StructLayout {
  let l = layouts.get(shader);
  if (!l) {
    l = parseStruct(SHADERS[shader], 'Params');
    layouts.set(shader, l);
  }
  return l;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Gives each distinct storage among the dispatch's f32 tensors one slot, in order of first use, and
 * returns the slot constants (`<name>_slot`) and the buffers per slot.
 */
function assignSlots(
  ctx: RecordContext,
  spec: DispatchSpec,
  where: string,
): { constants: Record<string, number>; slots: GPUBuffer[]; ids: number[] } {
  const constants: Record<string, number> = {};
  const slots: GPUBuffer[] = [];
  const ids: number[] = [];
  for (const [name, t] of Object.entries(spec.f32)) {
    let slot = ids.indexOf(t.storage.id);
    if (slot < 0) {
      slot = ids.length;
      if (slot >= F32_SLOTS) {
        throw new WebGpuBackendError(`${where}: more than ${F32_SLOTS} distinct f32 storages in one dispatch`);
      }
      ids.push(t.storage.id);
      slots.push(ctx.buffer(t, `${where} operand ${name}`));
    }
    constants[`${name}_slot`] = slot;
  }
  return { constants, slots, ids };
}

/** Records `ops` (already validated) into a program whose GPU objects are created now. */
export function recordProgram(ctx: RecordContext, owner: object, label: string, ops: readonly Op[]): GpuProgram {
  const { device } = ctx;
  const align = device.limits.minUniformBufferOffsetAlignment;
  const dispatches: RecordedDispatch[] = [];
  const buffers: GPUBuffer[] = [];
  const storageIds = new Set<number>();
  try {
    ops.forEach((op, i) => {
      const where = `${label}[${i}] ${op.op}`;
      const plan = planOp(op, ctx.plan);
      const offsets: number[] = [];
      let total = 0;
      for (const d of plan.dispatches) {
        offsets.push(total);
        total = alignUp(total + paramsLayout(d.shader).size, align);
      }
      const uniform = device.createBuffer({
        label: `${where} params`,
        size: total,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        mappedAtCreation: true,
      });
      buffers.push(uniform);
      const bytes = uniform.getMappedRange();
      plan.dispatches.forEach((d, j) => packStruct(paramsLayout(d.shader), d.params, bytes, offsets[j]));
      uniform.unmap();
      const scratch =
        plan.scratch > 0
          ? device.createBuffer({ label: `${where} scratch`, size: 4 * plan.scratch, usage: GPUBufferUsage.STORAGE })
          : undefined;
      if (scratch) buffers.push(scratch);

      plan.dispatches.forEach((d, j) => {
        const { constants, slots, ids } = assignSlots(ctx, d, where);
        ids.forEach((id) => storageIds.add(id));
        const entries: GPUBindGroupEntry[] = [
          {
            binding: PARAMS_BINDING,
            resource: { buffer: uniform, offset: offsets[j]!, size: paramsLayout(d.shader).size },
          },
        ];
        for (let s = 0; s < F32_SLOTS; s++) {
          entries.push({ binding: F32_BINDING + s, resource: { buffer: slots[s] ?? ctx.dummies[F32_BINDING + s]! } });
        }
        if (d.u32) storageIds.add(d.u32.storage.id);
        const u32 = d.u32 ? ctx.buffer(d.u32, `${where} u32 operand`) : ctx.dummies[U32_BINDING]!;
        entries.push({ binding: U32_BINDING, resource: { buffer: u32 } });
        const scratchBuf = d.scratch && scratch ? scratch : ctx.dummies[SCRATCH_BINDING]!;
        entries.push({ binding: SCRATCH_BINDING, resource: { buffer: scratchBuf } });
        const pipeline = ctx.pipelines.get(d.shader, d.entry, { ...d.constants, ...constants });
        const bindGroup = device.createBindGroup({ label: `${where} #${j}`, layout: ctx.groupLayout, entries });
        dispatches.push({ pipeline, bindGroup, grid: d.grid });
      });
    });
  } catch (e) {
    for (const b of buffers) b.destroy();
    throw e;
  }
  return new GpuProgram(owner, label, ops, dispatches, buffers, storageIds);
}
