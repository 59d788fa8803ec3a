/**
 * The form of a layer kind (docs/architecture.md, "Adding a layer"): one descriptor per kind, in
 * `layers/<kind>/`, declares everything the rest of the engine needs to know of it — its token in the
 * architecture string, its parameters' size, layout and initialisation, its forward, backward and R-op
 * pieces as op lists, the Kronecker factor shapes it offers to curvature methods, its multiply-add counts,
 * what the views can draw of it and its PyTorch counterpart. `registry.ts` lists the kinds; generic code
 * asks the descriptor of a layer and never assumes one kind.
 */
import type { Activation, Op, PoolKind, WindowGeometry } from '../ops.ts';
import type { Tensor } from '../tensor.ts';

/** One example's image, h×w×c, stored NHWC: its h·w·c values are one row of the layer's input or output. */
export interface ImageShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * What a layer over images (conv2d, pooling) needs beyond its widths: the input and output images and the
 * window sliding over the input. A conv2d layer's output channels are output.c; a pooling layer's kind is `pool`.
 */
export interface LayerImage {
  readonly input: ImageShape;
  readonly output: ImageShape;
  readonly window: WindowGeometry;
  readonly pool?: PoolKind;
}

/** What a layer token reads: the width of its input, and its image when the input is one. */
export interface LayerInput {
  readonly size: number;
  readonly image?: ImageShape;
}

/** What a layer token declares: its output width and activation, and its image geometry for a layer over images. */
export interface ParsedLayer {
  readonly size: number;
  readonly act: Activation;
  readonly image?: LayerImage;
}

/**
 * Per-layer buffers of the workspace beyond Ā, S, E and dĀ (e.g. a conv layer's patches), each for the
 * workspace's rows; the memory estimate counts the same list.
 */
export interface ScratchBuffer {
  readonly name: string;
  /** Elements. */
  readonly size: number;
  readonly dtype?: 'f32' | 'u32';
}

/** The scratch tensors of one layer in a workspace, by ScratchBuffer name. */
export type LayerScratch = Readonly<Record<string, Tensor>>;

/** One layer in the flat parameter buffer, as the model's layout places it. */
export interface LayerLayout {
  /** The descriptor's name in the registry (layers/registry.ts). */
  readonly kind: string;
  /** Input features per example (before any constant column the kind adds). */
  readonly n: number;
  /** Output features per example. */
  readonly m: number;
  /** The activation applied to the layer's output. */
  readonly act: Activation;
  /** Its image geometry, for a layer over images (conv2d, pooling); absent for a dense layer. */
  readonly image?: LayerImage;
  /** Element offset of the layer's parameters in the flat buffer. */
  readonly offset: number;
  readonly size: number;
}

/**
 * The Kronecker factor shapes a layer offers to curvature methods: its parameters seen as an m×p matrix U,
 * with the output side m (FishLeg's R, K-FAC's G: m×m) and the input side p (FishLeg's L, K-FAC's A: p×p).
 */
export interface KronShape {
  readonly m: number;
  readonly p: number;
}

/**
 * The rows a curvature method reads of one layer after a forward and backward pass on `rows` examples: the
 * parameter gradient is Eᵀ Ā summed over `rows`·positions rows, with Ā the layer's input rows with their
 * constant column (p wide) and E its output errors (m wide). A dense layer has one position per example; a
 * conv layer one per output pixel (its patches and its errors at that pixel): the KFC / FishConv2d view.
 */
export interface KronRows {
  /** Rows of `a` and `e`: examples × positions. */
  readonly rows: number;
  /** Positions per example (consecutive rows of one example). */
  readonly positions: number;
  /** Ā, rows × p (leading dimension p). */
  readonly a: Tensor;
  /** E, rows × m (leading dimension m). */
  readonly e: Tensor;
}

