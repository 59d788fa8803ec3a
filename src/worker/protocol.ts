/**
 * The typed message protocol (v2) between the UI thread and the training worker. Commands flow UI → worker,
 * events flow worker → UI; both are discriminated unions on `type`. A race (one dataset, several runs in
 * lock-step) is identified by `raceId`, fresh on every setup, so events still in flight from an older race are
 * dropped by the client; runs inside a race are identified by their `runId` (stable ids from the config).
 */
import type {
  BackendChoice,
  FallbackKind,
  EvalResult,
  FishLegApprox,
  LayerInfo,
  ImageShape,
  LayerFilters,
  OptimizerConfig,
  Activation,
  Likelihood,
  TaskName,
  FeatureId,
  StepMeasures,
  TrainerCheckpoint,
  WholeStepMeasures,
} from '../engine/index.ts';

/** Which backend to ask for: 'auto' takes WebGPU when an adapter exists and falls back to the CPU. */
export type { BackendChoice };

/** Where the data comes from: a built-in task or the user's CSV. */
export type TaskChoice = TaskName | 'csv';

/** The dataset of a race; toys use n, noise and seed, CSV uses the file's text. */
export interface DataSpec {
  readonly task: TaskChoice;
  /** Toys: total points (train + test) and jitter. */
  readonly n: number;
  readonly noise: number;
  /** Toys: share of the n points held out as the test split (default TOY_DEFAULTS' 0.2). */
  readonly testFraction?: number;
  /**
   * Toys: the input features the network is fed (engine/data/features.ts ids, in FEATURES' order); absent
   * for the plane itself, x₁ and x₂.
   */
  readonly features?: readonly FeatureId[];
  /** Seeds the data, the initial weights and the batches of every run. */
  readonly seed: number;
  /**
   * How many seeds every run trains on (default 1): `seed`, `seed + 1`, … (worker/seeds.ts). Each seed's
   * replica of a run is what a one-seed race with that seed would train.
   */
  readonly seeds?: number;
  /** Only for task 'csv'. */
  readonly csv?: { readonly name: string; readonly text: string };
}

/** The model and schedule shared by every run of a race. */
export interface ModelSpec {
  /** Hidden layers in the engine's architecture syntax, e.g. '16t-16t' ('' = none); widths of input and output come from the data. */
  readonly hidden: string;
  /** 'auto' = the data's default (categorical / bernoulli / gaussian). */
  readonly likelihood: Likelihood | 'auto';
  readonly batch: number;
  /** Evaluate (one GPU→CPU readback per run) once every this many steps. */
  readonly evalEvery: number;
}

/** What a learning-rate search minimised at its budget: the final training loss or the held-out test loss. */
export type TuneObjective = 'train' | 'test';

/**
 * The budget a run's learning rate was tuned on (worker/tune.ts): it holds while the run's rate is still `lr`,
 * so that editing the rate by hand takes the "tuned" badge away by itself.
 */
export interface TunedMarker {
  readonly lr: number;
  readonly steps: number;
  readonly seeds: readonly number[];
  readonly objective: TuneObjective;
}

/** One racer. */
export interface RunSpec {
  readonly id: string;
  readonly name: string;
  /** CSS colour, '#rrggbb'. */
  readonly colour: string;
  readonly optimizer: OptimizerConfig;
  /** Set when its learning rate came from a search on the race's own budget. */
  readonly tuned?: TunedMarker;
}

/** Which FishLeg run and layer the Inside-FishLeg view shows (null = none). */
export interface InspectSpec {
  readonly runId: string | null;
  readonly layer: number;
}

/** Everything the worker needs to build a race. */
export interface RaceSpec {
  readonly data: DataSpec;
  readonly model: ModelSpec;
  readonly runs: readonly RunSpec[];
  readonly inspect: InspectSpec;
  /** Compute the network view (NetworkFrame) with each 2D task frame; off unless a view shows it. */
  readonly network?: boolean;
}

/** One evaluation of one run: the engine's EvalResult plus FishLeg's aux loss and the measured step time. */
export interface MetricPoint extends EvalResult {
  /** Mean auxiliary loss since the previous evaluation (FishLeg only; null otherwise or without an update). */
  readonly auxLoss: number | null;
  /** Training milliseconds per step since the previous evaluation (NaN at step 0). */
  readonly msPerStep: number;
}

/** Steps per second the loop may take at most; null = as fast as the device goes. */
export type Speed = number | null;

