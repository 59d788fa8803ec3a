/**
 * Dataset splits uploaded to a backend once, so that several runs racing on the same data share one copy
 * and a training step only uploads its row indices.
 */
import type { Backend } from './backend.ts';
import type { Dataset, Split } from './data/dataset.ts';
import type { DeviceSplit } from './model/passes.ts';
import type { Tensor } from './tensor.ts';

export class DeviceDataset {
  readonly train: DeviceSplit;
  readonly test: DeviceSplit;
  private readonly owned: Tensor[] = [];

  constructor(
    private readonly backend: Backend,
    readonly data: Dataset,
  ) {
    this.train = this.upload(data.train, 'train');
    this.test = this.upload(data.test, 'test');
  }

  private upload(split: Split, name: string): DeviceSplit {
    const { inputDim, outputDim } = this.data;
    const x = this.put(split.x, Math.max(1, split.n * inputDim), `${this.data.name}.${name}.x`);
    // Autoencoders reconstruct their input: share the tensor instead of uploading it twice.
    const y =
      split.y === split.x ? x : this.put(split.y, Math.max(1, split.n * outputDim), `${this.data.name}.${name}.y`);
    return { x, y, n: split.n };
  }

  private put(values: Float32Array, size: number, label: string): Tensor {
    const t = this.backend.alloc(size, label);
    if (values.length > 0) this.backend.write(t, values);
    this.owned.push(t);
    return t;
  }

  dispose(): void {
    for (const t of this.owned) this.backend.free(t);
    this.owned.length = 0;
  }
}
