/**
 * Props contracts of the presentational views in src/ui/views (task views and "Inside FishLeg").
 * The app layer (worker → store → App) produces these plain objects; the views only draw them.
 * Every array may be empty or hold NaN while a run is starting: the views then show "no data yet".
 */
import type { FeatureId } from '../../engine/page.ts';

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
  /** The test split's points: a "show test data" switch draws them as rings over the training points. */
  testPoints?: TaskPoints;
  /** Whether the test points are shown, when the caller keeps that (it outlives a race); else the view does. */
  showTest?: boolean;
  onShowTest?: (show: boolean) => void;
  /** Pixel size of each square map (default 220). */
  mapSize?: number;
}

/**
 * A model's network on a ProbabilityGrid (the worker's NetworkFrame): real widths per layer, inputs first, the
 * units drawn (the first ones of each layer), hidden activations, and the weights between drawn units.
 */
export interface NetworkData {
  widths: readonly number[];
  shown: readonly number[];
  /** Activation function of each hidden layer ('tanh', 'relu', …). */
  acts: readonly string[];
  /** Per hidden layer: shown units × size² values, unit-major, grid row 0 at ymin. */
  hidden: readonly Float32Array[];
  /** Per layer l → l + 1: shown[l+1]×shown[l] weights, row-major. */
  weights: readonly Float32Array[];
  /** The input units' features (engine/data/features.ts); absent: x₁ and x₂ themselves. */
  features?: readonly FeatureId[];
}

/** Props of `NetworkDiagram`: one run at a time (a selector picks it), each with its grid and network data. */
export interface NetworkDiagramProps {
  runs: (RunRef & { grid: (ProbabilityGrid & { network?: NetworkData }) | null })[];
  classes: number;
  /**
   * A regression task: each grid's `probs` holds the predicted value per cell (classes = 1), drawn on the
   * diverging scale ±valueRange (the regression maps' own) with a legend, instead of as probabilities.
   */
  valueRange?: number;
  /** Pixel size of the enlarged unit (default 200). */
  largeSize?: number;
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
  /**
   * Which layer: index in the network, its parameters' shape as its kind prints it (e.g. '16×(2+1)') and their
   * number d, the rows of the block.
   */
  layer: { index: number; label: string; size: number };
  /**
   * Row-major d×d dense matrix of Q(λ) for that layer, vec ordering = the layer's parameter layout (a dense
   * layer: row-major of the m×(n+1) matrix W̄ = [W | b], index i·(n+1)+j). null until the worker has materialised it.
   */
  q: Float64Array | Float32Array | null;
  /** Row-major d×d (F + γI)⁻¹ of the same layer block, same ordering; null if not computed yet. */
  fInv: Float64Array | Float32Array | null;
  /** ‖Q − F_γ⁻¹‖_F / ‖F_γ⁻¹‖_F of these q and fInv (the worker computes it); null when not computed. */
  relError?: number | null;
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
  /** What FishLeg's step does with the gradient on this layer, from the latest frame; null/absent until then. */
  measures?: InsideMeasures | null;
  /** The scalar measures over steps. */
  measureHistory?: InsideMeasurePoint[];
  /**
   * Why the step measures are never computed for this layer (too many weights): said in place of the headline,
   * and the charts that would wait for them are left out.
   */
  beyond?: string;
  /** Training rows the exact Fisher was averaged over. */
  fisherRows?: number;
  /** The run's and its frozen-Q control's train losses at their latest common evaluation (q-helping.ts). */
  control?: ControlLosses | null;
  /** The run's own Q is frozen (it is a control). */
  qFrozen?: boolean;
  /**
   * Other runs' dense inverse-Fisher blocks of the same layer (K-FAC's Ĝ⁻¹ ⊗ Â⁻¹), drawn next to Q and the
   * exact inverse on one colour scale; each relError is against the exact (F + γI)⁻¹ of that run's weights.
   */
  comparisons?: readonly InsideComparison[];
}