export type Command =
  | { readonly type: 'init'; readonly requestId: number; readonly backend: BackendChoice }
  /**
   * Disposes the current race (if any) and builds a new one at step 0, paused; with `resume`, from that saved
   * state instead (its runs matched to `spec.runs` by position), or at step 0 when it cannot be restored.
   */
  | {
      readonly type: 'setup';
      readonly requestId: number;
      readonly raceId: number;
      readonly spec: RaceSpec;
      readonly resume?: SavedRaceState;
    }
  | { readonly type: 'play'; readonly raceId: number }
  | { readonly type: 'pause'; readonly raceId: number }
  /** Takes `steps` steps on every live run, then evaluates (paused races only). */
  | { readonly type: 'step'; readonly raceId: number; readonly steps: number }
  | { readonly type: 'speed'; readonly raceId: number; readonly speed: Speed }
  /** Play pauses by itself at this step (null = no budget). */
  | { readonly type: 'stopAt'; readonly raceId: number; readonly step: number | null }
  /** Live hyperparameter change of one run (same optimizer kind); a new FishLeg approx switches at the next step. */
  | { readonly type: 'update'; readonly raceId: number; readonly runId: string; readonly optimizer: OptimizerConfig }
  | { readonly type: 'remove'; readonly raceId: number; readonly runId: string }
  /**
   * Adds a run mid-race without a restart: a branch of run `from` (its weights and whole optimizer state at
   * the current step), or with `from` null a new run that catches up from step 0 on the same batches.
   */
  | { readonly type: 'addRun'; readonly raceId: number; readonly run: RunSpec; readonly from: string | null }
  | { readonly type: 'inspect'; readonly raceId: number; readonly inspect: InspectSpec }
  /** The network view appeared (on) or went (off): compute its data with the task frames, or stop. */
  | { readonly type: 'network'; readonly raceId: number; readonly on: boolean }
  /** Test hook: destroys the GPU device so the recovery path can be exercised end to end. */
  | { readonly type: 'loseDevice'; readonly raceId: number }
  /**
   * Asks for the race's saved state (answered by a `snapshot` event): paused, a fresh checkpoint at the current
   * step; playing, the last periodic checkpoint and the changes since (no readback, the loop is not held up).
   */
  | { readonly type: 'snapshot'; readonly raceId: number }
  | TuneCommand;

/**
 * Learning-rate tuning of the race's runs (worker/tune.ts) on the race's own task, model and batch, beside the
 * race: training pauses while it runs (play and step are ignored), other commands keep working, and `cancelTune`
 * stops it within a slice of steps (or after the evaluation under way). Answered by `tuneProgress` events and one `tuneDone`, `tuneCancelled` or
 * `tuneFailed`.
 */
export type TuneCommand =
  | {
      readonly type: 'tune';
      readonly raceId: number;
      readonly tuneId: number;
      /** The runs to tune (null: every run of the race), with their settings as the race has them now. */
      readonly runIds: readonly string[] | null;
      readonly steps: number;
      readonly seeds: readonly number[];
      readonly objective: TuneObjective;
    }
  | { readonly type: 'cancelTune'; readonly raceId: number; readonly tuneId: number };

/** Which backend the worker ended up with, and why when it is not the one asked for. */
export interface BackendInfo {
  readonly name: 'cpu' | 'webgpu';
  readonly description: string;
  /** Set when 'auto' or 'webgpu' was asked for and the CPU was used instead. */
  readonly fallbackReason?: string;
  /** Why: WebGPU is missing or failed, or its only adapter is a software emulation the CPU backend outruns. */
  readonly fallbackKind?: FallbackKind;
}

/** What the UI needs to know about the data of a race. */
export interface DataInfo {
  readonly name: string;
  readonly kind: 'classification' | 'regression' | 'autoencoder';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly likelihood: Likelihood;
  /** The full architecture string the runs use. */
  readonly arch: string;
  readonly params: number;
  /** Each layer as its kind describes it, for the Inside view's layer picker. */
  readonly layers: readonly LayerInfo[];
  readonly numClasses?: number;
}

