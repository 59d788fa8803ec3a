/**
 * A pooling layer's token: 'mp' (max) or 'ap' (average) and the window size, optionally 's' and the stride
 * (default: the window size, so windows do not overlap), e.g. 'mp2' or 'ap3s2'. No activation: pooling
 * keeps the channels and feeds the next layer as it is.
 */
import type { PoolKind } from '../../ops.ts';
import { printable } from '../../printable.ts';
import { ArchError, checkedSize } from '../grammar.ts';
import { fitWindow, imageOf } from '../image-grammar.ts';
import type { LayerGrammar } from '../types.ts';

const TOKEN = /^(m|a)p(\d+)(?:s(\d+))?$/i;
const KIND_OF: Readonly<Record<string, PoolKind>> = { m: 'max', a: 'avg' };
const LETTER_OF: Readonly<Record<PoolKind, string>> = { max: 'm', avg: 'a' };

const HINT = 'a pooling layer is mp<size> (max) or ap<size> (average), then s<stride> if not the size (e.g. mp2)';

export const poolGrammar: LayerGrammar = {
  claims: (token) => /^[ma]p/i.test(token),
  reads: 'image',
  parse(token, where, text, _hint, input) {
    const m = TOKEN.exec(token);
    const quoted = `architecture '${text}': ${where} '${printable(token)}'`;
    if (!m) throw new ArchError(`${quoted} is not a pooling layer; ${HINT}`);
    const pool = KIND_OF[m[1]!.toLowerCase()]!;
    const k = checkedSize(m[2]!, `${where} (pooling window)`, text);
    const stride = m[3] === undefined ? k : checkedSize(m[3], `${where} (pooling stride)`, text);
    const window = { kh: k, kw: k, strideH: stride, strideW: stride, padH: 0, padW: 0 };
    const image = imageOf(input);
    const output = fitWindow(`${quoted} (${pool} pooling ${k}×${k}, stride ${stride})`, image, window, image.c, true);
    return { size: output.h * output.w * output.c, act: 'identity', image: { input: image, output, window, pool } };
  },
  format({ image }) {
    const w = image!.window;
    return `${LETTER_OF[image!.pool!]}p${w.kh}${w.strideH === w.kh ? '' : `s${w.strideH}`}`;
  },
  hint: HINT,
};
