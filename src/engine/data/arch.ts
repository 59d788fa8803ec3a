/**
 * The architecture strings of the UI, URL and CLI, e.g. '784-1000r-500r-250r-30-250r-500r-1000r-784':
 * the input size, then one token per layer joined by '-', each in the grammar of its layer kind
 * (layers/<kind>/grammar.ts; a dense layer is its output size and activation letter). `parseArch` checks
 * them, against the data's dimensions when given.
 */
import { ArchError, checkedSize } from '../layers/grammar.ts';
import { kindOfToken, LAYER_KINDS, layerKind } from '../layers/registry.ts';
import type { Activation } from '../ops.ts';
import { printable } from '../printable.ts';

export { ArchError, MAX_LAYER_SIZE } from '../layers/grammar.ts';

/**
 * Layer sizes (input first), the activation after each layer (acts.length === sizes.length - 1) and each
 * layer's kind (layers/registry.ts); absent kinds mean every layer is dense.
 */
export interface Arch {
  readonly sizes: number[];
  readonly acts: Activation[];
  readonly kinds?: string[];
}

/** Longest excerpt of an architecture string quoted in a message (a long but valid one still fits). */
const MAX_QUOTED_ARCH = 120;

const HINT = `write sizes joined by '-', ${LAYER_KINDS.map((k) => k.grammar.hint).join('; or ')}, e.g. '784-128r-10'`;

/** The kind of each layer of an architecture (dense where it names none). */
export function archKinds(arch: Pick<Arch, 'acts' | 'kinds'>): readonly string[] {
  return arch.kinds ?? arch.acts.map(() => 'dense');
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
  if (tokens.length < 2) {
    throw new ArchError(`architecture '${text}' has no layers: it needs an input size and at least one layer; ${HINT}`);
  }
  const sizes: number[] = [];
  const acts: Activation[] = [];
  const kinds: string[] = [];
  tokens.forEach((tok, i) => {
    if (i === 0) {
      const m = /^(\d+)([a-z]?)$/i.exec(tok);
      if (!m) throw new ArchError(`architecture '${text}': the input size '${printable(tok)}' is not a size; ${HINT}`);
      const size = checkedSize(m[1]!, 'the input size', text);
      if (m[2] !== '') {
        throw new ArchError(
          `architecture '${text}': the input size '${printable(tok)}' cannot have an activation letter`,
        );
      }
      sizes.push(size);
      return;
    }
    const where = `layer ${i}`;
    const kind = kindOfToken(tok);
    if (!kind) throw new ArchError(`architecture '${text}': ${where} '${printable(tok)}' is not a size; ${HINT}`);
    const layer = kind.grammar.parse(tok, where, text, HINT);
    sizes.push(layer.size);
    acts.push(layer.act);
    kinds.push(kind.kind);
  });
  if (inputDim !== undefined && sizes[0] !== inputDim) {
    throw new ArchError(`architecture '${text}' takes ${sizes[0]} inputs, but the data has ${inputDim} features`);
  }
  const out = sizes[sizes.length - 1]!;
  if (outputDim !== undefined && out !== outputDim) {
    throw new ArchError(`architecture '${text}' has ${out} outputs, but the data has ${outputDim} targets`);
  }
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
  return arch.sizes
    .map((s, i) => (i === 0 ? `${s}` : layerKind(kinds[i - 1]!).grammar.format(s, arch.acts[i - 1]!)))
    .join('-');
}

/** Number of trainable parameters (weights and biases) of an architecture. */
export function paramCount(arch: Arch): number {
  const kinds = archKinds(arch);
  let p = 0;
  for (let i = 1; i < arch.sizes.length; i++)
    p += layerKind(kinds[i - 1]!).paramSize(arch.sizes[i - 1]!, arch.sizes[i]!);
  return p;
}
