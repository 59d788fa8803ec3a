/**
 * A Backend that forwards everything to another and counts, by label, the programs recorded and run and
 * the storages allocated: what tests use to show that work is (not) done, on either backend.
 */
import type { Backend, Program } from '../../src/engine/backend.ts';
import type { Op } from '../../src/engine/ops.ts';
import type { DType, Tensor } from '../../src/engine/tensor.ts';

export class CountingBackend implements Backend {
  /** Labels of the programs recorded, in order. */
  readonly recorded: string[] = [];
  /** Runs per program label. */
  readonly runs = new Map<string, number>();
  /** Labels of the storages allocated and not yet freed. */
  readonly allocated = new Map<Tensor['storage'], string>();

  constructor(readonly inner: Backend) {}

  get name(): Backend['name'] {
    return this.inner.name;
  }
  get precision(): Backend['precision'] {
    return this.inner.precision;
  }
  get description(): string {
    return this.inner.description;
  }

  /** How many times a program of this label ran. */
  runCount(label: string): number {
    return this.runs.get(label) ?? 0;
  }

  /** Labels of the live storages. */
  liveLabels(): string[] {
    return [...this.allocated.values()];
  }

  alloc(size: number, label: string, dtype?: DType): Tensor {
    const t = this.inner.alloc(size, label, dtype);
    this.allocated.set(t.storage, label);
    return t;
  }
  free(t: Tensor): void {
    this.allocated.delete(t.storage);
    this.inner.free(t);
  }
  liveStorages(): number {
    return this.inner.liveStorages();
  }
  write(t: Tensor, data: ArrayLike<number>, offset?: number): void {
    this.inner.write(t, data, offset);
  }
  read(t: Tensor): Promise<Float32Array | Float64Array | Uint32Array> {
    return this.inner.read(t);
  }
  record(label: string, ops: readonly Op[]): Program {
    this.recorded.push(label);
    return this.inner.record(label, ops);
  }
  run(...programs: readonly Program[]): void {
    for (const p of programs) this.runs.set(p.label, this.runCount(p.label) + 1);
    this.inner.run(...programs);
  }
  release(p: Program): void {
    this.inner.release(p);
  }
  sync(): Promise<void> {
    return this.inner.sync();
  }
  dispose(): void {
    this.inner.dispose();
  }
}