/** Task-view data that does not change during a race (sent once). */
export type TaskStatic =
  | {
      readonly kind: 'points';
      readonly x: Float32Array;
      readonly labels: Uint32Array;
      readonly classes: number;
      /** The test split's points (at most as many as the training points shown), for "show test data". */
      readonly testX?: Float32Array;
      readonly testLabels?: Uint32Array;
      /** The input features the network is fed, computed from each point (absent: x₁ and x₂ themselves). */
      readonly features?: readonly FeatureId[];
    }
  | {
      /** A 2D regression toy: points with real targets, and the noise-free target on the view's grid. */
      readonly kind: 'field';
      readonly x: Float32Array;
      readonly y: Float32Array;
      readonly size: number;
      readonly extent: [number, number, number, number];
      /** The task's target on the grid (size² cells, row 0 at y = ymin). */
      readonly target: Float32Array;
      readonly features?: readonly FeatureId[];
    }
  | {
      readonly kind: 'images';
      readonly width: number;
      readonly height: number;
      readonly images: Float32Array[];
      readonly labels?: Uint32Array;
      readonly classes: number;
    }
  | { readonly kind: 'none' };

/**
 * A 2D task's network on the decision-boundary grid: the first units of each layer (at most MAX_NETWORK_UNITS), each
 * hidden unit's activation over the grid, and the weights between the units drawn.
 */
export interface NetworkFrame {
  /** Units per layer, inputs first, outputs last (the model's real widths). */
  readonly widths: readonly number[];
  /** Units drawn per layer (the first ones), ≤ widths. */
  readonly shown: readonly number[];
  /** Each hidden layer's activation function. */
  readonly acts: readonly Activation[];
  /** Per hidden layer: shown units' activations over the grid, unit-major (unit u's size² cells at u·size²). */
  readonly hidden: readonly Float32Array[];
  /** Per layer l (into layer l + 1): shown[l+1]×shown[l] weights, row-major (row i: into unit i), biases left out. */
  readonly weights: readonly Float32Array[];
  /** The input units' features (TaskStatic's), absent for x₁ and x₂ themselves. */
  readonly features?: readonly FeatureId[];
}

/** A run's task-view data at some step. */
export type TaskFrame =
  /** A 2D regression toy: the model's prediction on TaskStatic's grid (size² cells, row 0 at y = ymin). */
  | {
      readonly kind: 'field';
      readonly size: number;
      readonly values: Float32Array;
      /** The network view's data on the same grid, when the race was asked for it (RaceSpec.network). */
      readonly network?: NetworkFrame;
    }
  | {
      readonly kind: 'grid';
      readonly size: number;
      readonly extent: [number, number, number, number];
      readonly probs: Float32Array;
      /** The network view's data on the same grid, when the race was asked for it (RaceSpec.network). */
      readonly network?: NetworkFrame;
    }
  /** Autoencoder: logits of each reconstruction; classification: softmax probabilities per image. */
  | { readonly kind: 'recon'; readonly logits: Float32Array[] }
  | { readonly kind: 'probs'; readonly probs: Float32Array[]; readonly conv?: ConvFrame };

/** One layer's output on each of TaskStatic's test images, for the feature-map view. */
export interface LayerActivations {
  readonly kind: string;
  /** The layer's description (LayerView.label). */
  readonly label: string;
  /** Its output as feature maps (NHWC values), absent for a flat output (drawn as bars). */
  readonly maps?: ImageShape;
  /** Per test image, the layer's m outputs after its activation. */
  readonly values: readonly Float32Array[];
}

/**
 * An image classifier's filters and feature maps at some step: the first layer's filters (when its weights
 * form images) and every hidden layer's output on each of TaskStatic's test images (the output layer's is
 * the frame's probs).
 */
export interface ConvFrame {
  /** The network's input image. */
  readonly input: ImageShape;
  /** The first layer's filters and their weights, filter-major, plane by plane (LayerFilters without ld). */
  readonly filters: (Omit<LayerFilters, 'ld'> & { readonly values: Float32Array }) | null;
  readonly layers: readonly LayerActivations[];
}

/** Inside-FishLeg data of one run and layer. */
export interface InsideFrame {
  readonly runId: string;
  readonly step: number;
  readonly layer: LayerInfo & { readonly index: number };
  readonly damping: number;
  readonly q: Float64Array | null;
  readonly fInv: Float64Array | null;
  readonly relError: number | null;
  /** Set when the layer or model is too large to materialise. */
  readonly note?: string;
  /**
   * How good FishLeg's step is on this layer (engine/fishleg/step-measures.ts), and over the whole model where
   * its exact Fisher fits (`whole`, else null); null before the first step, absent for a layer too large to
   * measure (`note` says why).
   */
  readonly measures?: (StepMeasures & { readonly whole: WholeStepMeasures | null }) | null;
  /** Training rows the exact Fisher block was averaged over. */
  readonly fisherRows?: number;
  /** Earlier frames' scalar measures of the same run and layer, oldest first (kept by the UI's store). */
  readonly history?: readonly InsideHistoryPoint[];
  /**
   * The same layer's inverse-Fisher block of the race's other runs whose optimizer offers one (K-FAC), each
   * with its relative error to the exact (F + γI)⁻¹ of its own weights and γ; absent when there is none.
   */
  readonly comparisons?: readonly InverseComparison[];
}

