/**
 * A conv2d layer's token: 'c' output channels, 'k' kernel size, optionally 's' stride and 'p' zero padding
 * (each side), then the activation letter as for a dense layer, e.g. 'c16k5p2r' (16 channels of 5×5, padding
 * 2, ReLU) or 'c8k3s2t'. Square kernels, strides and paddings; letters are case-insensitive.
 */
import type { Activation } from '../../ops.ts';
import { printable } from '../../printable.ts';
import { ArchError, checkedSize } from '../grammar.ts';
import { fitWindow, imageOf } from '../image-grammar.ts';
import type { LayerGrammar } from '../types.ts';

const LETTERS: Readonly<Record<string, Activation>> = { r: 'relu', t: 'tanh', s: 'sigmoid', '': 'identity' };
const LETTER_OF: Readonly<Record<Activation, string>> = { relu: 'r', tanh: 't', sigmoid: 's', identity: '' };
const TOKEN = /^c(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?([a-z]?)$/i;

const HINT =
  'a conv layer is c<channels>k<kernel>, then s<stride> and p<padding> if not 1 and 0, and an activation letter (e.g. c16k5p2r)';

export const conv2dGrammar: LayerGrammar = {
  claims: (token) => /^c\d/i.test(token),
  reads: 'image',
  parse(token, where, text, _hint, input) {
    const m = TOKEN.exec(token);
    const quoted = `architecture '${text}': ${where} '${printable(token)}'`;
    if (!m) throw new ArchError(`${quoted} is not a conv layer; ${HINT}`);
    const cOut = checkedSize(m[1]!, `${where} (conv channels)`, text);
    const k = checkedSize(m[2]!, `${where} (conv kernel)`, text);
    const stride = m[3] === undefined ? 1 : checkedSize(m[3], `${where} (conv stride)`, text);
    const pad = m[4] === undefined ? 0 : Number(m[4]);
    const act = LETTERS[m[5]!.toLowerCase()];
    if (act === undefined) throw new ArchError(`${quoted} has unknown activation '${m[5]}'; ${HINT}`);
    const window = { kh: k, kw: k, strideH: stride, strideW: stride, padH: pad, padW: pad };
    const image = imageOf(input);
    const output = fitWindow(
      `${quoted} (conv2d ${k}×${k}, stride ${stride}, padding ${pad})`,
      image,
      window,
      cOut,
      false,
    );
    return { size: output.h * output.w * output.c, act, image: { input: image, output, window } };
  },
  format({ act, image }) {
    const w = image!.window;
    const stride = w.strideH === 1 ? '' : `s${w.strideH}`;
    const pad = w.padH === 0 ? '' : `p${w.padH}`;
    return `c${image!.output.c}k${w.kh}${stride}${pad}${LETTER_OF[act]}`;
  },
  hint: HINT,
};
