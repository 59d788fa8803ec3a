/**
 * User datasets from numeric CSV text (parsed with papaparse). A header row is required; its separator (comma,
 * semicolon, tab or bar: guessDelimiter) is the file's. A column named
 * `label` makes it classification (integer classes 0..max, one-hot targets); otherwise the caller names the
 * target columns, or the last column is a regression target. Every problem is a CsvError that names the
 * file and line, e.g. "train.csv line 7: column 'x2' is not a number: 'abc'". Values must fit in float32 (the
 * engine stores them there), a label column holds at most MAX_CLASSES classes, and without a test file at
 * least one row is held out for testing. Cells, names and file names quoted in errors are cut and have
 * control characters escaped (printable.ts), so a hostile file cannot drive the terminal it is reported to.
 */
import Papa from 'papaparse';
import { MAX_LAYER_SIZE } from './arch.ts';
import { oneHot, type Dataset, type Split } from './dataset.ts';
import { F32_MAX } from '../optim/config.ts';
import { escapeControls, printable } from '../printable.ts';
import { Rng, Stream } from '../rng.ts';

/**
 * Most classes a label column may have: a one-hot target row per example is this wide, so 65,535 classes on
 * 65,536 rows would already be 4 G floats; 1,000 covers ImageNet-sized label sets.
 */
export const MAX_CLASSES = 1000;