/** Another run's dense preconditioner block for the Inside view's side-by-side maps. */
export interface InverseComparison {
  readonly runId: string;
  /** What the matrix is, e.g. 'K-FAC (Ĝ ⊗ Â)⁻¹'. */
  readonly label: string;
  readonly damping: number;
  readonly matrix: Float64Array;
  /** The exact (F + γI)⁻¹ it approximates: F the exact Fisher block on that run's weights, γ its damping. */
  readonly exact: Float64Array;
  /** ‖M − (F + γI)⁻¹‖_F / ‖(F + γI)⁻¹‖_F. */
  readonly relError: number;
}

/** The scalar measures of one Inside-FishLeg frame, for the charts over time. */
export interface InsideHistoryPoint {
  readonly step: number;
  readonly cosFishLeg: number;
  readonly cosGradient: number;
  readonly auxLoss: number;
  readonly auxOptimum: number;
  /** null for blocks too large for heat maps. */
  readonly relError: number | null;
  /** The whole-model cosines (WholeStepMeasures.cosFishLeg / cosGradient); null for large models. */
  readonly wholeCosFishLeg: number | null;
  readonly wholeCosGradient: number | null;
}

/** The worker's answers to a TuneCommand. */
export type TuneEvent =
  /** Fraction of the search done, 0…1 (an estimate once the grid grows past an end). */
  | { readonly type: 'tuneProgress'; readonly raceId: number; readonly tuneId: number; readonly done: number }
  | { readonly type: 'tuneDone'; readonly raceId: number; readonly tuneId: number; readonly report: TuneReport }
  | { readonly type: 'tuneCancelled'; readonly raceId: number; readonly tuneId: number }
  | { readonly type: 'tuneFailed'; readonly raceId: number; readonly tuneId: number; readonly message: string };

/** One learning rate of one run, over every seed. */
export interface TunePoint {
  readonly lr: number;
  /** Final training loss per seed (null where it diverged). */
  readonly train: readonly (number | null)[];
  /** Final test loss per seed (null where it diverged or the task has no test split). */
  readonly test: readonly (number | null)[];
  readonly diverged: boolean;
  /** Mean of the objective over the seeds; +∞ when diverged. */
  readonly score: number;
}

export interface TuneResult {
  readonly runId: string;
  readonly name: string;
  readonly kind: OptimizerConfig['kind'];
  /** By increasing lr. */
  readonly points: readonly TunePoint[];
  /** The chosen rate, or null when every rate diverged. */
  readonly best: number | null;
  /** The rate the run had before tuning. */
  readonly original: number;
  /** Set when the best rate is still at an end of the grid after every extension. */
  readonly atEdge: 'low' | 'high' | null;
}

export interface TuneReport {
  readonly objective: TuneObjective;
  readonly steps: number;
  readonly seeds: readonly number[];
  readonly results: readonly TuneResult[];
}

