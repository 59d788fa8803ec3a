/**
 * CSV datasets: classification via a `label` column, named and default regression targets, a separate test
 * file, the seeded hold-out, and every error with its exact message and line number.
 */
import { describe, expect, it } from 'vitest';
import {
  CSV_PARSE_BYTES_PER_CELL,
  CsvError,
  csvDataset,
  csvParseBytes,
  guessDelimiter,
  MAX_CLASSES,
  MAX_CSV_VALUES,
  parseCsv,
} from './csv.ts';

const src = (text: string, name = 'train.csv') => ({ text, name });

/** The CsvError thrown by f (fails the test if none is). */
function errorOf(f: () => unknown): CsvError {
  try {
    f();
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('expected a CsvError');
}

describe('csv parsing', () => {
  it('reads numbers, trims spaces, skips blank lines and keeps source line numbers', () => {
    const t = parseCsv('\uFEFFa, b ,c\r\n1, 2.5,-3e2\r\n\r\n.5,+4,7\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(Array.from(t.values)).toEqual([1, 2.5, -300, 0.5, 4, 7]);
    expect(Array.from(t.lines)).toEqual([2, 4]);
  });

  it('reports bad values, ragged rows and broken quoting with file and line', () => {
    const bad = 'x1,x2,y\n1,2,3\n\n4,5,6\n7,8,9\n1,2,3\n3,abc,1\n';
    expect(() => parseCsv(bad, 'train.csv')).toThrow("train.csv line 7: column 'x2' is not a number: 'abc'");
    const e = errorOf(() => parseCsv(bad, 'train.csv'));
    expect([e.name, e.fileName, e.line]).toEqual(['CsvError', 'train.csv', 7]);
    expect(() => parseCsv('x,y\n1,2\n3\n', 'r.csv')).toThrow(
      "r.csv line 3: expected 2 columns separated by ',', found 1",
    );
    expect(() => parseCsv('x,y\n1,2,3\n', 'r.csv')).toThrow(
      "r.csv line 2: expected 2 columns separated by ',', found 3",
    );
    expect(() => parseCsv('x,y\n1,\n', 'r.csv')).toThrow("r.csv line 2: column 'y' is not a number: ''");
    expect(() => parseCsv('x,y\n1,0x1f\n', 'r.csv')).toThrow("r.csv line 2: column 'y' is not a number: '0x1f'");
    expect(() => parseCsv('x,y\n1,Infinity\n', 'r.csv')).toThrow("column 'y' is not a number: 'Infinity'");
    // A quoted field spanning lines (here a column name) moves the count on for the rows after it.
    expect(() => parseCsv('x,"y\n(m)"\n1,2\n4,z\n', 'q.csv')).toThrow(
      "q.csv line 4: column 'y\\n(m)' is not a number: 'z'",
    );
    // A quoted cell holding a line break is text, even where trimming it would leave a number.
    for (const cell of ['"2\n"', '"\n2"', '"2\r\n"', '"1\n2"']) {
      const e = errorOf(() => parseCsv(`x,y\n1,${cell}\n4,5\n`, 'q.csv'));
      expect(e.line, cell).toBe(2);
      expect(e.message, cell).toMatch(
        /^q\.csv line 2: column 'y' holds a line break inside quotes, not a number: '.*'$/,
      );
    }
    expect(() => parseCsv('x,y\n1,2\n"4,5\n', 'q.csv')).toThrow('q.csv line 3: Quoted field unterminated');
  });

  it('requires a header and data rows', () => {
    expect(() => parseCsv('', 'e.csv')).toThrow('e.csv: the file is empty');
    expect(() => parseCsv('\n\n  \n', 'e.csv')).toThrow('e.csv: the file is empty');
    expect(() => parseCsv('a,b\n', 'h.csv')).toThrow('h.csv: no data rows after the header');
    expect(() => parseCsv('1,2\n3,4\n', 'h.csv')).toThrow(
      "h.csv line 1: a header row naming the columns is required, found '1,2'",
    );
    expect(() => parseCsv('a,a\n1,2\n', 'h.csv')).toThrow("h.csv line 1: duplicate column 'a'");
    expect(() => parseCsv('a,,c\n1,2,3\n', 'h.csv')).toThrow('h.csv line 1: column 2 has an empty name');
  });
});

describe('csv datasets', () => {
  const train = src('x1,label,x2\n0.5,1,2\n1.5,0,3\n2.5,2,4\n');
  const test = src('x1,label,x2\n9,3,8\n', 'test.csv');

  it('makes a label column one-hot classes 0..max over both files', () => {
    const d = csvDataset(train, test);
    expect([d.kind, d.inputDim, d.outputDim, d.numClasses]).toEqual(['classification', 2, 4, 4]);
    expect(d.featureNames).toEqual(['x1', 'x2']);
    expect(Array.from(d.train.x)).toEqual([0.5, 2, 1.5, 3, 2.5, 4]);
    expect(Array.from(d.train.y)).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(d.test.x)).toEqual([9, 8]);
    expect(Array.from(d.test.y)).toEqual([0, 0, 0, 1]);
    expect(d.name).toBe('train.csv');
  });

  it('uses the last column, or the named targets, for regression', () => {
    const t = src('a,b,c\n1,2,3\n4,5,6\n');
    const last = csvDataset(t, src('a,b,c\n7,8,9\n', 'test.csv'));
    expect([last.kind, last.inputDim, last.outputDim, last.targetNames]).toEqual(['regression', 2, 1, ['c']]);
    expect(Array.from(last.train.x)).toEqual([1, 2, 4, 5]);
    expect(Array.from(last.train.y)).toEqual([3, 6]);
    expect(Array.from(last.test.y)).toEqual([9]);
    const named = csvDataset(t, undefined, { targets: ['a', 'c'], testFraction: 0 });
    expect([named.inputDim, named.outputDim, named.featureNames]).toEqual([1, 2, ['b']]);
    expect(Array.from(named.train.y)).toEqual([1, 3, 4, 6]);
    expect(named.test.n).toBe(0);
  });

  it('holds out a seeded test fraction when there is no test file, keeping file order', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3}`).join('\n');
    const t = src(`x,label\n${rows}\n`);
    const a = csvDataset(t, undefined, { seed: 3 });
    const b = csvDataset(t, undefined, { seed: 3 });
    const c = csvDataset(t, undefined, { seed: 4 });
    expect([a.train.n, a.test.n]).toEqual([16, 4]);
    expect(Array.from(b.test.x)).toEqual(Array.from(a.test.x));
    expect(Array.from(c.test.x)).not.toEqual(Array.from(a.test.x));
    const all = [...a.train.x, ...a.test.x].sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Array.from(a.test.x)).toEqual([...a.test.x].sort((p, q) => p - q));
    // Row x = i has label i % 3: the one-hot rows follow their inputs.
    for (let i = 0; i < a.test.n; i++) expect(a.test.y[i * 3 + (a.test.x[i]! % 3)]).toBe(1);
  });

  it('reports target, label and header problems', () => {
    expect(() => csvDataset(src('a,b\n1,2\n'), undefined, { targets: ['y9'] })).toThrow(
      "train.csv: unknown target column 'y9' (columns: a, b)",
    );
    expect(() => csvDataset(src('x,label\n1,0\n2,1.5\n'))).toThrow(
      "train.csv line 3: column 'label' must hold integer classes from 0 to 999 (at most 1000 classes), got 1.5",
    );
    expect(() => csvDataset(src('x,label\n1,0\n2,1\n'), src('x,label\n\n1,-1\n', 'test.csv'))).toThrow(
      "test.csv line 3: column 'label' must hold integer classes from 0 to 999 (at most 1000 classes), got -1",
    );
    expect(() => csvDataset(src('label\n1\n0\n'))).toThrow(
      'train.csv: no feature columns left after taking the targets (label)',
    );
    expect(() => csvDataset(src('y\n1\n'))).toThrow('train.csv: no feature columns left after taking the targets (y)');
    expect(() => csvDataset(src('x,label\n1,0\n2,0\n'), undefined, { testFraction: 0 })).toThrow(
      "train.csv: column 'label' needs at least 2 classes, found only class 0",
    );
    expect(() => csvDataset(train, src('x1,x2,label\n1,2,0\n', 'test.csv'))).toThrow(
      "test.csv: header differs from train.csv: expected 'x1,label,x2', found 'x1,x2,label'",
    );
  });
});

describe('csv input that the engine cannot use', () => {
  it.each([
    [
      '1e39',
      "train.csv line 3: column 'y' value '1e39' does not fit in float32 (at most 3.4028234663852886e+38 in size)",
    ],
    ['-3.5e38', "train.csv line 3: column 'y' value '-3.5e38' does not fit in float32"],
    // Number() turns this into Infinity, which the parser's own rule rejects when written out.
    ['9'.repeat(2_000_000), "train.csv line 3: column 'y' value '" + '9'.repeat(60) + "…' does not fit in float32"],
  ])('rejects a cell outside float32, naming file, line and column (%#)', (cell, message) => {
    expect(() => parseCsv(`x,y\n1,2\n1,${cell}\n`, 'train.csv')).toThrow(message);
  });

  it('keeps float32 values at the edge of the range', () => {
    const t = parseCsv('x,y\n3.4028234663852886e38,-1e-45\n', 'f.csv');
    expect(Math.fround(t.values[0]!)).toBe(3.4028234663852886e38);
  });

  it('escapes control characters and cuts long values wherever a cell, name or file name is quoted', () => {
    expect(() => parseCsv('x,y\n1,\u001b[2J\n', 'r.csv')).toThrow(
      "r.csv line 2: column 'y' is not a number: '\\x1b[2J'",
    );
    expect(() => parseCsv('x,y\u0000\n1,a\n', 'r.csv')).toThrow("column 'y\\x00' is not a number: 'a'");
    expect(() => parseCsv('a\u202e,a\u202e\n1,2\n', 'r.csv')).toThrow("duplicate column 'a\\u202e'");
    expect(() => parseCsv('a\t,a\n1,2\n', 'r.csv')).toThrow("duplicate column 'a'");
    expect(() => parseCsv('x,\u0007\u0007\n1,2\n3,\u0085\n', 'r.csv')).toThrow(
      "r.csv line 3: column '\\x07\\x07' is not a number: '\\x85'",
    );
    expect(() => parseCsv('x,y\n1,z\n', 'evil\u001b]0;pwned\u0007.csv')).toThrow(
      "evil\\x1b]0;pwned\\x07.csv line 2: column 'y' is not a number: 'z'",
    );
    expect(() => csvDataset(src('a,b\n1,2\n'), undefined, { targets: ['\u001bq'] })).toThrow(
      "unknown target column '\\x1bq' (columns: a, b)",
    );
    const e = errorOf(() => parseCsv(`x,y\n1,\u001b${'z'.repeat(10_000)}\n`, 'r.csv'));
    expect(e.message.length).toBeLessThan(200);
    // Nothing in the message can still drive a terminal.
    expect(
      [...e.message].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) < 0xa0)),
    ).toBe(false);
  });

  it('holds out at least one test row, and says when a file is too small to split', () => {
    const rows = (n: number) => src(`x,y\n${Array.from({ length: n }, (_, i) => `${i},${i}`).join('\n')}\n`);
    expect(() => csvDataset(rows(1))).toThrow(
      'train.csv: needs at least 2 rows to hold out a test row (one to train on, one to test on), found 1; add rows or give a separate test file',
    );
    for (const n of [2, 3, 4, 7]) {
      const d = csvDataset(rows(n));
      expect([d.train.n, d.test.n], `${n} rows`).toEqual([n - 1, 1]);
    }
    expect([csvDataset(rows(10)).train.n, csvDataset(rows(10)).test.n]).toEqual([8, 2]);
    // One row is fine with a test file of its own.
    expect(csvDataset(rows(1), rows(1)).test.n).toBe(1);
  });

  it(`accepts up to ${MAX_CLASSES} classes and names the column and the count beyond`, () => {
    const d = csvDataset(src(`x,label\n0,0\n1,${MAX_CLASSES - 1}\n2,1\n`));
    expect(d.numClasses).toBe(MAX_CLASSES);
    // One-hot targets multiply the data by the class count: refused before they are allocated.
    const rows = Math.ceil(MAX_CSV_VALUES / (1 + MAX_CLASSES)) + 1;
    const big = src(`x,label\n${'0,999\n'.repeat(rows)}`);
    expect(() => csvDataset(big)).toThrow(
      `train.csv: ${rows} rows × (1 inputs + 1000 classes) = ${rows * 1001} values is more than the ${MAX_CSV_VALUES} (1 GiB of float32) a data set may hold`,
    );
    expect(() => csvDataset(src('x,label\n0,0\n1,65534\n2,1\n'))).toThrow(
      "train.csv line 3: column 'label' must hold integer classes from 0 to 999 (at most 1000 classes), got 65534",
    );
  });
});

describe('csv input found by the second fuzz pass', () => {
  const wide = (n: number, label = false) => {
    const names = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const row = (i: number) => `${Array(n).fill('1').join(',')}${label ? `,${i % 2}` : ''}`;
    return src(`${names}${label ? ',label' : ''}\n${row(0)}\n${row(1)}\n${row(2)}\n`);
  };
  it.each<[string, () => unknown, string]>([
    // A target named twice became two identical outputs.
    [
      'a duplicate target',
      () => csvDataset(src('a,b,c\n1,2,3\n4,5,6\n'), undefined, { targets: ['b', 'b'] }),
      "train.csv: target column 'b' is named twice",
    ],
    // All 0s was refused, all 1s trained a two-class model whose class 0 no row has.
    [
      'a label column of one class other than 0',
      () => csvDataset(src('x,label\n1,1\n2,1\n3,1\n')),
      "train.csv: column 'label' needs at least 2 classes, found only class 1",
    ],
    [
      'one class across both files',
      () => csvDataset(src('x,label\n1,7\n2,7\n'), src('x,label\n1,7\n', 'test.csv')),
      "train.csv: column 'label' needs at least 2 classes, found only class 7",
    ],
    // The default architecture's error named a '70000-32t-32t-2' the user never wrote.
    [
      'more feature columns than a layer takes',
      () => csvDataset(wide(70_000, true)),
      'train.csv: 70000 feature columns are more than a layer can take (at most 65536)',
    ],
  ])('refuses %s', (_, f, message) => {
    expect(f).toThrow(CsvError);
    expect(f).toThrow(message);
  });

  it('still takes classes that do not start at 0, and files of two classes split across train and test', () => {
    expect(csvDataset(src('x,label\n1,1\n2,2\n3,1\n')).numClasses).toBe(3);
    expect(csvDataset(src('x,label\n1,1\n2,1\n'), src('x,label\n1,0\n', 'test.csv')).numClasses).toBe(2);
  });

  it('converts rows as they are parsed, keeping lines, blank rows and the first error in file order', () => {
    // 2¹⁹ + 2 rows of 2 values: the values outgrow one 2²⁰-value chunk and are joined.
    const n = 2 ** 19 + 2;
    const t = parseCsv(`a,b\n${'1,2\n'.repeat(n - 2)}\n\n"3",4\n\n5,6\n`, 'f.csv');
    expect(t.rows).toBe(n);
    expect(t.values.length).toBe(2 * n);
    expect(Array.from(t.values.slice(2 ** 20 - 2, 2 ** 20 + 2))).toEqual([1, 2, 3, 4]);
    expect(Array.from(t.values.slice(-2))).toEqual([5, 6]);
    // Header on line 1, rows on 2…n - 1, two blank lines, a row with a quoted cell, a blank line, the last row.
    expect(Array.from(t.lines.slice(-2))).toEqual([n + 2, n + 4]);
    // A bad number before a broken quote is the error reported (it comes first in the file).
    expect(() => parseCsv('a,b\n1,x\n"2,3\n', 'f.csv')).toThrow("f.csv line 2: column 'b' is not a number: 'x'");
  });

  it('reads semicolon, tab and bar separated files, the separator read from the header', () => {
    for (const sep of [';', '\t', '|']) {
      const t = parseCsv(['x1', 'x2', 'label'].join(sep) + '\n' + ['1.5', '-2', '0'].join(sep) + '\n', 'f.csv');
      expect(t.header).toEqual(['x1', 'x2', 'label']);
      expect(Array.from(t.values)).toEqual([1.5, -2, 0]);
    }
    expect(guessDelimiter('\uFEFF\n\n  a;b\n1;2\n')).toBe(';');
    // Quoted names may hold another separator; a single column has none.
    expect(guessDelimiter('"a;b",c,d\n1,2,3\n')).toBe(',');
    expect(guessDelimiter('y\n1\n')).toBe(',');
    expect(guessDelimiter('')).toBe(',');
    const d = csvDataset({ text: 'a;b;y\n1;2;3\n4;5;6\n7;8;9\n', name: 'semi.csv' });
    expect([d.featureNames, d.targetNames, d.train.n + d.test.n]).toEqual([['a', 'b'], ['y'], 3]);
  });

  it('names the separator when a row uses another one, and a decimal comma', () => {
    expect(() => parseCsv('x1,x2,y\n1,2,3\n4;5;6\n', 'mixed.csv')).toThrow(
      "mixed.csv line 3: expected 3 columns separated by ',', found 1; this line is separated by ';'",
    );
    expect(() => parseCsv('x1\tx2\n1\t2\n3 4\n', 'tab.csv')).toThrow(
      'tab.csv line 3: expected 2 columns separated by tab, found 1',
    );
    expect(() => parseCsv('a;b\n1,5;2\n', 'de.csv')).toThrow(
      "de.csv line 2: column 'a' is not a number: '1,5' (write decimals with a point: '1.5')",
    );
  });

  it('estimates the memory parsing needs from the cell count, before parsing', () => {
    expect(csvParseBytes('a,b\n1,2\n3,4\n')).toBe(7 * CSV_PARSE_BYTES_PER_CELL);
    expect(csvParseBytes('')).toBe(CSV_PARSE_BYTES_PER_CELL);
  });
});
