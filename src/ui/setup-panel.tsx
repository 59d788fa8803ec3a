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
import { FeatureChips, withFeatures } from './feature-chips.tsx';
import { CommittedNumberField } from './committed-number-field.tsx';
import { csvParseNotice, wideInputNotice } from './csv-cost.ts';
import { DataPicker } from './data-picker.tsx';
import { setupRule, type NumberRule } from './number-rule.ts';

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

/** The rules of the panel's number fields, from the settings' descriptions (engine/setup-spec.ts). */
export const RULES = {
  samples: setupRule(SETUP.samples),
  noise: setupRule(SETUP.noise),
  batch: setupRule(SETUP.batch),
  evalEvery: setupRule(SETUP.evalEvery),
  seed: setupRule(SETUP.seed),
  seeds: setupRule(SETUP.seeds),
  // The split is a share in the link and a percentage here.
  testPercent: {
    name: 'test %',
    integer: true,
    min: Math.round(100 * TEST_FRACTION_RANGE[0]),
    max: Math.round(100 * TEST_FRACTION_RANGE[1]),
  },
} as const satisfies Readonly<Record<string, NumberRule>>;

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
    const keep = isToy && toToy ? { n: d.n, noise: d.noise, ...(d.features ? { features: d.features } : {}) } : {};
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
          <CommittedNumberField
            label="points"
            testId="n-input"
            value={d.n}
            rule={RULES.samples}
            onCommit={(n) => n !== null && onChange({ ...config, data: { ...d, n } })}
          />
          <CommittedNumberField
            label="noise"
            testId="noise-input"
            value={d.noise}
            rule={RULES.noise}
            onCommit={(noise) => noise !== null && onChange({ ...config, data: { ...d, noise } })}
          />
          <CommittedNumberField
            label="test %"
            testId="test-input"
            value={Math.round(100 * testShare)}
            rule={RULES.testPercent}
            onCommit={(pct) => pct !== null && onChange({ ...config, data: { ...d, testFraction: pct / 100 } })}
          />
        </div>
      )}
      {isToy && (
        <FeatureChips
          features={d.features}
          onChange={(features) => onChange({ ...config, data: withFeatures(d, features) })}
        />
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
          <p className="hint" data-testid="conv-grammar">
            Conv (c8k5s2p2r: 8 channels of 5×5, stride 2, padding 2, ReLU; s and p may be left out), pooling (mp2, ap2)
            and f (flatten) before dense layers; edit them as text.
          </p>
        )}
        {layers.map((l, i) => (
          <div className="row layer" key={i}>
            <span className="layer-label">layer {i + 1}</span>
            <CommittedNumberField
              label={null}
              ariaLabel={`width of hidden layer ${i + 1}`}
              testId={`layer-${i + 1}-width`}
              value={l.size}
              rule={setupRule(SETUP.hiddenSize, `the width of layer ${i + 1}`)}
              onCommit={(size) => size !== null && setLayers(layers.map((x, j) => (j === i ? { ...x, size } : x)))}
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
        <CommittedNumberField
          label="batch"
          testId="batch-input"
          value={m.batch}
          rule={RULES.batch}
          onCommit={(batch) => batch !== null && setModel({ batch })}
        />
        <CommittedNumberField
          label="evaluate every"
          testId="eval-input"
          value={m.evalEvery}
          rule={RULES.evalEvery}
          onCommit={(evalEvery) => evalEvery !== null && setModel({ evalEvery })}
        />
        <CommittedNumberField
          label="seed"
          testId="seed-input"
          value={d.seed}
          rule={RULES.seed}
          onCommit={(seed) => seed !== null && onChange({ ...config, data: { ...d, seed } })}
        />
        <CommittedNumberField
          label="seeds"
          testId="seeds-input"
          value={d.seeds ?? 1}
          rule={RULES.seeds}
          title={SETUP.seeds.help}
          onCommit={(n) => {
            if (n === null) return;
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
