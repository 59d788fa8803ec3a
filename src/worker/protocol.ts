/**
 * The typed message protocol between the UI thread and the training worker. Commands flow UI → worker,
 * events flow worker → UI; both are discriminated unions on `type`. Every run gets a fresh `runId` so that
 * events still in flight from a run that was reset are recognised and dropped by the client.
 */
import type { BackendChoice } from '../engine/create-backend.ts';
import type { EvalResult } from '../engine/trainer.ts';
import type { OptimizerConfig } from '../engine/optim/config.ts';
import type { ToyTask } from '../engine/data/toy.ts';

/** Which backend to ask for: 'auto' takes WebGPU when an adapter exists and falls back to the CPU. */
export type { BackendChoice };

/** Everything that defines one training run; plain data so it can cross postMessage and the URL. */
export interface RunConfig {
  /** A 2D toy task (the engine's task registry builds it). */
  readonly task: ToyTask;
  /** Dataset size (train + test), label noise and seed for the task generator. */
  readonly n: number;
  readonly noise: number;
  /** Seeds both the data and the model (weights, batches). */
  readonly seed: number;
  /** Hidden layers in the engine's architecture syntax, e.g. '16t-16t'; input and output widths come from the task. */
  readonly hidden: string;
  readonly optimizer: OptimizerConfig;
  readonly batch: number;
  /** Evaluate (one GPU→CPU readback) once every this many steps. */
  readonly evalEvery: number;
}

/** One evaluation of the model on both splits (plain data, as the engine's Trainer returns it). */
export type MetricPoint = EvalResult;

export type Command =
  | { readonly type: 'init'; readonly requestId: number; readonly backend: BackendChoice }
  /** Disposes the current run (if any) and builds a new one at step 0, paused. */
  | { readonly type: 'reset'; readonly requestId: number; readonly runId: number; readonly config: RunConfig }
  | { readonly type: 'play'; readonly runId: number }
  | { readonly type: 'pause'; readonly runId: number };

/** Which backend the worker ended up with, and why when it is not the one asked for. */
export interface BackendInfo {
  readonly name: 'cpu' | 'webgpu';
  readonly description: string;
  /** Set when 'auto' or 'webgpu' was asked for and the CPU was used instead. */
  readonly fallbackReason?: string;
}

export type WorkerEvent =
  | { readonly type: 'ready'; readonly requestId: number; readonly backend: BackendInfo }
  | { readonly type: 'runReady'; readonly requestId: number; readonly runId: number }
  /** Evaluations, oldest first; several may be batched into one message. */
  | { readonly type: 'metrics'; readonly runId: number; readonly points: readonly MetricPoint[] }
  /** Throttled progress between evaluations (steps are counted without any readback). */
  | {
      readonly type: 'progress';
      readonly runId: number;
      readonly step: number;
      readonly running: boolean;
      readonly stepsPerSecond: number;
    }
  | {
      readonly type: 'error';
      readonly requestId?: number;
      readonly runId?: number;
      readonly name: string;
      readonly message: string;
    };
