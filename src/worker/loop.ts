/**
 * The time-sliced training loop the worker runs: a few steps per slice (about one animation frame of work),
 * an evaluation (the only GPU→CPU readback) every `evalEvery` steps, and a yield between slices so that
 * pause/reset messages are handled promptly. Engine-agnostic: it drives anything with `step` and `evaluate`.
 */

/** What the loop drives: a Trainer, or a race of several (the worker's Race). */
export interface LoopTrainer<P> {
  /** Takes n training steps; no readback. May wait for the device (a race settles each run to time it). */
  step(n: number): void | Promise<void>;
  /** Waits for queued steps, then computes losses on both splits. */
  evaluate(): Promise<P>;
}

export interface LoopListener<P> {
  metrics(point: P): void;
  progress(step: number, running: boolean, stepsPerSecond: number): void;
  error(err: unknown): void;
  /** The loop paused itself at its step budget (after that step's evaluation). */
  budgetReached?(step: number): void;
}

export interface LoopOptions {
  /** Steps between evaluations. */
  readonly evalEvery: number;
  /** Target wall-clock length of one slice of steps, in ms. */
  readonly sliceMs?: number;
  /** Minimum time between two progress events, in ms. */
  readonly progressEveryMs?: number;
  readonly now?: () => number;
  /** Gives the event loop a turn between slices. */
  readonly yieldNow?: () => Promise<void>;
}

/** Thrown for loop settings that cannot work. */
export class LoopConfigError extends Error {
  override readonly name = 'LoopConfigError';
}

/**
 * Zero-delay yield: a MessageChannel task avoids the 4 ms clamp that nested setTimeout(0) calls get. Every
 * `timerEveryMs` it goes through setTimeout instead, because Node drains up to 1000 port messages per
 * event-loop turn and would otherwise starve timers (the session's metric flushes among them).
 */