export type WorkerEvent =
  | TuneEvent
  | { readonly type: 'ready'; readonly requestId: number; readonly backend: BackendInfo }
  /** Bytes of a dataset download (MNIST); total is null when the server does not say. */
  | { readonly type: 'loading'; readonly raceId: number; readonly loaded: number; readonly total: number | null }
  /** A run added mid-race is catching up (step of target); sent as it goes, last with step = target. */
  | {
      readonly type: 'catchUp';
      readonly raceId: number;
      readonly runId: string;
      readonly step: number;
      readonly target: number;
    }
  /** Play paused itself at the race's step budget. */
  | { readonly type: 'budgetReached'; readonly raceId: number; readonly step: number }
  /** GPU kernels of a new race being compiled (WebGPU only; the first step waits for them). */
  | { readonly type: 'compiling'; readonly raceId: number; readonly done: number; readonly total: number }
  | {
      readonly type: 'raceReady';
      readonly requestId: number;
      readonly raceId: number;
      readonly data: DataInfo;
      readonly task: TaskStatic;
      /** A setup with `resume`: the step the race was restored at, or why it could not be (it is at step 0). */
      readonly restoredStep?: number;
      readonly resumeError?: string;
    }
  /** The answer to `snapshot`; every evaluation up to the current step has been sent before it. */
  | { readonly type: 'snapshot'; readonly raceId: number; readonly state: SavedRaceState }
  /** Evaluations, oldest first, several runs and steps batched into one message. */
  | {
      readonly type: 'metrics';
      readonly raceId: number;
      /** `seed` is set in a race on several seeds: which seed's replica of the run this point is. */
      readonly points: readonly { readonly runId: string; readonly point: MetricPoint; readonly seed?: number }[];
    }
  /** Throttled progress between evaluations (steps are counted without any readback). */
  | {
      readonly type: 'progress';
      readonly raceId: number;
      readonly step: number;
      readonly running: boolean;
      readonly stepsPerSecond: number;
    }
  /**
   * In a race on several seeds, with `seed`: that seed's replica stopped; without: the run's last replica did
   * (the run no longer steps).
   */
  | {
      readonly type: 'diverged';
      readonly raceId: number;
      readonly runId: string;
      readonly step: number;
      readonly seed?: number;
    }
  /**
   * A live change of a run's settings took effect at `step` (the first step that uses `to`); an approximation
   * change is also announced by 'switched'.
   */
  | {
      readonly type: 'changed';
      readonly raceId: number;
      readonly runId: string;
      readonly step: number;
      readonly from: OptimizerConfig;
      readonly to: OptimizerConfig;
    }
  /** A branch (addRun with `from`) took `from`'s whole state at `step`, its fork. */
  | {
      readonly type: 'branched';
      readonly raceId: number;
      readonly runId: string;
      readonly from: string;
      readonly step: number;
    }
  | {
      readonly type: 'switched';
      readonly raceId: number;
      readonly runId: string;
      readonly step: number;
      readonly approx: FishLegApprox;
    }
  | { readonly type: 'taskFrame'; readonly raceId: number; readonly runId: string; readonly frame: TaskFrame }
  | { readonly type: 'insideFrame'; readonly raceId: number; readonly frame: InsideFrame }
  /** The GPU device was lost; `restoredStep` is set once the race was rebuilt from its checkpoint at that step. */
  | { readonly type: 'deviceLost'; readonly raceId: number; readonly message: string; readonly restoredStep?: number }
  | {
      readonly type: 'error';
      readonly requestId?: number;
      readonly raceId?: number;
      readonly runId?: string;
      readonly name: string;
      readonly message: string;
    };

/** A queued live change, as data: it outlives the race it was queued on (a rebuild re-queues it). */
export interface LiveChange {
  readonly runId: string;
  readonly optimizer: OptimizerConfig;
  /** The UI has already been told of the switch this change makes (a replay must not announce it twice). */
  readonly announced?: boolean;
}

/** A change applied at `step` (the journal), or to apply when the race gets there (a replay after a rebuild). */
export interface StepChange extends LiveChange {
  readonly step: number;
}

/** What a run is rebuilt from. */
export interface RacerCheckpoint {
  /** The run's settings when it was taken (its optimizer settings are those in `state`). */
  readonly spec: RunSpec;
  /** null before the first checkpoint: the run as built, at step 0. */
  readonly state: TrainerCheckpoint | null;
  /** Training seconds at the checkpoint. */
  readonly seconds: number;
}

/** One run of a SavedRaceState. */
export interface SavedRacer {
  /** Its settings now (those the UI shows); a live run is rebuilt with its checkpoint's and the changes since. */
  readonly spec: RunSpec;
  readonly checkpoint: RacerCheckpoint;
  readonly diverged: number | null;
  /** The step-0 loss its divergence watch compares to (null before the first evaluation). */
  readonly initialLoss: number | null;
  /** In a race on several seeds: the run's replicas on the seeds after the first, in seed order. */
  readonly replicas?: readonly SavedReplica[];
}

/** One more seed's replica of a saved run (its settings are the run's). */
export interface SavedReplica {
  readonly seed: number;
  readonly checkpoint: RacerCheckpoint;
  readonly diverged: number | null;
  readonly initialLoss: number | null;
}

/**
 * What a race is rebuilt from, as plain structured-clonable data: every run's last checkpoint and the live
 * changes made since (with the steps they were made at), so that the rebuilt race retraces the saved one
 * exactly. A device loss rebuilds from it in memory; the page keeps it across reloads (ui/saved-state.ts).
 */
export interface SavedRaceState {
  /** The step every live run restarts from. */
  readonly step: number;
  readonly runs: readonly SavedRacer[];
  readonly changes: readonly StepChange[];
}
