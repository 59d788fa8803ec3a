/**
 * What the CLI writes to --out, and the check that it can: a curve point's shape (shared by a single run and
 * a preset's runs) and the probe that fails before training rather than after it.
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { escapeControls, type EvalResult } from '../engine/index.ts';
import { CliError } from './args.ts';
import { fileProblem } from './file-problem.ts';

/** A curve point; FishLeg runs add the mean auxiliary loss of the updates since the previous point. */
export type CurvePoint = EvalResult & { readonly auxLoss?: number };

/**
 * Fails now, not after training, when --out cannot be written: opens the file for appending (which creates
 * it without touching an existing one's contents) and removes it again if the probe created it.
 */
export function checkWritable(file: string): void {
  const shown = escapeControls(file);
  let existed = true;
  try {
    if (statSync(file).isDirectory()) throw new CliError(`cannot write --out ${shown}: it is a folder`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    existed = false;
  }
  try {
    closeSync(openSync(file, 'a'));
  } catch (e) {
    const why = fileProblem(e, 'write');
    throw new CliError(
      `cannot write --out ${shown}: ${why}${why.startsWith('its folder') ? ` (${escapeControls(dirname(file))})` : ''}`,
    );
  }
  if (!existed) unlinkSync(file);
}
