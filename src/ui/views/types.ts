/**
 * Props contracts of the presentational views in src/ui/views (task views and "Inside FishLeg").
 * The app layer (worker → store → App) produces these plain objects; the views only draw them.
 * Every array may be empty or hold NaN while a run is starting: the views then show "no data yet".
 */

/** One run as the views need it: a stable id, a display name and its CSS colour (e.g. '#1f77b4'). */
export interface RunRef {
  id: string;
  name: string;
  colour: string;
}

/** Training points of a 2D task. */
export interface TaskPoints {
  /** Row-major n×2 coordinates (x0, y0, x1, y1, …). */
  x: Float32Array;
  /** Class index per point, in [0, classes). */
  labels: Uint32Array;
  /** Number of classes (2 for spiral/circles/xor, k for gaussians). */
  classes: number;
}

/** A model's class probabilities evaluated on a regular grid over the input plane. */
export interface ProbabilityGrid {
  /** Grid points per side; the grid has size×size cells. */
  size: number;
  /** [xmin, xmax, ymin, ymax] covered by the grid (cell centres span it inclusive). */
  extent: [number, number, number, number];
  /**
   * Row-major size²×classes probabilities (rows sum to 1). Grid row r has y = ymin + r·(ymax−ymin)/(size−1)
   * (row 0 at ymin, drawn at the bottom); column c has x = xmin + c·(xmax−xmin)/(size−1).
   * For a single-logit Bernoulli model pass classes = 2 with (1−p, p).
   */
  probs: Float32Array;
}

/** Props of `DecisionBoundaries`: one heat map per run, side by side, with the data drawn on top. */
export interface DecisionBoundaryProps {
  points: TaskPoints;
  /** `grid` is null until the run has reported one. */
  runs: (RunRef & { grid: ProbabilityGrid | null })[];
  /** Pixel size of each square map (default 220). */
  mapSize?: number;
}

/** Props of `Reconstructions` (the MNIST autoencoder): originals in the first row, one row per run below. */
export interface ReconstructionsProps {
  /** Image size in pixels (28×28 for MNIST). */
  width: number;
  height: number;
  /** Each image row-major width×height, values in [0, 1]. */
  originals: Float32Array[];
  /**
   * recon[i] reconstructs originals[i]. Values are probabilities in [0, 1] (sigmoid already applied)
   * unless `logits` is true, in which case the view applies the sigmoid.
   */
  runs: (RunRef & { recon: Float32Array[] })[];
  logits?: boolean;
  /** Drawn pixels per image pixel (default 3). */
  scale?: number;
}

/** Props of `Predictions` (MNIST classification): each digit with every run's predicted class and probability bars. */
export interface PredictionsProps {
  width: number;
  height: number;
  /** Each image row-major width×height, values in [0, 1]. */
  images: Float32Array[];
  /** True class of each image (optional: omitted for unlabelled data). */
  labels?: Uint32Array;
  /** Number of classes (10 for MNIST). */
  classes: number;
  /** probs[i] is a `classes`-long probability vector for images[i] (softmax already applied). */
  runs: (RunRef & { probs: Float32Array[] })[];
  scale?: number;
}

/** One point of a logged history. */
export interface HistoryPoint {
  step: number;
  value: number;
}

/** Props of `InsideFishLeg`: the learned Q of one small layer next to the true inverse damped Fisher. */
export interface InsideFishLegProps {
  runName: string;
  /** Which layer: index in the network, m outputs, n inputs; the block has d = m·(n+1) rows. */
  layer: { index: number; m: number; n: number };
  /**
   * Row-major d×d dense matrix of Q(λ) for that layer, vec ordering = row-major of the m×(n+1) matrix
   * W̄ = [W | b] (index i·(n+1)+j). null until the worker has materialised it.
   */
  q: Float64Array | Float32Array | null;
  /** Row-major d×d (F + γI)⁻¹ of the same layer block, same ordering; null if not computed yet. */
  fInv: Float64Array | Float32Array | null;
  /** ‖Q − F_γ⁻¹‖_F / ‖F_γ⁻¹‖_F over steps. */
  errorHistory: { step: number; relError: number }[];
  /** Auxiliary loss A = (½vᵀF_γv − uᵀv)/‖u‖² over steps (docs/fishleg.md §5.6). */
  auxLossHistory: { step: number; auxLoss: number }[];
  /** γ, the damping. */
  damping: number;
  /** Pixel size of each heat map (default 240). */
  mapSize?: number;
  /** Show the typeset explanations below the maps (default true). */
  explanations?: boolean;
}

/** Props of `TwoParamDemo`: self-contained; everything is optional. */
export interface TwoParamDemoProps {
  /** Learning rate of plain gradient descent (default 3, about 1/λ_max of the Fisher: near the stability edge). */
  gdLr?: number;
  /** Learning rate of natural-gradient descent (default 0.25; 1 would be Newton's method). */
  ngdLr?: number;
  /** Damping γ of the 2×2 Fisher (default 0.01). */
  damping?: number;
  /** Steps computed per path (default 60). */
  steps?: number;
  /** Canvas size in CSS pixels (default 380). */
  size?: number;
}