export function messageChannelYield(timerEveryMs = 50, now = () => performance.now()): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  let lastTimer = now();
  return () =>
    new Promise<void>((resolve) => {
      if (now() - lastTimer >= timerEveryMs) {
        lastTimer = now();
        setTimeout(resolve, 0);
        return;
      }
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/**
 * Runs a trainer in slices. All trainer calls go through one promise chain, so an evaluation never overlaps
 * steps from a newer slice, and play → pause → play in quick succession never starts two loops.
 */
export class TrainingLoop<P> {
  readonly #trainer: LoopTrainer<P>;
  readonly #listener: LoopListener<P>;
  readonly #evalEvery: number;
  readonly #sliceMs: number;
  readonly #progressEveryMs: number;
  readonly #now: () => number;
  readonly #yield: () => Promise<void>;

  #running = false;
  /** Bumped by play/pause/stop; a loop exits as soon as its generation is no longer current. */
  #generation = 0;
  #chain: Promise<void> = Promise.resolve();
  #step = 0;
  #sinceEval = 0;
  /** Steps per slice, adapted from the measured throughput. */
  #chunk = 1;
  #stepsPerSecond = 0;
  #lastProgress = -Infinity;
  /** Most steps per second (null = unlimited). */
  #speed: number | null = null;
  /** Tasks waiting for the gap between two slices (see exec). */
  readonly #between: (() => Promise<void>)[] = [];
  /** Play pauses by itself at this step (null = never); playing on past it is not limited again. */
  #stopAt: number | null = null;

  constructor(trainer: LoopTrainer<P>, options: LoopOptions, listener: LoopListener<P>) {
    if (!Number.isInteger(options.evalEvery) || options.evalEvery < 1) {
      throw new LoopConfigError(`evalEvery must be a positive integer (got ${options.evalEvery})`);
    }
    this.#trainer = trainer;
    this.#listener = listener;
    this.#evalEvery = options.evalEvery;
    this.#sliceMs = options.sliceMs ?? 16;
    this.#progressEveryMs = options.progressEveryMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
    this.#yield = options.yieldNow ?? messageChannelYield();
  }

  get step(): number {
    return this.#step;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Evaluates now (after any queued work) and reports the point. */
  evaluate(): Promise<void> {
    return this.#enqueue(() => this.#evaluate());
  }

  /** Starts stepping; a no-op when already running. */
  play(): void {
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    this.#progress(true);
    void this.#enqueue(() => this.#run(generation));
  }

  /** Stops after the current slice and evaluates once more if steps were taken since the last evaluation. */
  pause(): Promise<void> {
    if (this.#running) {
      this.#running = false;
      this.#generation++;
    }
    return this.#enqueue(async () => {
      if (this.#sinceEval > 0) await this.#evaluate();
      this.#progress(true);
    });
  }

  /** Limits the loop to `stepsPerSecond` (null = as fast as possible); takes effect at the next slice. */
  setSpeed(stepsPerSecond: number | null): void {
    this.#speed = stepsPerSecond !== null && stepsPerSecond > 0 ? stepsPerSecond : null;
  }

  /** Pauses play at step `step` (null = never); applies from the next slice, only while the race is short of it. */
  setStopAt(step: number | null): void {
    this.#stopAt = step !== null && Number.isInteger(step) && step > 0 ? step : null;
  }

  /**
   * Takes `n` steps then evaluates (the Step buttons); queued behind any running slice. Steps that cross the
   * evaluation grid are evaluated there too, so ×100 draws the same points play would have. The steps go in
   * slices like play's, with progress reported and the thread yielded between them: ×100 on MNIST takes
   * seconds on the CPU, and the page shows how far it got instead of nothing.
   */
  stepOnce(n: number): Promise<void> {
    return this.#enqueue(async () => {
      for (let left = n; left > 0;) {
        const k = Math.min(left, this.#toGrid(), this.#chunk);
        const start = this.#now();
        await this.#trainer.step(k);
        this.#step += k;
        this.#sinceEval += k;
        left -= k;
        this.#fitChunk(k, this.#now() - start);
        if (left === 0) break;
        if (this.#step % this.#evalEvery === 0) await this.#evaluate();
        this.#progress(false);
        await this.#yield();
      }
      await this.#evaluate();
      this.#progress(true);
    });
  }

  /** Sizes the next slice from one that took `ms` for `k` steps: a slice's worth, at most an evaluation interval. */
  #fitChunk(k: number, ms: number): void {
    const target = ms > 0 ? Math.round((k * this.#sliceMs) / ms) : 2 * k;
    this.#chunk = Math.min(this.#evalEvery, Math.max(1, target));
  }

  /** Steps to the next multiple of evalEvery: play evaluates on that grid whatever single steps came before. */
  #toGrid(): number {
    return this.#evalEvery - (this.#step % this.#evalEvery);
  }

  /**
   * Runs `task` never in the middle of a slice or an evaluation: between two slices while playing (play is
   * one long task on the chain, so queueing behind it would wait for a pause that may never come), else on
   * the chain. Rejects with the task's error; the loop goes on either way.
   */
  exec(task: () => Promise<void>): Promise<void> {
    if (!this.#running) return this.#enqueue(task);
    return new Promise<void>((resolve, reject) => {
      this.#between.push(() => task().then(resolve, reject));
    });
  }

  /** Runs the tasks exec() queued for the gap between two slices. */
  async #drainBetween(): Promise<void> {
    while (this.#between.length > 0) await this.#between.shift()!();
  }

  /** Stops without a final evaluation; resolves when the trainer is no longer in use (safe to dispose). */
  stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    return this.#enqueue(() => Promise.resolve());
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(task).catch((err: unknown) => {
      this.#running = false;
      this.#generation++;
      this.#listener.error(err);
    });
    this.#chain = next;
    return next;
  }

  async #run(generation: number): Promise<void> {
    try {
      await this.#slices(generation);
    } finally {
      // Tasks queued while playing run even when play ended (pause, budget, error) before their gap came.
      await this.#drainBetween();
    }
  }

  async #slices(generation: number): Promise<void> {
    let intervalStart = this.#now();
    let intervalSteps = 0;
    while (generation === this.#generation) {
      await this.#drainBetween();
      if (generation !== this.#generation) return;
      const cap = this.#speed === null ? Infinity : Math.max(1, Math.round((this.#speed * this.#sliceMs) / 1000));
      const budget = this.#stopAt !== null && this.#step < this.#stopAt ? this.#stopAt - this.#step : Infinity;
      const k = Math.min(this.#chunk, cap, this.#toGrid(), budget);
      const sliceStart = this.#now();
      await this.#trainer.step(k);
      this.#step += k;
      this.#sinceEval += k;
      intervalSteps += k;
      // The CPU backend computes inside step(): shrink the chunk at once when a slice overruns.
      if (this.#now() - sliceStart > 2 * this.#sliceMs) this.#chunk = Math.max(1, this.#chunk >> 1);
      if (this.#step % this.#evalEvery === 0) {
        // On WebGPU step() only queues work; the evaluation waits for it, so throughput is measured per interval.
        await this.#evaluate();
        const elapsed = this.#now() - intervalStart;
        if (elapsed > 0) {
          this.#stepsPerSecond = (1000 * intervalSteps) / elapsed;
          const target = Math.round((this.#stepsPerSecond * this.#sliceMs) / 1000);
          this.#chunk = Math.min(this.#evalEvery, Math.max(1, target));
        }
        intervalStart = this.#now();
        intervalSteps = 0;
      }
      if (this.#step === this.#stopAt) {
        // The budget is spent: pause here, with the budget's step evaluated, exactly as a click on Pause would.
        this.#running = false;
        this.#generation++;
        if (this.#sinceEval > 0) await this.#evaluate();
        this.#progress(true);
        this.#listener.budgetReached?.(this.#step);
        return;
      }
      this.#progress(false);
      await this.#yield();
      if (this.#speed !== null) {
        // Sleep off what the slice did not use of its share of time at the chosen speed.
        const wait = (1000 * k) / this.#speed - (this.#now() - sliceStart);
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async #evaluate(): Promise<void> {
    const point = await this.#trainer.evaluate();
    this.#sinceEval = 0;
    this.#listener.metrics(point);
  }

  /** Sets the step counter (after a race was rebuilt from a checkpoint). */
  restoreStep(step: number): void {
    this.#step = step;
    this.#sinceEval = 0;
  }

  #progress(force: boolean): void {
    const t = this.#now();
    if (!force && t - this.#lastProgress < this.#progressEveryMs) return;
    this.#lastProgress = t;
    this.#listener.progress(this.#step, this.#running, this.#stepsPerSecond);
  }
}
