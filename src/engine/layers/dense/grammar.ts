/**
 * A dense layer's token in the architecture string: its output width followed by its activation letter
 * (r ReLU, t tanh, s sigmoid; no letter = linear), e.g. '128r'. Letters are case-insensitive.
 */
import type { Activation } from '../../ops.ts';
import { printable } from '../../printable.ts';
import { ArchError, checkedSize } from '../grammar.ts';
import type { LayerGrammar } from '../types.ts';

const LETTERS: Readonly<Record<string, Activation>> = { r: 'relu', t: 'tanh', s: 'sigmoid', '': 'identity' };
const LETTER_OF: Readonly<Record<Activation, string>> = { relu: 'r', tanh: 't', sigmoid: 's', identity: '' };
const TOKEN = /^(\d+)([a-z]?)$/i;

export const denseGrammar: LayerGrammar = {
  claims: (token) => TOKEN.test(token),
  reads: 'flat',
  parse(token, where, text, hint) {
    const m = TOKEN.exec(token)!;
    const size = checkedSize(m[1]!, where, text);
    const act = LETTERS[m[2]!.toLowerCase()];
    if (act === undefined) {
      throw new ArchError(
        `architecture '${text}': ${where} '${printable(token)}' has unknown activation '${m[2]}'; ${hint}`,
      );
    }
    return { size, act };
  },
  format: ({ size, act }) => `${size}${LETTER_OF[act]}`,
  hint: 'each after the first followed by r (ReLU), t (tanh), s (sigmoid) or nothing (linear)',
};