/** One layer token of the architecture string. */
export interface LayerGrammar {
  /** Whether `token` is written in this kind's grammar (the registry gives it to the first kind that claims it). */
  claims(token: string): boolean;
  /** Whether the layer reads images (conv2d, pooling) or flat features (dense; after images only past 'f'). */
  readonly reads: 'image' | 'flat';
  /**
   * The output width and activation a claimed token declares over `input`; throws ArchError naming `where`
   * (e.g. 'layer 2'), quoting `text` (the architecture, printable) and adding `hint` (how to write every
   * kind) when it is malformed or does not fit its input.
   */
  parse(token: string, where: string, text: string, hint: string, input: LayerInput): ParsedLayer;
  /** The canonical token (inverse of parse). */
  format(layer: ParsedLayer): string;
  /** How to write this kind's tokens, for error messages. */
  readonly hint: string;
}

/**
 * The tensors one layer's pass pieces read and write, all views with `rows` rows: its input Ā (leading
 * dimension `inputStride`), its output S (leading dimension m) and the per-example errors E = ∂/∂S.
 */
export interface LayerOps {
  /**
   * out (+)= layer(input; weights) on `rows` rows; weights is a buffer laid out like the parameters. Linear in
   * the input once its constant column is 0, which is how the R-op passes a tangent dĀ through it.
   */
  readonly forward: (
    layer: LayerLayout,
    rows: number,
    input: Tensor,
    weights: Tensor,
    out: Tensor,
    beta: 0 | 1,
    scratch: LayerScratch,
  ) => Op[];
  /** grads[layer] (+)= scale · ∂⟨E, S⟩/∂W from the errors e and the input. */
  readonly weightGrad: (
    layer: LayerLayout,
    rows: number,
    e: Tensor,
    input: Tensor,
    grads: Tensor,
    scale: number,
    beta: number,
    scratch: LayerScratch,
  ) => Op[];
  /** dInput = ∂⟨E, S⟩/∂Ā (leading dimension inputStride; a constant column may hold anything). */
  readonly inputGrad: (
    layer: LayerLayout,
    rows: number,
    e: Tensor,
    params: Tensor,
    dInput: Tensor,
    scratch: LayerScratch,
  ) => Op[];
  /**
   * The R-op's piece: out = dĀ W̄ᵀ + Ā Vᵀ, the layer's output tangent from its input's tangent dInput (null
   * for the first layer, whose input is data) and the parameters' tangent V (laid out like the parameters).
   * Needs the forward pass's input and scratch.
   */
  readonly tangent: (
    layer: LayerLayout,
    rows: number,
    input: Tensor,
    dInput: Tensor | null,
    params: Tensor,
    tangent: Tensor,
    out: Tensor,
    scratch: LayerScratch,
  ) => Op[];
}

/** Multiply-adds of one layer's pass pieces on `rows` rows, as the cost floor counts them. */
export interface LayerMacs {
  readonly forward: number;
  /** The forward product on a tangent input (the R-op's dĀ term), whose constant column is zero and skipped. */
  readonly forwardTangent: number;
  /** The input gradient, without the constant column a kind adds to its input. */
  readonly inputGrad: number;
  readonly weightGrad: number;
}

/** One layer as the views and the worker protocol describe it: plain data (layers/registry.ts layerInfo). */
export interface LayerInfo {
  readonly kind: string;
  /** Its Kronecker sides: the parameters seen as an m×p matrix. */
  readonly m: number;
  readonly p: number;
  /** Parameters. */
  readonly size: number;
  /** Its parameters' shape as the views print it, e.g. '16×(2+1)'. */
  readonly label: string;
  /** Its output as feature maps (LayerView.maps), absent for a layer whose output is flat. */
  readonly maps?: ImageShape;
  /** The image it reads, for a layer over images (LayerLayout.image.input). */
  readonly inputMaps?: ImageShape;
}

/**
 * A layer's filters as images: `count` filters of `channels` planes h×w; plane ci of filter o has its pixel
 * (y, x) at o·ld + ci·h·w + y·w + x inside the layer's parameters.
 */
