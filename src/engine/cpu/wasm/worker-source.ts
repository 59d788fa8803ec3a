/**
 * The helper thread's program, as source text: it is started from a string (Node: `eval: true`; browser: a
 * Blob URL) so that it needs no bundler entry, no TypeScript loader and no file next to the engine.
 * It instantiates the shared-memory kernels on the memory the backend passes, then sleeps on the control
 * block's generation word; each wake-up it claims row chunks of the announced job by compareExchange on
 * the ticket word until none is left (protocol: wasm-matmul.ts and docs/cpu-backend.md).
 */
import { CTL } from './control.ts';

const body = `
const CTL = ${JSON.stringify(CTL)};
function start(memory, bytes, ready) {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const mm = inst.exports.mm;
  const ctl = new Int32Array(memory.buffer, 0, CTL.words);
  const ctlF = new Float32Array(memory.buffer, 0, CTL.words);
  let seen = Atomics.load(ctl, CTL.gen);
  ready();
  for (;;) {
    Atomics.wait(ctl, CTL.gen, seen);
    seen = Atomics.load(ctl, CTL.gen);
    if (Atomics.load(ctl, CTL.quit) !== 0) return;
    const job = seen & 0x7fff;
    for (;;) {
      const t = Atomics.load(ctl, CTL.ticket);
      // Another job than the one this wake-up announced: go back and read the generation again.
      if (Math.floor(t / 65536) !== job) break;
      const next = t % 65536;
      if (next >= ctl[CTL.total]) break;
      if (Atomics.compareExchange(ctl, CTL.ticket, t, t + 1) !== t) continue;
      // The claim succeeded, so the job is current and its words stay put until this chunk is done.
      const m = ctl[CTL.m], chunk = ctl[CTL.chunk];
      if (next >= ctl[CTL.total]) break;
      const i0 = next * chunk;
      mm(i0, Math.min(m, i0 + chunk), ctl[CTL.n], ctl[CTL.k], ctl[CTL.a], ctl[CTL.sai], ctl[CTL.sap],
        ctl[CTL.b], ctl[CTL.ldb], ctl[CTL.c], ctl[CTL.ldc], ctlF[CTL.alpha], ctlF[CTL.beta]);
      Atomics.add(ctl, CTL.helped, 1);
      Atomics.add(ctl, CTL.done, 1);
      Atomics.notify(ctl, CTL.done);
    }
  }
}
`;

/** Node worker_threads program (CommonJS, run with eval: true; memory and bytes come as workerData). */
export const NODE_WORKER_SOURCE = `${body}
const { parentPort, workerData } = require('node:worker_threads');
start(workerData.memory, workerData.bytes, () => parentPort.postMessage('ready'));
`;

/** Browser Web Worker program (memory and bytes come in the first message). */
export const WEB_WORKER_SOURCE = `${body}
self.onmessage = (e) => { self.onmessage = null; start(e.data.memory, e.data.bytes, () => self.postMessage('ready')); };
`;
