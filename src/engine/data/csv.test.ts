/**
 * CSV datasets: classification via a `label` column, named and default regression targets, a separate test
 * file, the seeded hold-out, and every error with its exact message and line number.
 */
import { describe, expect, it } from 'vitest';
import { CsvError, csvDataset, parseCsv } from './csv.ts';

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
    expect(() => parseCsv('x,y\n1,2\n3\n', 'r.csv')).toThrow('r.csv line 3: expected 2 columns, found 1');
    expect(() => parseCsv('x,y\n1,2,3\n', 'r.csv')).toThrow('r.csv line 2: expected 2 columns, found 3');
    expect(() => parseCsv('x,y\n1,\n', 'r.csv')).toThrow("r.csv line 2: column 'y' is not a number: ''");
    expect(() => parseCsv('x,y\n1,0x1f\n', 'r.csv')).toThrow("r.csv line 2: column 'y' is not a number: '0x1f'");
    expect(() => parseCsv('x,y\n1,Infinity\n', 'r.csv')).toThrow("column 'y' is not a number: 'Infinity'");
    // A quoted field spanning lines moves the count on for the rows after it.
    expect(() => parseCsv('x,y\n1,"2\n"\n4,z\n', 'q.csv')).toThrow("q.csv line 4: column 'y' is not a number: 'z'");
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
      'train.csv line 3: label must be an integer class from 0 to 65535, got 1.5',
    );
    expect(() => csvDataset(src('x,label\n1,0\n2,1\n'), src('x,label\n\n1,-1\n', 'test.csv'))).toThrow(
      'test.csv line 3: label must be an integer class from 0 to 65535, got -1',
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
