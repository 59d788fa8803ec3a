/**
 * The CSV reader on generated files: any table of numbers with a header, written with the spacing,
 * quoting, line endings and blank lines people's tools produce, reads back to exactly its names and values
 * with each row's line; one cell that is not a number gets exactly one CsvError naming its file, line and
 * column, never a value put in its place.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '../../src/engine/data/csv.ts';

interface Style {
  readonly eol: '\n' | '\r\n';
  readonly quote: boolean[];
  readonly pad: boolean[];
  /** Blank lines before each data row. */
  readonly blanks: number[];
  readonly trailingEol: boolean;
  readonly bom: boolean;
}

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_ ]{0,8}$/).map((s) => s.trim() || 'c');
const cell = fc.double({ min: -1e30, max: 1e30, noNaN: true }).map((x) => x + 0);

const table = fc.integer({ min: 1, max: 5 }).chain((cols) =>
  fc.record({
    header: fc.uniqueArray(name, { minLength: cols, maxLength: cols }),
    rows: fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 8 }),
    style: fc.record({
      eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
      quote: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      pad: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      blanks: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 9, maxLength: 9 }),
      trailingEol: fc.boolean(),
      bom: fc.boolean(),
    }),
  }),
);

/** The file's text, and the line each data row lands on. */
function write(header: readonly string[], rows: readonly (readonly string[])[], st: Style) {
  let k = 0;
  const field = (s: string) => {
    const i = k++ % 64;
    if (s.startsWith('"')) return s; // quoted already, and kept unpadded: its quotes must stay its edges
    const q = st.quote[i] ? `"${s}"` : s;
    return st.pad[i] ? ` ${q} ` : q;
  };
  const lines = [header.map(field).join(',')];
  const at: number[] = [];
  rows.forEach((r, i) => {
    for (let b = 0; b < st.blanks[i % 9]!; b++) lines.push('');
    lines.push(r.map(field).join(','));
    at.push(lines.length);
  });
  const text = lines.join(st.eol) + (st.trailingEol ? st.eol : '');
  return { text: (st.bom ? '\uFEFF' : '') + text, at };
}

describe('the CSV reader on generated files', () => {
  it('reads every numeric table back exactly, with each row’s line', () => {
    fc.assert(
      fc.property(table, ({ header, rows, style }) => {
        const { text, at } = write(
          header,
          rows.map((r) => r.map(String)),
          style,
        );
        const t = parseCsv(text, 'gen.csv');
        expect(t.header).toEqual(header);
        expect(t.rows).toBe(rows.length);
        expect(Array.from(t.values)).toEqual(rows.flat());
        expect(Array.from(t.lines)).toEqual(at);
      }),
      { numRuns: 300 },
    );
  });

  const NOT_NUMBERS = ['abc', '', '0x1f', 'Infinity', '-', '1e', '1.2.3', '1 2', '\t', '1\n', '\n2', '½', '1e39'];

  it('refuses one cell that is not a float32 number with exactly one error at its line and column', () => {
    const bad = table.chain(({ header, rows, style }) =>
      fc
        .record({
          r: fc.nat({ max: rows.length - 1 }),
          c: fc.nat({ max: header.length - 1 }),
          v: fc.constantFrom(...NOT_NUMBERS),
        })
        .map((pos) => ({ header, rows, style, ...pos }))
        // In a one-column file an empty cell is a blank line, which is skipped as such.
        .filter((x) => !(x.header.length === 1 && x.v.trim() === '')),
    );
    fc.assert(
      fc.property(bad, ({ header, rows, style, r, c, v }) => {
        // A cell with a line break, a comma or a quote can only be written quoted.
        const cellText = /[\n,"]/.test(v) ? `"${v}"` : v;
        const cells = rows.map((row, i) => row.map((x, j) => (i === r && j === c ? cellText : String(x))));
        const { text, at } = write(header, cells, style);
        let error: unknown = null;
        try {
          parseCsv(text, 'gen.csv');
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CsvError);
        const e = error as CsvError;
        expect(e.line).toBe(at[r]);
        expect(e.message.startsWith(`gen.csv line ${at[r]}: column '${header[c]}' `), e.message).toBe(true);
        expect(e.message.split('\n')).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
