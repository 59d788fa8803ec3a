/**
 * The architecture strings of the UI, URL and CLI, e.g. '784-1000r-500r-250r-30-250r-500r-1000r-784':
 * the input size, then each layer's output size followed by its activation letter (r ReLU, t tanh,
 * s sigmoid; no letter = linear). `parseArch` checks them, against the data's dimensions when given.
 */
import type { Activation } from '../ops.ts';
import { printable } from '../printable.ts';

/** Layer sizes (input first) and the activation after each layer: acts.length === sizes.length - 1. */
export interface Arch {
  readonly sizes: number[];
  readonly acts: Activation[];
}

/** A malformed architecture string, or one that does not fit the data. */
export class ArchError extends Error {
  override name = 'ArchError';
}

/** Longest excerpt of an architecture string quoted in a message (a long but valid one still fits). */
const MAX_QUOTED_ARCH = 120;

/** Largest layer width accepted: a guard against typos that would allocate gigabytes. */
export const MAX_LAYER_SIZE = 65536;

const LETTERS: Readonly<Record<string, Activation>> = { r: 'relu', t: 'tanh', s: 'sigmoid', '': 'identity' };
const LETTER_OF: Readonly<Record<Activation, string>> = { relu: 'r', tanh: 't', sigmoid: 's', identity: '' };
const HINT =
  "write sizes joined by '-', each after the first followed by r (ReLU), t (tanh), s (sigmoid) or nothing (linear), e.g. '784-128r-10'";

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
  tokens.forEach((tok, i) => {
    const m = /^(\d+)([a-z]?)$/i.exec(tok);
    const where = i === 0 ? 'the input size' : `layer ${i}`;
    if (!m) throw new ArchError(`architecture '${text}': ${where} '${printable(tok)}' is not a size; ${HINT}`);
    const size = Number(m[1]);
    const letter = m[2]!.toLowerCase();
    if (size < 1 || size > MAX_LAYER_SIZE) {
      throw new ArchError(
        `architecture '${text}': ${where} has size ${printable(m[1]!.replace(/^0+(?=\d)/, ''))}, sizes go from 1 to ${MAX_LAYER_SIZE}`,
      );
    }
    if (i === 0) {
      if (letter !== '') {
        throw new ArchError(
          `architecture '${text}': the input size '${printable(tok)}' cannot have an activation letter`,
        );
      }
    } else {
      const act = LETTERS[letter];
      if (act === undefined) {
        throw new ArchError(
          `architecture '${text}': ${where} '${printable(tok)}' has unknown activation '${m[2]}'; ${HINT}`,
        );
      }
      acts.push(act);
    }
    sizes.push(size);
  });
  if (inputDim !== undefined && sizes[0] !== inputDim) {
    throw new ArchError(`architecture '${text}' takes ${sizes[0]} inputs, but the data has ${inputDim} features`);
  }
  const out = sizes[sizes.length - 1]!;
  if (outputDim !== undefined && out !== outputDim) {
    throw new ArchError(`architecture '${text}' has ${out} outputs, but the data has ${outputDim} targets`);
  }
  return { sizes, acts };
}

/** The canonical string of an architecture (inverse of parseArch). */
export function formatArch(arch: Arch): string {
  if (arch.acts.length !== arch.sizes.length - 1) {
    throw new ArchError(
      `${arch.sizes.length} sizes need ${arch.sizes.length - 1} activations, got ${arch.acts.length}`,
    );
  }
  return arch.sizes.map((s, i) => (i === 0 ? `${s}` : `${s}${LETTER_OF[arch.acts[i - 1]!]}`)).join('-');
}

/** Number of trainable parameters (weights and biases) of an architecture. */
export function paramCount(arch: Arch): number {
  let p = 0;
  for (let i = 1; i < arch.sizes.length; i++) p += (arch.sizes[i - 1]! + 1) * arch.sizes[i]!;
  return p;
}
