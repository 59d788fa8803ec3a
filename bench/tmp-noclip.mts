import { CpuBackend } from '../src/engine/cpu/backend.ts';
import { loadMnistNode } from '../src/engine/data/mnist-node.ts';
import { DeviceDataset } from '../src/engine/device-data.ts';
import { defaultKfac } from '../src/engine/kfac/spec.ts';
import { Kfac } from '../src/engine/kfac/kfac.ts';
import { Trainer } from '../src/engine/trainer.ts';
const be = new CpuBackend({ precision: 'f32' });
const data = new DeviceDataset(be, loadMnistNode('mnist-ae'));
for (const [lr, rule] of [[0.1, 'levenberg-marquardt'], [0.03, 'levenberg-marquardt'], [0.1, 'fixed'], [0.3, 'levenberg-marquardt']] as const) {
  const t = Trainer.create(be, data, { arch: '784-64r-16-64r-784', likelihood: 'bernoulli', batch: 100, seed: 1, optimizer: { ...defaultKfac(), lr, invEvery: 20, dampingRule: rule, klClip: null } });
  t.step(500);
  console.log(`no clip, lr ${lr}, ${rule}: train ${(await t.evaluate()).trainLoss.toFixed(2)}, λ ${(await t.optimizerAs(Kfac)!.currentDamping()).toExponential(2)}`);
  t.dispose();
}
process.exit(0);
