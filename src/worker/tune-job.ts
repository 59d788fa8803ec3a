/**
 * One learning-rate search run by the worker beside its race (worker/tune.ts on the race's backend): it starts
 * at once and runs detached from the session's command queue, so that the commands sent while it trains, its
 * own cancel among them, are still handled. It yields to the worker's event loop every YIELD_MS, checks for a
 * cancel between slices of SLICE_STEPS steps, and reports progress at most every PROGRESS_MS.
 */
import type { Backend, Dataset } from '../engine/index.ts';
import { RaceCancelled } from './headless-race.ts';
import type { RaceSpec, TuneEvent, TuneObjective } from './protocol.ts';
import { tuneRace } from './tune.ts';

/** Steps trained between checks for a cancel: a handful, so that Cancel stops the search promptly. */
export const SLICE_STEPS = 5;
/** Longest stretch of training without letting the worker read its messages. */
const YIELD_MS = 25;
const PROGRESS_MS = 100;

export interface TuneJobRequest {
  readonly raceId: number;
  readonly tuneId: number;
  /** The race's spec restricted to the runs to tune. */
  readonly spec: RaceSpec;
  readonly steps: number;
  readonly seeds: readonly number[];
  readonly objective: TuneObjective;
  /** Grid multipliers (default: tune.ts's DEFAULT_FACTORS). */
  readonly factors?: readonly number[];
}

export class TuneJob {
  readonly raceId: number;
  readonly tuneId: number;
  /** Settles (never rejects) once the search has ended and its last event is out. */
  readonly finished: Promise<void>;
  #cancelled = false;

  constructor(
    backend: Backend,
    load: (seed: number) => Promise<Dataset>,
    request: TuneJobRequest,
    post: (e: TuneEvent) => void,
  ) {
    this.raceId = request.raceId;
    this.tuneId = request.tuneId;
    this.finished = this.#run(backend, load, request, post);
  }

  /**
   * Asks the search to stop; it does so at its next slice boundary (after the evaluation under way, which is not
   * sliced) and then reports `tuneCancelled`.
   */
  cancel(): void {
    this.#cancelled = true;
  }

  async #run(
    backend: Backend,
    load: (seed: number) => Promise<Dataset>,
    req: TuneJobRequest,
    post: (e: TuneEvent) => void,
  ): Promise<void> {
    const ids = { raceId: req.raceId, tuneId: req.tuneId };
    let lastYield = Date.now();
    let lastReport = 0;
    try {
      const report = await tuneRace(backend, load, req.spec, {
        steps: req.steps,
        seeds: req.seeds,
        objective: req.objective,
        ...(req.factors ? { factors: req.factors } : {}),
        slice: SLICE_STEPS,
        cancelled: () => this.#cancelled,
        between: async () => {
          if (Date.now() - lastYield < YIELD_MS) return;
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
          lastYield = Date.now();
        },
        onProgress: (done) => {
          const now = Date.now();
          if (done < 1 && now - lastReport < PROGRESS_MS) return;
          lastReport = now;
          post({ type: 'tuneProgress', ...ids, done });
        },
      });
      if (this.#cancelled) post({ type: 'tuneCancelled', ...ids });
      else post({ type: 'tuneDone', ...ids, report });
    } catch (err) {
      if (err instanceof RaceCancelled || this.#cancelled) post({ type: 'tuneCancelled', ...ids });
      else post({ type: 'tuneFailed', ...ids, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
