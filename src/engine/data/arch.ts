/**
 * The architecture strings of the UI, URL and CLI, e.g. '784-1000r-500r-250r-30-250r-500r-1000r-784':
 * the input size, then one token per layer joined by '-', each in the grammar of its layer kind
 * (layers/<kind>/grammar.ts; a dense layer is its output size and activation letter). Over images the
 * input is HxWxC, conv and pooling layers follow, and 'f' flattens the images for the dense layers after
 * it, e.g. '28x28x1-c16k5p2r-mp2-f-10'. `parseArch` checks
 * them, against the data's dimensions when given.
 */
import { ArchError, checkedSize, MAX_LAYER_SIZE } from '../layers/grammar.ts';
import { kindOfToken, LAYER_KINDS, layerKind } from '../layers/registry.ts';
import type { ImageShape, LayerImage, LayerInput } from '../layers/types.ts';
import type { Activation } from '../ops.ts';
import { printable } from '../printable.ts';

export { ArchError, MAX_LAYER_SIZE } from '../layers/grammar.ts';

/**
 * Layer sizes (input first), the activation after each layer (acts.length === sizes.length - 1) and each
 * layer's kind (layers/registry.ts); absent kinds mean every layer is dense. An architecture over images
 * also has its input image and each layer's image geometry (null for a dense layer).
 */
export interface Arch {
  readonly sizes: number[];
  readonly acts: Activation[];
  readonly kinds?: string[];
  readonly image?: ImageShape;
  readonly images?: (LayerImage | null)[];
}

/** Longest excerpt of an architecture string quoted in a message (a long but valid one still fits). */
const MAX_QUOTED_ARCH = 120;

/** The token that flattens images into features, for the dense layers after them. */
const FLATTEN = 'f';
const IMAGE = /^(\d+)x(\d+)x(\d+)$/i;

const HINT =
  `write sizes joined by '-', ${LAYER_KINDS.filter((k) => k.grammar.reads === 'flat')
    .map((k) => k.grammar.hint)
    .join('; or ')}, e.g. '784-128r-10'; for images, HxWxC, conv and pooling layers, then '${FLATTEN}' ` +
  `before the dense ones, e.g. '28x28x1-c16k5p2r-mp2-f-10'`;

/** The kind of each layer of an architecture (dense where it names none). */
export function archKinds(arch: Pick<Arch, 'acts' | 'kinds'>): readonly string[] {
  return arch.kinds ?? arch.acts.map(() => 'dense');
}

/** The input token: a width ('784') or an image ('28x28x1'). */
function parseInput(tok: string, text: string): LayerInput {
  const im = IMAGE.exec(tok);
  if (im) {
    const [h, w, c] = [1, 2, 3].map((g) => checkedSize(im[g]!, 'the input image', text)) as [number, number, number];
    const size = h * w * c;
    if (size > MAX_LAYER_SIZE) {
      throw new ArchError(
        `architecture '${text}': the input image ${h}×${w}×${c} has ${size} values, more than ${MAX_LAYER_SIZE}`,
      );
    }
    return { size, image: { h, w, c } };
  }
  const m = /^(\d+)([a-z]?)$/i.exec(tok);
  if (!m)
    throw new ArchError(
      `architecture '${text}': the input size '${printable(tok)}' is not a size or an image; ${HINT}`,
    );
  const size = checkedSize(m[1]!, 'the input size', text);
  if (m[2] !== '') {
    throw new ArchError(`architecture '${text}': the input size '${printable(tok)}' cannot have an activation letter`);
  }
  return { size };
}

/**
 * Parses an architecture string. When inputDim / outputDim are given, the first and last sizes must
 * match them. Letters are case-insensitive and spaces around '-' are ignored.
 */
