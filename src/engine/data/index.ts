/**
 * Browser-safe entry to the data layer: dataset types, MNIST decoding, toys, CSV, the task registry and the
 * batch sampler. The Node-only MNIST file loader is imported separately from './mnist-node.ts'.
 */
export * from './dataset.ts';
export * from './arch.ts';
export * from './mnist.ts';
export * from './toy.ts';
export * from './scaled-regression.ts';
export * from './features.ts';
export * from './csv.ts';
export * from './sampler.ts';
export {
  TASKS,
  TASK_NAMES,
  TaskError,
  archForData,
  defaultArchFor,
  getTask,
  isTaskName,
  likelihoodFor,
} from './tasks.ts';
export type { TaskLoadOptions, TaskName, TaskSpec } from './tasks.ts';
export * from './setup-notices.ts';
