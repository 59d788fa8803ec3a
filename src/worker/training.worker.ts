/**
 * Entry point of the training worker (a module worker, see vite.config.ts). It owns the GPU device so that
 * training never blocks the page; all logic lives in session.ts, this file only wires messages to it.
 */
import type { Command, WorkerEvent } from './protocol.ts';
import { WorkerSession } from './session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const session = new WorkerSession((event: WorkerEvent) => scope.postMessage(event));

scope.addEventListener('message', (e: MessageEvent<Command>) => {
  void session.handle(e.data);
});