export function parseArch(spec: string, inputDim?: number, outputDim?: number): Arch {
  const raw = spec.trim();
  if (raw === '') throw new ArchError(`empty architecture: ${HINT}`);
  // What messages quote: a spec from a flag or a link may hold control bytes, or be a megabyte long.
  const text = printable(raw, MAX_QUOTED_ARCH);
  const tokens = raw.split('-').map((t) => t.trim());
  const first = parseInput(tokens[0]!, text);
  const layerTokens = tokens.slice(1);
  if (layerTokens.filter((t) => t.toLowerCase() !== FLATTEN).length < 1) {
    throw new ArchError(`architecture '${text}' has no layers: it needs an input size and at least one layer; ${HINT}`);
  }
  const sizes: number[] = [first.size];
  const acts: Activation[] = [];
  const kinds: string[] = [];
  const images: (LayerImage | null)[] = [];
  let input = first;
  for (const tok of layerTokens) {
    const where = `layer ${acts.length + 1}`;
    if (tok.toLowerCase() === FLATTEN) {
      if (!input.image) {
        throw new ArchError(
          `architecture '${text}': '${FLATTEN}' before ${where} flattens images, but its input is already ${input.size} features`,
        );
      }
      input = { size: input.size };
      continue;
    }
    const kind = kindOfToken(tok);
    if (!kind)
      throw new ArchError(`architecture '${text}': ${where} '${printable(tok)}' is not a size or a layer; ${HINT}`);
    const quoted = `architecture '${text}': ${where} '${printable(tok)}'`;
    if (kind.grammar.reads === 'image' && !input.image) {
      throw new ArchError(
        `${quoted} is a ${kind.kind} layer, which reads images, but its input is ${input.size} features; ` +
          `start the architecture with an image shape such as 28x28x1 and put image layers before '${FLATTEN}'`,
      );
    }
    if (kind.grammar.reads === 'flat' && input.image) {
      const im = input.image;
      throw new ArchError(
        `${quoted} is a ${kind.kind} layer, which reads features, but its input is a ${im.h}×${im.w}×${im.c} image; write '${FLATTEN}' before it to flatten the image into ${input.size} features`,
      );
    }
    const layer = kind.grammar.parse(tok, where, text, HINT, input);
    sizes.push(layer.size);
    acts.push(layer.act);
    kinds.push(kind.kind);
    images.push(layer.image ?? null);
    input = layer.image ? { size: layer.size, image: layer.image.output } : { size: layer.size };
  }
  if (inputDim !== undefined && sizes[0] !== inputDim) {
    throw new ArchError(`architecture '${text}' takes ${sizes[0]} inputs, but the data has ${inputDim} features`);
  }
  const out = sizes[sizes.length - 1]!;
  if (outputDim !== undefined && out !== outputDim) {
    throw new ArchError(`architecture '${text}' has ${out} outputs, but the data has ${outputDim} targets`);
  }
  if (first.image) return { sizes, acts, kinds, image: first.image, images };
  return kinds.every((k) => k === 'dense') ? { sizes, acts } : { sizes, acts, kinds };
}

/** The canonical string of an architecture (inverse of parseArch). */
export function formatArch(arch: Arch): string {
  if (arch.acts.length !== arch.sizes.length - 1) {
    throw new ArchError(
      `${arch.sizes.length} sizes need ${arch.sizes.length - 1} activations, got ${arch.acts.length}`,
    );
  }
  const kinds = archKinds(arch);
  const im = arch.image;
  const out: string[] = [im ? `${im.h}x${im.w}x${im.c}` : `${arch.sizes[0]}`];
  let onImages = im !== undefined;
  arch.acts.forEach((act, l) => {
    const kind = layerKind(kinds[l]!);
    if (onImages && kind.grammar.reads === 'flat') {
      out.push(FLATTEN);
      onImages = false;
    }
    const image = arch.images?.[l] ?? undefined;
    out.push(kind.grammar.format({ size: arch.sizes[l + 1]!, act, ...(image ? { image } : {}) }));
  });
  return out.join('-');
}

/** Number of trainable parameters (weights and biases) of an architecture. */
export function paramCount(arch: Arch): number {
  const kinds = archKinds(arch);
  let p = 0;
  for (let i = 1; i < arch.sizes.length; i++)
    p += layerKind(kinds[i - 1]!).paramSize(arch.sizes[i - 1]!, arch.sizes[i]!, arch.images?.[i - 1] ?? undefined);
  return p;
}

/** Whether a hidden-layer list starts with a layer over images (it then needs the data's image as its input). */
export function readsImages(hidden: string): boolean {
  const first = hidden.trim().split('-')[0]!.trim();
  return kindOfToken(first)?.grammar.reads === 'image';
}

/**
 * The architecture string of `hidden` layers between the data's input and output (the page's and the
 * worker's hidden= list): the input written as the data's image when the first hidden layer reads images.
 */
export function archOfHidden(
  hidden: string,
  data: { readonly inputDim: number; readonly outputDim: number; readonly image?: ImageShape },
): string {
  const h = hidden.trim();
  const im = data.image;
  const input = im && readsImages(h) ? `${im.h}x${im.w}x${im.c}` : `${data.inputDim}`;
  return h === '' ? `${input}-${data.outputDim}` : `${input}-${h}-${data.outputDim}`;
}