/** One other run's block in the side-by-side maps. */
export interface InsideComparison {
  runName: string;
  label: string;
  damping: number;
  matrix: Float64Array | Float32Array;
  /** The exact (F + γI)⁻¹ of that run's weights and γ, which relError measures against. */
  exact: Float64Array | Float32Array;
  relError: number;
}

/** Q's diagonal in the eigenbasis of the layer's Fisher F_l (listed directions largest λ first) and the rest. */
export interface InsideSpectrum {
  lambda: ArrayLike<number>;
  /** u_jᵀ Q u_j. */
  q: ArrayLike<number>;
  /** Share of the gradient's squared length along u_j. */
  share: ArrayLike<number>;
  /** Every other direction as one aggregate (smaller λ and F_l's null space, exact value 1/γ there). */
  rest: { dims: number; meanQ: number; meanTarget: number; share: number };
}

/** Train losses of a learned-Q run and its frozen-Q control at the latest step both were evaluated at. */
export interface ControlLosses {
  readonly step: number;
  readonly learned: number;
  readonly frozen: number;
}

/** FishLeg's step against the exact natural gradient (worker: engine/fishleg/step-measures.ts). */
export interface InsideMeasures {
  /** cos(Q·g, (F_l + γI)⁻¹g) on the layer's own Fisher block. */
  cosFishLeg: number;
  /** cos(g, (F_l + γI)⁻¹g): the plain gradient, SGD's direction. */
  cosGradient: number;
  /** ‖Q·g‖ / ‖(F_l + γI)⁻¹g‖. */
  lengthRatio: number;
  /** A = ½vᵀF_γv − ûᵀv at v = Qû, û = g/‖g‖, and its minimum A* = −½ûᵀF_γ⁻¹û. */
  auxLoss: number;
  auxOptimum: number;
  spectrum: InsideSpectrum;
  /** Against the whole model's natural gradient (small models only). */
  whole: { cosFishLeg: number; cosGradient: number; layerCosFishLeg: number; layerCosGradient: number } | null;
}

/** One frame's scalar measures. */
export interface InsideMeasurePoint {
  step: number;
  cosFishLeg: number;
  cosGradient: number;
  auxLoss: number;
  auxOptimum: number;
  relError: number | null;
  wholeCosFishLeg: number | null;
  wholeCosGradient: number | null;
}

/** Props of `TwoParamDemo`: self-contained; everything is optional. */
export interface TwoParamDemoProps {
  /** Initial learning rate of the plain gradient (default: its tuned best, DEMO.gdRate; a slider changes it). */
  gdRate?: number;
  /** Initial learning rate of the natural gradient (default DEMO.ngdRate; a slider changes it). */
  ngdRate?: number;
  /** Initial damping γ of the 2×2 Fisher (default DEMO.damping; a slider changes it). */
  damping?: number;
  /** Steps computed per path (default DEMO.steps). */
  steps?: number;
  /** Canvas size in CSS pixels (default 380). */
  size?: number;
}

/** Props of `ImageNet`: an image classifier's filters, feature maps and class probabilities on test images. */
export interface ImageNetProps {
  width: number;
  height: number;
  /** The test images (row-major width×height, values in [0, 1]) the feature maps are of. */
  images: Float32Array[];
  labels?: Uint32Array;
  classes: number;
  /** Per run: probs[i] for images[i] and the frame's filters and per-layer outputs (absent before the first frame). */
  runs: (RunRef & { probs: Float32Array[]; conv?: ImageNetData })[];
}

/** An image classifier's filters and per-layer outputs on the test images (the worker's ConvFrame). */
export interface ImageNetData {
  input: MapShape;
  filters: FilterSet | null;
  /** Per hidden layer: its label, its output as maps (absent: flat, drawn as bars) and values[i] for images[i]. */
  layers: readonly { label: string; maps?: MapShape; values: readonly Float32Array[] }[];
}

/** An image's shape, h×w×c (NHWC), as the worker sends it. */
export interface MapShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** Filters as the worker sends them: `count` filters of `channels` planes h×w, filter-major, plane by plane. */
export interface FilterSet {
  readonly count: number;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly values: Float32Array;
}
