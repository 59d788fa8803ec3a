/**
 * The helper thread's program, as source text: it is started from a string (Node: `eval: true`; browser: a
 * Blob URL) so that it needs no bundler entry, no TypeScript loader and no file next to the engine.
 * It instantiates the shared-memory kernels on the memory the backend passes, then sleeps on the control
 * block's generation word; each wake-up it joins the current job unless it is already closed, and claims
 * row chunks with an atomic counter until none is left (see threads.ts for the protocol).
 */
import { CTL } from './control.ts';

const body = `
const CTL = ${JSON.stringify(CTL)};
function start(memory, bytes) {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const mm = inst.exports.mm;
  const ctl = new Int32Array(memory.buffer, 0, CTL.words);
  const ctlF = new Float32Array(memory.buffer, 0, CTL.words);
  let seen = Atomics.load(ctl, CTL.gen);
  for (;;) {
    Atomics.wait(ctl, CTL.gen, seen);
    const g = Atomics.load(ctl, CTL.gen);
    seen = g;
    if (Atomics.load(ctl, CTL.quit) !== 0) return;
    Atomics.add(ctl, CTL.active, 1);
    if (Atomics.load(ctl, CTL.closed) < g) {
      const total = ctl[CTL.total], chunk = ctl[CTL.chunk], m = ctl[CTL.m];
      for (;;) {
        const t = Atomics.add(ctl, CTL.next, 1);
        if (t >= total) break;
        const i0 = t * chunk;
        mm(i0, Math.min(m, i0 + chunk), ctl[CTL.n], ctl[CTL.k], ctl[CTL.a], ctl[CTL.sai], ctl[CTL.sap],
          ctl[CTL.b], ctl[CTL.ldb], ctl[CTL.c], ctl[CTL.ldc], ctlF[CTL.alpha], ctlF[CTL.beta]);
        Atomics.add(ctl, CTL.helped, 1);
        Atomics.add(ctl, CTL.done, 1);
        Atomics.notify(ctl, CTL.done);
      }
    }
    Atomics.sub(ctl, CTL.active, 1);
    Atomics.notify(ctl, CTL.active);
  }
}
`;

/** Node worker_threads program (CommonJS, run with eval: true; memory and bytes come as workerData). */
export const NODE_WORKER_SOURCE = `${body}
const { workerData } = require('node:worker_threads');
start(workerData.memory, workerData.bytes);
`;

/** Browser Web Worker program (memory and bytes come in the first message). */
export const WEB_WORKER_SOURCE = `${body}
self.onmessage = (e) => { self.onmessage = null; start(e.data.memory, e.data.bytes); };
`;
