/**
 * Text from users' files (CSV cells, column names, file names) quoted inside error messages. A message is
 * printed raw to a terminal by the CLI and shown as text on the page, so control bytes in it could move the
 * cursor, recolour or clear the terminal, or hide part of the message: they are shown as escapes instead,
 * and very long values are cut so that one bad cell cannot turn an error line into megabytes.
 */

/** Longest excerpt of a value kept in a message (in characters, before escaping). */
export const MAX_QUOTED = 60;

// C0 controls, DEL and C1 controls; line and paragraph separators; zero-width and bidirectional controls
// (which can make a terminal or the page show the text in another order than it is); the BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control or invisible formatting character written as an escape (\x1b, \u202e, \n). */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** A value safe to quote in a one-line message: cut to `max` characters (with '…'), then escaped. */
export function printable(s: string, max = MAX_QUOTED): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return escapeControls(cut);
}