export interface LayerFilters {
  readonly count: number;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly ld: number;
}

/** What the views can draw of one layer. */
export interface LayerView {
  /** The shape of the layer's parameters as the views print it, e.g. '16×(2+1)'. */
  label(layer: LayerLayout): string;
  /**
   * Element offset (inside the layer's parameters) and leading dimension of the weight from input unit j to
   * output unit i at offset + i·ld + j: the network diagram reads its edges through it.
   */
  readonly unitWeights: ((layer: LayerLayout) => { readonly ld: number }) | null;
  /** Where its weights form small images (a conv layer's kernels), for the filter view; null when they do not. */
  readonly filters: ((layer: LayerLayout) => LayerFilters) | null;
  /** Its output as an image of channels (feature maps), for the feature-map view; null for a flat output. */
  readonly maps: ((layer: LayerLayout) => ImageShape) | null;
}

/**
 * The layer's counterpart in the PyTorch export (export/pytorch.ts): two Python functions, named
 * `<kind>_init` and `<kind>_module`, over `layer`, the dict of its LayerLayout fields that the script's
 * SETUP["layers"] holds.
 */
export interface LayerPytorch {
  /**
   * Source of `def <kind>_init(layer, u):` (numpy only): the layer's initial parameters, in float64, from
   * `u`, its layer.size U(0, 1) draws in order, as `init` draws them.
   */
  readonly init: string;
  /** Source of `def <kind>_module(layer, flat):` (torch): the nn module holding `flat`, the layer's parameters. */
  readonly module: string;
  /**
   * What the authors' FishLeg library makes of that module in a FishLeg run (e.g. 'nn.Linear → FishLinear'),
   * for the script's comments; null for a kind without parameters.
   */
  readonly fishleg: string | null;
}

export interface LayerKind {
  /** Its name in the registry and in LayerLayout.kind. */
  readonly kind: string;
  readonly grammar: LayerGrammar;
  /** Parameters of a layer from n inputs to m outputs (over `image` for a layer over images). */
  paramSize(n: number, m: number, image?: LayerImage): number;
  /** The layer's workspace scratch for `rows` examples (none when absent). */
  scratch?(layer: LayerLayout, rows: number): readonly ScratchBuffer[];
  /**
   * Whether the curvature methods can treat the layer (its Kronecker sides and rows are what they read; a
   * kind without parameters has nothing to read and is skipped); a curvature method refuses a net with a
   * layer that cannot, or that it does not read yet (optim/curvature-check.ts).
   */
  readonly curvature: boolean;
  /** Fills `out` (the layer's parameters) from `uniform` (U(0, 1) draws in order): the seeded initialisation. */
  init(layer: LayerLayout, uniform: () => number, out: Float32Array): void;
  /** Leading dimension of the layer's input buffer. */
  inputStride(layer: LayerLayout): number;
  /** Whether the input carries a constant-1 column at index n (gathers and activations write it). */
  readonly inputOnes: boolean;
  readonly ops: LayerOps;
  /** The Kronecker factor sides the layer offers to FishLeg and K-FAC. */
  kron(layer: LayerLayout): KronShape;
  /** Kronecker rows per example (KronRows.positions): 1 for a dense layer, the output pixels of a conv layer, 0 without parameters. */
  kronPositions(layer: LayerLayout): number;
  /**
   * The layer's Kronecker rows on `rows` examples from its workspace input, its output errors (rows × m,
   * leading dimension m) and its scratch after a forward pass; null for a kind without parameters.
   */
  kronRows(layer: LayerLayout, rows: number, input: Tensor, errors: Tensor, scratch: LayerScratch): KronRows | null;
  macs(layer: LayerLayout, rows: number): LayerMacs;
  readonly view: LayerView;
  /** Its PyTorch counterpart; null where the export does not write the kind yet (it refuses such a net). */
  readonly pytorch: LayerPytorch | null;
}
