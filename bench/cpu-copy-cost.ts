/**
 * `npx tsx bench/cpu-copy-cost.ts`: what the CPU backend's wasm matmul pays to copy its operands into the
 * WebAssembly memory and C back out, against the whole call, on the products of the 784-300r-100r-30-…
 * autoencoder at batch 100 (docs/cpu-backend.md, "Memory: copies, not zero-copy"). One thread.
 */
import { WasmMatmul } from '../src/engine/cpu/wasm/wasm-matmul.ts';
import type { MatmulArgs } from '../src/engine/cpu/matmul.ts';
const w = WasmMatmul.create({ threads: 1 })!;
// Shapes of 784-300r-100r-30-… at batch 100: forward (nt), backward data (nn), weight gradient (tn).
const shapes: [MatmulArgs['layout'], number, number, number][] = [
  ['nt', 100, 300, 785],
  ['nn', 100, 784, 301],
  ['tn', 300, 785, 100],
  ['nt', 100, 100, 301],
];
for (const [layout, m, n, k] of shapes) {
  const [aR, aC] = layout === 'tn' ? [k, m] : [m, k];
  const [bR, bC] = layout === 'nt' ? [n, k] : [k, n];
  const a = new Float32Array(aR * aC).map(() => Math.random());
  const b = new Float32Array(bR * bC).map(() => Math.random());
  const c = new Float32Array(m * n);
  const args: MatmulArgs = {
    layout,
    m,
    n,
    k,
    a,
    aOff: 0,
    lda: aC,
    b,
    bOff: 0,
    ldb: bC,
    c,
    cOff: 0,
    ldc: n,
    alpha: 1,
    beta: 0,
  };
  const scratch = new Float32Array(a.length + b.length + c.length + 16);
  const time = (f: () => void) => {
    for (let i = 0; i < 5; i++) f();
    const t0 = performance.now();
    let it = 0;
    while (performance.now() - t0 < 400) {
      f();
      it++;
    }
    return (performance.now() - t0) / it;
  };
  const total = time(() => w.run(args));
  const copies = time(() => {
    scratch.set(a, 0);
    scratch.set(b, a.length);
    scratch.set(c, a.length + b.length);
    c.set(scratch.subarray(0, c.length));
  });
  console.log(
    `${layout} m=${m} n=${n} k=${k}: run ${total.toFixed(3)} ms (${((2 * m * n * k) / total / 1e6).toFixed(1)} GFLOP/s), copies ${copies.toFixed(3)} ms = ${((100 * copies) / total).toFixed(1)} %`,
  );
}
