/**
 * What the race trains on: the task (toys with noise and sample count, MNIST, the MNIST autoencoder, or the
 * user's CSV by drag-and-drop or file picker), the architecture editor (hidden layers: size and activation
 * each), likelihood, batch size, evaluation interval and seed. Every change starts a new race.
 */
import { useState, type DragEvent } from 'react';
import {
  csvCells,
  csvDataset,
  formatArch,
  parseArch,
  readsImages,
  TOY_DEFAULTS,
  TOY_TASKS,
  type ToyTask,
  ACTIVATIONS,
  LIKELIHOODS,
  type Activation,
  inSetupRange,
  SETUP,
  shapeNotices,
} from '../engine/page.ts';
import type { DataInfo, ModelSpec } from '../worker/protocol.ts';
import {
  TASK_CHOICES,
  TASK_LABELS,
  TEST_FRACTION_RANGE,
  checkHidden,
  dataFor,
  hiddenRejection,
  modelFor,
  seedsOf,
  type PlaygroundConfig,
} from './config.ts';
import { csvParseNotice, wideInputNotice } from './csv-cost.ts';
import { DataPicker } from './data-picker.tsx';

export interface SetupPanelProps {
  readonly config: PlaygroundConfig;
  readonly data: DataInfo | null;
  readonly csvName: string | null;
  readonly onChange: (config: PlaygroundConfig) => void;
  readonly onCsv: (csv: { name: string; text: string }) => void;
}

const ACT_LABEL: Readonly<Record<Activation, string>> = {
  relu: 'ReLU',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  identity: 'linear',
};

interface Layer {
  readonly size: number;
  readonly act: Activation;
}

/** Whether a hidden-layer list holds only dense layers (the layer rows and the diagram's buttons edit those). */
export function isDenseHidden(hidden: string): boolean {
  return !readsImages(hidden) && !/(^|-)\s*f\s*(-|$)/i.test(hidden);
}

/** Hidden layers of a dense hidden-layer string ('' = none; a list with conv layers has no such rows). */
export function layersOf(hidden: string): Layer[] {
  if (hidden.trim() === '' || !isDenseHidden(hidden)) return [];
  const arch = parseArch(`1-${hidden}`);
  return arch.sizes.slice(1).map((size, i) => ({ size, act: arch.acts[i]! }));
}

export function hiddenOf(layers: readonly Layer[]): string {
  if (layers.length === 0) return '';
  // The architecture grammar writes the tokens; the input size it needs in front is dropped again.
  const arch = formatArch({ sizes: [1, ...layers.map((l) => l.size)], acts: layers.map((l) => l.act) });
  return arch.slice(arch.indexOf('-') + 1);
}

/**
 * Reads and validates a CSV file; the error names the line. A large file is announced through `notify`
 * before the parse blocks the page (a frame is let through so that the notice shows first).
 */
export async function readCsv(
  file: File,
  notify: (notice: string | null) => void = () => {},
): Promise<{ name: string; text: string; features: number }> {
  if (file.size > 20 * 1024 * 1024) throw new Error(`${file.name} is larger than 20 MB`);
  const text = await file.text();
  const notice = csvParseNotice(file.name, file.size, csvCells(text));
  if (notice !== null) {
    notify(notice);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const data = csvDataset({ text, name: file.name }); // throws CsvError "file line k: …"
  return { name: file.name, text, features: data.inputDim };
}

function IntField(props: {
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly testId: string;
  /** What the setting does, as the field's tooltip. */
  readonly title?: string;
  readonly onChange: (v: number) => void;
}) {
  return (
    <label className="field small" title={props.title}>
      <span>{props.label}</span>
      <input
        type="number"
        data-testid={props.testId}
        min={props.min}
        max={props.max}
        value={props.value}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isInteger(v) && v >= props.min && v <= props.max) props.onChange(v);
        }}
      />
    </label>
  );
}