/** A problem in a CSV file; `line` is 1-based when the problem has one. */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly fileName: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${escapeControls(fileName)}${line === undefined ? '' : ` line ${line}`}: ${detail}`);
  }
}

/** A parsed file: header and numeric rows (row-major), with the source line of each row. */
export interface CsvTable {
  readonly fileName: string;
  readonly header: readonly string[];
  readonly values: Float64Array;
  readonly rows: number;
  readonly lines: Uint32Array;
}

/** One file's text and its name (used in error messages). */
export interface CsvSource {
  readonly text: string;
  readonly name: string;
}

export interface CsvOptions {
  /** Regression targets by column name; default: `label` if present (classification), else the last column. */
  targets?: readonly string[];
  /** Share of the train file held out when no test file is given (default 0.2). */
  testFraction?: number;
  /** Seed of the held-out split when no test file is given (default 0). */
  seed?: number;
  /** Dataset name (default: the train file's name). */
  name?: string;
}

// Decimal numbers only: Number() would also accept '', '0x1f', 'Infinity' and ' '.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Numbers of unknown count, appended one at a time: fixed-size chunks joined once at the end, so a large file
 * needs its values about twice (chunks, then the joined array) rather than three times (a doubling array).
 */
class Values {
  static readonly CHUNK = 1 << 20;
  readonly #full: Float64Array[] = [];
  #chunk = new Float64Array(Values.CHUNK);
  #used = 0;

  push(x: number): void {
    if (this.#used === Values.CHUNK) {
      this.#full.push(this.#chunk);
      this.#chunk = new Float64Array(Values.CHUNK);
      this.#used = 0;
    }
    this.#chunk[this.#used++] = x;
  }

  get length(): number {
    return this.#full.length * Values.CHUNK + this.#used;
  }

  join(): Float64Array {
    const out = new Float64Array(this.length);
    this.#full.forEach((c, i) => out.set(c, i * Values.CHUNK));
    out.set(this.#chunk.subarray(0, this.#used), this.#full.length * Values.CHUNK);
    return out;
  }
}

/**
 * A field as meant: trimmed, and unquoted when spaces stood outside its quotes (`a, "b"`), which CSV counts
 * as part of the field (papaparse then keeps the quotes in the value, so a column would be named '"b"').
 */
function fieldText(f: string): string {
  const t = f.trim();
  const m = /^"((?:[^"]|"")*)"$/s.exec(t);
  return m && t !== f ? m[1]!.replace(/""/g, '"') : t;
}

const isBlank = (fields: readonly string[]): boolean => fields.length === 1 && fields[0]!.trim() === '';

/** The header row's names, trimmed; throws on a numeric header, an empty or a duplicate name. */
function readHeader(fields: readonly string[], fileName: string, line: number): string[] {
  const header = fields.map(fieldText);
  if (header.every((h) => NUMBER.test(h))) {
    throw new CsvError(
      fileName,
      line,
      `a header row naming the columns is required, found '${printable(header.join(','))}'`,
    );
  }
  const seen = new Set<string>();
  header.forEach((h, j) => {
    if (h === '') throw new CsvError(fileName, line, `column ${j + 1} has an empty name`);
    if (seen.has(h)) throw new CsvError(fileName, line, `duplicate column '${printable(h)}'`);
    seen.add(h);
  });
  return header;
}

/** The separators a file may use: comma, semicolon (where a comma is the decimal mark), tab, bar. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** A separator as a message names it: "','" or "tab". */
export function delimiterName(d: CsvDelimiter): string {
  return d === '\t' ? 'tab' : `'${d}'`;
}

/** Occurrences of each separator in `line` outside double quotes. */
function delimiterCounts(line: string): Map<CsvDelimiter, number> {
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as CsvDelimiter))
      counts.set(ch as CsvDelimiter, counts.get(ch as CsvDelimiter)! + 1);
  }
  return counts;
}

/** The separator that occurs most often in `line` outside quotes (',' first on a tie), or null when none does. */
function mostFrequent(line: string): CsvDelimiter | null {
  let best: CsvDelimiter | null = null;
  let most = 0;
  for (const [d, n] of delimiterCounts(line)) {
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/**
 * The separator of a CSV text, read from its header row (the first non-blank line): the candidate that occurs
 * there most often, ',' when none does (a single column). The header decides because it holds names, never
 * numbers: a row of "1,5;2,5" (decimal commas) would count its commas too.
 */
export function guessDelimiter(text: string): CsvDelimiter {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let at = 0;
  while (at < src.length) {
    const end = src.indexOf('\n', at);
    const line = src.slice(at, end < 0 ? src.length : end);
    if (line.trim() !== '') return mostFrequent(line) ?? ',';
    if (end < 0) break;
    at = end + 1;
  }
  return ',';
}

/**
 * Parses numeric CSV text with a header row; throws CsvError with file and line on any problem. Rows are
 * converted to numbers as papaparse hands them over: holding every cell as a string first cost about ten
 * bytes of memory per byte of text, enough for a 400 MB file to exhaust Node's heap.
 */
export function parseCsv(text: string, fileName: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = guessDelimiter(src);
  const sep = delimiterName(delimiter);
  let header: string[] | null = null;
  const values = new Values();
  const lines: number[] = [];
  // Papaparse reports where each row ends (after its line break); counting line breaks up to each row's
  // start gives its line even when a quoted field spans lines.
  let start = 0;
  let line = 1;
  let parseError: Error | undefined;
  /** `quoted`: the row's text holds a quote, so a line break in a cell may be inside quotes. */
  const row = (fields: string[], at: number, quoted: boolean): void => {
    if (isBlank(fields)) return;
    if (header === null) {
      header = readHeader(fields, fileName, at);
      return;
    }
    const cols = header.length;
    if (fields.length !== cols) {
      // A row written with another separator than the header's is one cell (or a few): say which it uses.
      const other = mostFrequent(src.slice(start, rowEnd));
      const hint = other !== null && other !== delimiter ? `; this line is separated by ${delimiterName(other)}` : '';
      throw new CsvError(fileName, at, `expected ${cols} columns separated by ${sep}, found ${fields.length}${hint}`);
    }
    fields.forEach((f, j) => {
      // A quoted cell may hold a line break; trim() would take one at its ends away and call it a number. (An
      // unquoted cell ends in one only in a file of mixed line endings, where trimming it is right.)
      const s = fieldText(f);
      if (/[\r\n]/.test(s) || (quoted && /[\r\n]/.test(f))) {
        throw new CsvError(
          fileName,
          at,
          `column '${printable(header![j]!)}' holds a line break inside quotes, not a number: '${printable(f)}'`,
        );
      }
      if (!NUMBER.test(s)) {
        // "1,5" in a semicolon file is a decimal comma, which the engine does not read.
        const decimalComma =
          delimiter !== ',' && /^[+-]?\d+,\d+$/.test(s)
            ? ` (write decimals with a point: '${s.replace(',', '.')}')`
            : '';
        throw new CsvError(
          fileName,
          at,
          `column '${printable(header![j]!)}' is not a number: '${printable(f)}'${decimalComma}`,
        );
      }
      const x = Number(s);
      // 1e39, or a number with a million digits (Number() makes it Infinity), would be ±∞ in float32.
      if (!(Math.abs(x) <= F32_MAX)) {
        throw new CsvError(
          fileName,
          at,
          `column '${printable(header![j]!)}' value '${printable(s)}' does not fit in float32 (at most ${F32_MAX} in size)`,
        );
      }
      values.push(x);
    });
    lines.push(at);
  };
  let rowEnd = 0;
  Papa.parse<string[]>(src, {
    delimiter,
    skipEmptyLines: false,
    step: (res, parser) => {
      const err = res.errors[0];
      rowEnd = res.meta.cursor;
      try {
        if (err) throw new CsvError(fileName, line, printable(err.message));
        row(res.data, line, src.slice(start, res.meta.cursor).includes('"'));
      } catch (e) {
        parseError = e instanceof Error ? e : new Error(String(e));
        parser.abort();
        return;
      }
      const end = res.meta.cursor;
      for (let i = start; i < end; i++) if (src.charCodeAt(i) === 10) line++;
      start = end;
    },
  });
  if (parseError) throw parseError;
  if (header === null) throw new CsvError(fileName, undefined, 'the file is empty');
  if (lines.length === 0) throw new CsvError(fileName, undefined, 'no data rows after the header');
  return { fileName, header, values: values.join(), rows: lines.length, lines: Uint32Array.from(lines) };
}

/** Bytes of memory parseCsv needs per cell: a float64 in its chunks, then again in the joined array. */
export const CSV_PARSE_BYTES_PER_CELL = 16;

/**
 * The memory parsing `text` needs besides the text itself, from its cell count (commas and line breaks,
 * counted without parsing): callers with a memory budget check it before parseCsv allocates anything.
 */
export function csvParseBytes(text: string): number {
  return csvCells(text) * CSV_PARSE_BYTES_PER_CELL;
}

/** Cells of a CSV text, counted from its separators (guessDelimiter's) and line breaks without parsing. */
export function csvCells(text: string): number {
  const sep = guessDelimiter(text).charCodeAt(0);
  let cells = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === sep || c === 10) cells++;
  }
  return cells;
}

/** Which columns are inputs and which are targets. */
interface Roles {
  readonly features: number[];
  readonly targets: number[];
  readonly label: number | undefined;
}

function roles(t: CsvTable, targets: readonly string[] | undefined): Roles {
  const col = (name: string) => {
    const j = t.header.indexOf(name);
    if (j < 0) {
      throw new CsvError(
        t.fileName,
        undefined,
        `unknown target column '${printable(name)}' (columns: ${printable(t.header.join(', '), 200)})`,
      );
    }
    return j;
  };
  let targetCols: number[];
  let label: number | undefined;
  const twice = targets?.find((name, i) => targets.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new CsvError(t.fileName, undefined, `target column '${printable(twice)}' is named twice`);
  }
  if (targets && targets.length > 0) targetCols = targets.map(col);
  else if (t.header.includes('label')) targetCols = [(label = col('label'))];
  else targetCols = [t.header.length - 1];
  const features = t.header.map((_, j) => j).filter((j) => !targetCols.includes(j));
  // The model's first and last layers are this wide (arch.ts): say so in the file's terms.
  for (const [n, what] of [
    [features.length, 'feature columns'],
    [targetCols.length, 'target columns'],
  ] as const) {
    if (n > MAX_LAYER_SIZE) {
      throw new CsvError(
        t.fileName,
        undefined,
        `${n} ${what} are more than a layer can take (at most ${MAX_LAYER_SIZE})`,
      );
    }
  }
  if (features.length === 0) {
    const names = targetCols.map((j) => t.header[j]).join(', ');
    throw new CsvError(
      t.fileName,
      undefined,
      `no feature columns left after taking the targets (${printable(names, 200)})`,
    );
  }
  return { features, targets: targetCols, label };
}

/** The integer class in each row's label column; throws on a fractional, negative or too large label. */
function readLabels(t: CsvTable, j: number): Uint32Array {
  const cols = t.header.length;
  const out = new Uint32Array(t.rows);
  for (let i = 0; i < t.rows; i++) {
    const v = t.values[i * cols + j]!;
    if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
      throw new CsvError(
        t.fileName,
        t.lines[i],
        `column 'label' must hold integer classes from 0 to ${MAX_CLASSES - 1} (at most ${MAX_CLASSES} classes), got ${v}`,
      );
    }
    out[i] = v;
  }
  return out;
}

function pick(t: CsvTable, rows: ArrayLike<number>, cols: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * cols.length);
  const w = t.header.length;
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < cols.length; c++) out[r * cols.length + c] = t.values[rows[r]! * w + cols[c]!]!;
  }
  return out;
}

function maxOf(a: Uint32Array): number {
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}

/**
 * Most float32 values a classification CSV may expand to (inputs plus one-hot targets): 2²⁸, 1 GiB.
 * The text itself cannot hold more cells than a JavaScript string has characters (2²⁹), but one-hot labels
 * multiply the targets by the class count; this stops that before the arrays are allocated.
 */
export const MAX_CSV_VALUES = 2 ** 28;

function checkSize(fileName: string, rows: number, inputs: number, classes: number): void {
  const values = rows * (inputs + classes);
  if (values > MAX_CSV_VALUES) {
    throw new CsvError(
      fileName,
      undefined,
      `${rows} rows × (${inputs} inputs + ${classes} classes) = ${values} values is more than the ${MAX_CSV_VALUES} (1 GiB of float32) a data set may hold`,
    );
  }
}

/** A seeded shuffle of 0..n-1 (Fisher–Yates on Stream.data). */
function permutation(n: number, seed: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed, Stream.data);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * A Dataset from a train CSV and an optional test CSV (same header required; the class count covers
 * both). Without a test file, a seeded `testFraction` of the train rows is held out.
 */
export function csvDataset(train: CsvSource, test?: CsvSource, options: CsvOptions = {}): Dataset {
  const tr = parseCsv(train.text, train.name);
  const te = test ? parseCsv(test.text, test.name) : undefined;
  if (te && te.header.join(',') !== tr.header.join(',')) {
    throw new CsvError(
      te.fileName,
      undefined,
      `header differs from ${escapeControls(tr.fileName)}: expected '${printable(tr.header.join(','), 200)}', found '${printable(te.header.join(','), 200)}'`,
    );
  }
  const r = roles(tr, options.targets);
  const all = (t: CsvTable) => Uint32Array.from({ length: t.rows }, (_, i) => i);
  let trainRows = all(tr);
  let testRows = new Uint32Array(0);
  if (!te) {
    const f = options.testFraction ?? 0.2;
    if (!(f >= 0 && f < 1)) throw new CsvError(tr.fileName, undefined, `testFraction must be in [0, 1), got ${f}`);
    // At least one row on each side: an empty test split would report NaN (or "0 % right") as its score.
    if (f > 0 && tr.rows < 2) {
      throw new CsvError(
        tr.fileName,
        undefined,
        `needs at least 2 rows to hold out a test row (one to train on, one to test on), found ${tr.rows}; add rows or give a separate test file`,
      );
    }
    const nTest = f > 0 ? Math.min(tr.rows - 1, Math.max(1, Math.round(tr.rows * f))) : 0;
    const p = permutation(tr.rows, options.seed ?? 0);
    // Sorted so that rows keep file order within each split.
    testRows = p.slice(0, nTest).sort();
    trainRows = p.slice(nTest).sort();
  }
  if (te) testRows = all(te);
  const testTable = te ?? tr;

  const featureNames = r.features.map((j) => tr.header[j]!);
  const base = { name: options.name ?? train.name, inputDim: r.features.length, featureNames };
  const xs = (t: CsvTable, rows: Uint32Array) => pick(t, rows, r.features);
  if (r.label !== undefined) {
    const trLabels = readLabels(tr, r.label);
    const teLabels = te ? readLabels(te, r.label) : trLabels;
    const k = Math.max(maxOf(trLabels), maxOf(teLabels)) + 1;
    checkSize(tr.fileName, trainRows.length + testRows.length, r.features.length, k);
    // One class, whichever it is (all 0s, or all 1s, which would make class 0 a class no row has).
    const only = trLabels.length > 0 ? trLabels[0]! : teLabels[0]!;
    if (trLabels.every((c) => c === only) && teLabels.every((c) => c === only)) {
      throw new CsvError(tr.fileName, undefined, `column 'label' needs at least 2 classes, found only class ${only}`);
    }
    const split = (t: CsvTable, labels: Uint32Array, rows: Uint32Array): Split => ({
      x: xs(t, rows),
      y: oneHot(
        Array.from(rows, (i) => labels[i]!),
        k,
      ),
      n: rows.length,
    });
    return {
      ...base,
      outputDim: k,
      kind: 'classification',
      numClasses: k,
      targetNames: ['label'],
      train: split(tr, trLabels, trainRows),
      test: split(testTable, teLabels, testRows),
    };
  }
  const split = (t: CsvTable, rows: Uint32Array): Split => ({
    x: xs(t, rows),
    y: pick(t, rows, r.targets),
    n: rows.length,
  });
  return {
    ...base,
    outputDim: r.targets.length,
    kind: 'regression',
    targetNames: r.targets.map((j) => tr.header[j]!),
    train: split(tr, trainRows),
    test: split(testTable, testRows),
  };
}
