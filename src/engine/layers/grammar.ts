/**
 * What every layer kind's grammar shares: the error an architecture string raises, and the size guard that
 * every width in it (the input's included) obeys.
 */
import { printable } from '../printable.ts';

/** A malformed architecture string, or one that does not fit the data. */
export class ArchError extends Error {
  override name = 'ArchError';
}

/** Largest layer width accepted: a guard against typos that would allocate gigabytes. */
export const MAX_LAYER_SIZE = 65536;

/** A width written as decimal digits, checked against [1, MAX_LAYER_SIZE]; `where` and `text` name it in the message. */
export function checkedSize(digits: string, where: string, text: string): number {
  const size = Number(digits);
  if (size < 1 || size > MAX_LAYER_SIZE) {
    throw new ArchError(
      `architecture '${text}': ${where} has size ${printable(digits.replace(/^0+(?=\d)/, ''))}, sizes go from 1 to ${MAX_LAYER_SIZE}`,
    );
  }
  return size;
}