/** The data and model settings. */
export function SetupPanel({ config, data, csvName, onChange, onCsv }: SetupPanelProps) {
  const [csvError, setCsvError] = useState<string | null>(null);
  const [csvNotice, setCsvNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const d = config.data;
  const m = config.model;
  const isToy = (TOY_TASKS as readonly string[]).includes(d.task);
  const setModel = (patch: Partial<ModelSpec>) => onChange({ ...config, model: { ...m, ...patch } });
  const layers = layersOf(m.hidden);
  const dense = isDenseHidden(m.hidden);
  const setLayers = (ls: Layer[]) => setModel({ hidden: hiddenOf(ls) });
  const [hiddenText, setHiddenText] = useState<string | null>(null);
  const [hiddenError, setHiddenError] = useState<string | null>(null);
  const commitHidden = () => {
    if (hiddenText === null) return;
    const h = checkHidden(hiddenText, d.task);
    if (h === null) {
      setHiddenError(`${hiddenText.trim()} ${hiddenRejection(hiddenText, d.task)}`);
      return;
    }
    setHiddenError(null);
    setHiddenText(null);
    setModel({ hidden: h });
  };

  const pickTask = (task: PlaygroundConfig['data']['task']) => {
    // Points, noise and test split are settings of the 2D data sets: they carry over from one to another (as the
    // picker's thumbnails, drawn at the page's noise, promise).
    const toToy = (TOY_TASKS as readonly string[]).includes(task);
    const keep = isToy && toToy ? { n: d.n, noise: d.noise } : {};
    const split = toToy && d.testFraction !== undefined ? { testFraction: d.testFraction } : {};
    onChange({
      ...config,
      data: { ...dataFor(task, d.seed), ...keep, ...split, ...seedsOf(d.seeds ?? 1) },
      model: modelFor(task),
    });
  };
  const testShare = isToy ? (d.testFraction ?? TOY_DEFAULTS[d.task as ToyTask].testFraction) : 0;

  const takeFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      setCsvError(null);
      const { features, ...csv } = await readCsv(file, setCsvNotice);
      setCsvNotice(wideInputNotice(features, config.runs));
      onCsv(csv);
    } catch (e) {
      setCsvNotice(null);
      setCsvError(e instanceof Error ? e.message : String(e));
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void takeFile(e.dataTransfer.files[0]);
  };

  return (
    <section className="panel setup" aria-label="Task and model">
      <h2>Task</h2>
      <DataPicker task={d.task} noise={isToy ? d.noise : TOY_DEFAULTS.spiral.noise} seed={d.seed} onPick={pickTask} />
      <label className="field">
        <span>Task</span>
        <select
          data-testid="task-select"
          value={d.task}
          onChange={(e) => pickTask(e.target.value as PlaygroundConfig['data']['task'])}
        >
          {TASK_CHOICES.filter((t) => t !== 'csv' || csvName !== null).map((t) => (
            <option key={t} value={t}>
              {TASK_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      {isToy && (
        <div className="row">
          <IntField
            label="points"
            testId="n-input"
            value={d.n}
            min={SETUP.samples.page.min}
            max={SETUP.samples.page.max}
            onChange={(n) => onChange({ ...config, data: { ...d, n } })}
          />
          <label className="field small">
            <span>noise</span>
            <input
              type="number"
              step={0.01}
              min={SETUP.noise.page.min}
              max={SETUP.noise.page.max}
              value={d.noise}
              onChange={(e) => {
                const noise = Number(e.target.value);
                if (inSetupRange(SETUP.noise, SETUP.noise.page, noise)) onChange({ ...config, data: { ...d, noise } });
              }}
            />
          </label>
          <IntField
            label="test %"
            testId="test-input"
            value={Math.round(100 * testShare)}
            min={Math.round(100 * TEST_FRACTION_RANGE[0])}
            max={Math.round(100 * TEST_FRACTION_RANGE[1])}
            onChange={(pct) => onChange({ ...config, data: { ...d, testFraction: pct / 100 } })}
          />
        </div>
      )}
      <div
        className={`dropzone${dragging ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label>
          Drop a CSV here or <span className="link">choose a file</span>
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="csv-input"
            className="visually-hidden"
            onChange={(e) => void takeFile(e.target.files?.[0])}
          />
        </label>
        <small>Header row; a column named “label” makes it classification, else the last column is the target.</small>
        {csvName && <small data-testid="csv-name">Loaded: {csvName}</small>}
        {csvNotice && (
          <small role="status" data-testid="csv-notice">
            {csvNotice}
          </small>
        )}
        {csvError && (
          <div className="field-error" role="alert" data-testid="csv-error">
            {csvError}
          </div>
        )}
      </div>

      <h2>Model</h2>
      <div className="arch" aria-label="Hidden layers">
        <div className="arch-line" data-testid="arch">
          {data ? data.arch : '…'} {data && <small>({data.params.toLocaleString('en')} parameters)</small>}
        </div>
        <label className="field">
          <span>Layers as text</span>
          <input
            type="text"
            aria-label="hidden layers as text"
            data-testid="hidden-text"
            spellCheck={false}
            value={hiddenText ?? m.hidden}
            placeholder={readsImages(modelFor(d.task).hidden) ? 'e.g. c8k5p2r-mp2-f' : 'e.g. 16t-16t'}
            onChange={(e) => setHiddenText(e.target.value)}
            onBlur={commitHidden}
            onKeyDown={(e) => e.key === 'Enter' && commitHidden()}
          />
        </label>
        {hiddenError && (
          <div className="field-error" role="alert" data-testid="hidden-error">
            {hiddenError}
          </div>
        )}
        {!dense && (
          <small>
            Conv (c8k5p2r: 8 channels of 5×5, padding 2, ReLU), pooling (mp2, ap2) and f (flatten) before dense layers;
            edit them as text.
          </small>
        )}
        {layers.map((l, i) => (
          <div className="row layer" key={i}>
            <span className="layer-label">layer {i + 1}</span>
            <input
              type="number"
              aria-label={`width of hidden layer ${i + 1}`}
              min={SETUP.hiddenSize.page.min}
              max={SETUP.hiddenSize.page.max}
              value={l.size}
              onChange={(e) => {
                const size = Number(e.target.value);
                if (inSetupRange(SETUP.hiddenSize, SETUP.hiddenSize.page, size))
                  setLayers(layers.map((x, j) => (j === i ? { ...x, size } : x)));
              }}
            />
            <select
              aria-label={`activation of hidden layer ${i + 1}`}
              value={l.act}
              onChange={(e) =>
                setLayers(layers.map((x, j) => (j === i ? { ...x, act: e.target.value as Activation } : x)))
              }
            >
              {ACTIVATIONS.map((a) => (
                <option key={a} value={a}>
                  {ACT_LABEL[a]}
                </option>
              ))}
            </select>
            <button
              type="button"
              aria-label={`remove hidden layer ${i + 1}`}
              onClick={() => setLayers(layers.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          hidden={!dense}
          disabled={layers.length >= SETUP.hiddenLayers.page.max}
          onClick={() => setLayers([...layers, { size: 16, act: 'tanh' }])}
        >
          Add layer
        </button>
      </div>
      <label className="field">
        <span>Likelihood</span>
        <select
          value={m.likelihood}
          onChange={(e) => setModel({ likelihood: e.target.value as ModelSpec['likelihood'] })}
        >
          <option value="auto">auto ({data?.likelihood ?? 'from the data'})</option>
          {LIKELIHOODS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <div className="row">
        <IntField
          label="batch"
          testId="batch-input"
          value={m.batch}
          min={SETUP.batch.page.min}
          max={SETUP.batch.page.max}
          onChange={(batch) => setModel({ batch })}
        />
        <IntField
          label="evaluate every"
          testId="eval-input"
          value={m.evalEvery}
          min={SETUP.evalEvery.page.min}
          max={SETUP.evalEvery.page.max}
          onChange={(evalEvery) => setModel({ evalEvery })}
        />
        <IntField
          label="seed"
          testId="seed-input"
          value={d.seed}
          min={SETUP.seed.page.min}
          max={SETUP.seed.page.max}
          onChange={(seed) => onChange({ ...config, data: { ...d, seed } })}
        />
        <IntField
          label="seeds"
          testId="seeds-input"
          value={d.seeds ?? 1}
          min={SETUP.seeds.page.min}
          max={SETUP.seeds.page.max}
          title={SETUP.seeds.help}
          onChange={(n) => {
            const { seeds: _, ...rest } = d;
            onChange({ ...config, data: { ...rest, ...seedsOf(n) } });
          }}
        />
      </div>
      {data &&
        shapeNotices({ trainRows: data.trainRows, testRows: data.testRows, batch: m.batch }).map((n) => (
          <small key={n} role="status" data-testid="setup-notice">
            {n.charAt(0).toUpperCase() + n.slice(1)}.
          </small>
        ))}
    </section>
  );
}
