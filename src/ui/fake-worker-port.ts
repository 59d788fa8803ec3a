/**
 * For the client's tests: a worker port that records the commands sent and lets a test play the worker's
 * events, and the spiral race's data as the worker describes it once built.
 */
import type { Command, DataInfo, WorkerEvent } from '../worker/protocol.ts';
import type { WorkerPort } from './training-client.ts';

export function fakeWorkerPort() {
  const sent: Command[] = [];
  let emit: (e: WorkerEvent) => void = () => undefined;
  const port: WorkerPort = {
    post: (cmd) => sent.push(cmd),
    listen: (onEvent) => {
      emit = onEvent;
    },
    terminate: () => undefined,
  };
  return { port, sent, emit: (e: WorkerEvent) => emit(e) };
}

/** The default spiral race's data (400 points, 20 % held out, 2-16t-16t-2). */
export const SPIRAL_DATA_INFO: DataInfo = {
  name: 'spiral',
  kind: 'classification',
  inputDim: 2,
  outputDim: 2,
  trainRows: 320,
  testRows: 80,
  likelihood: 'categorical',
  arch: '2-16t-16t-2',
  params: 354,
  layers: [],
};

/** The worker's answers to init and to the first setup: a CPU backend, then race `raceId` built. */
export function emitReady(emit: (e: WorkerEvent) => void, raceId = 1): void {
  emit({ type: 'ready', requestId: 1, backend: { name: 'cpu', description: 'cpu' } });
  emit({ type: 'raceReady', requestId: 2, raceId, data: SPIRAL_DATA_INFO, task: { kind: 'none' } });
}
