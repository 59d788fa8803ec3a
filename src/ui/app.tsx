/**
 * The playground page: backend badge and banners (CPU fallback, errors, URL notices, restored curves,
 * MNIST download progress), presets, the transport bar, the race chart with its settings and exports, the
 * task and model settings, the runs list, the task views and Inside FishLeg. State lives in the
 * TrainingClient store; this component renders it and mirrors the config into the URL.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { BackendInfo, DataInfo } from '../worker/protocol.ts';
import { OPTIMIZER_LABELS } from '../engine/page.ts';
import {
  CHART_METRICS,
  embedParam,
  modelRefusals,
  normaliseIds,
  seedsOf,
  toSearch,
  type ChartSettings,
  type EmbedPart,
  type PlaygroundConfig,
} from './config.ts';
import { raceSeeds } from '../worker/seed-list.ts';
import { ClaimLine } from './claim-line.tsx';
import { Controls } from './controls.tsx';
import { chartPng, exportFrame } from './chart-export.ts';
import { download, toCsv, toJson } from './history.ts';
import { seedLegend } from './seed-bands.ts';
import { ExportPytorch } from './export-pytorch-button.tsx';
import { logAllowed, LossChart, metricGetters } from './loss-chart.tsx';
import { ChangeNote } from './change-note.tsx';
import { PresetBlurb } from './preset-blurb.tsx';
import { followPreset } from './preset-follow.ts';
import { showInRow } from './preset-scroll.ts';
import { PRESETS, type Preset } from './presets.ts';
import { asksFirst, kindChanges, presetChange, restartChanges } from './restart-change.ts';
import { presetParam } from './start-config.ts';
import { RestartConfirm, type RestartConfirmProps } from './restart-confirm.tsx';
import { changeOptimizer } from './run-kind.ts';
import { RunsPanel } from './runs-panel.tsx';
import { readCsv, SetupPanel } from './setup-panel.tsx';
import { shortcutFor } from './shortcuts.ts';
import { ShortcutsHelp } from './shortcuts-help.tsx';
import { stepProgress } from './step-progress.tsx';

import { InsideFishLegPanel, NetworkView, TaskViews } from './task-views.tsx';
import { ImageNetDiagram } from './views/index.ts';
import type { TrainingClient, TuneRequest } from './training-client.ts';
import { TunePanel } from './tune-panel.tsx';
import { MAX_TUNE_SEEDS, markerText, tunedMarker } from './tuned-marker.ts';
import { useThrottled, VIEW_REDRAW_MS } from './use-throttled.ts';

// Redrawn only when their props change: with the data throttled (useThrottled), a few times a second.
const MemoLossChart = memo(LossChart);
const MemoRunsPanel = memo(RunsPanel);
const MemoTaskViews = memo(TaskViews);
const MemoInsideFishLeg = memo(InsideFishLegPanel);
const MemoSetupPanel = memo(SetupPanel);
const MemoNetworkView = memo(NetworkView);

/** What the page exposes on `window.__playground` for end-to-end tests. */
export interface PlaygroundTestHooks {
  /** Destroys the worker's GPUDevice so that the recovery path runs for real. */
  loseDevice(): void;
}

export interface AppProps {
  readonly client: TrainingClient;
  /** `?embed=…` (config.ts parseEmbed): show only these parts; null = the whole page. */
  readonly embed?: readonly EmbedPart[] | null;
  /** `?preset=…` (start-config.ts startPreset): the preset the race was made from; null = none named. */
  readonly preset?: string | null;
}

function BackendBadge({ backend }: { readonly backend: BackendInfo | null }) {
  if (!backend) {
    return (
      <div className="backend" data-testid="backend-label" data-backend="">
        <span className="dot pending" /> Starting…
      </div>
    );
  }
  return (
    <div className="backend" data-testid="backend-label" data-backend={backend.name}>
      <span className={`dot ${backend.name}`} />
      <span className="backend-name">{backend.name === 'webgpu' ? 'WebGPU' : 'CPU'}</span>
      <span className="backend-description" data-testid="backend-description" title={backend.description}>
        {backend.description}
      </span>
    </div>
  );
}

const METRIC_LABELS: Readonly<Record<ChartSettings['metric'], string>> = {
  loss: 'loss',
  accuracy: 'accuracy / MSE',
  aux: 'FishLeg aux loss',
  ms: 'ms per step',
};

function ChartSettingsBar({
  chart,
  hasAccuracy,
  onChange,
}: {
  readonly chart: ChartSettings;
  readonly hasAccuracy: boolean;
  readonly onChange: (c: ChartSettings) => void;
}) {
  const logOk = logAllowed(chart.metric, hasAccuracy);
  return (
    <div className="chart-settings">
      <label className="field inline">
        <span>Plot</span>
        <select
          data-testid="metric-select"
          value={chart.metric}
          onChange={(e) => onChange({ ...chart, metric: e.target.value as ChartSettings['metric'] })}
        >
          {CHART_METRICS.map((m) => (
            <option key={m} value={m}>
              {METRIC_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span>against</span>
        <select
          data-testid="x-select"
          value={chart.x}
          onChange={(e) => onChange({ ...chart, x: e.target.value as ChartSettings['x'] })}
        >
          <option value="step">steps</option>
          <option value="seconds">training seconds</option>
        </select>
      </label>
      <label className="toggle" title={logOk ? undefined : 'accuracy is read on a linear axis'}>
        <input
          type="checkbox"
          data-testid="log-toggle"
          checked={chart.log && logOk}
          disabled={!logOk}
          onChange={(e) => onChange({ ...chart, log: e.target.checked })}
        />{' '}
        log scale
      </label>
    </div>
  );
}

/** The banner of a link made with a CSV file: names the file and offers to load it. */
function CsvNeeded({ file, onCsv }: { readonly file: string | null; readonly onCsv: (csv: CsvFile) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="banner warn" role="status" data-testid="csv-needed">
      This link was made with {file ? <strong>the CSV file “{file}”</strong> : 'a CSV file'}, which a link cannot carry.
      Load it to continue with this setup; meanwhile the spiral trains with the link’s runs.{' '}
      <label className="link-button">
        Load {file ?? 'the CSV file'}…
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="csv-needed-input"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            readCsv(f).then(
              ({ name, text }) => {
                setError(null);
                onCsv({ name, text });
              },
              (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
            );
          }}
        />
      </label>
      {error && (
        <div className="field-error" role="alert" data-testid="csv-needed-error">
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * Copies the page's address, says so, and where the clipboard API is missing or refused (plain http, an
 * iframe without permission) shows the link selected in a field for the user to copy.
 */
function CopyLink() {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state === 'manual') field.current?.select();
    if (state !== 'copied') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = () => {
    const href = window.location.href;
    if (!navigator.clipboard) return setState('manual');
    navigator.clipboard.writeText(href).then(
      () => setState('copied'),
      () => setState('manual'),
    );
  };
  return (
    <span className="copy-link">
      <button type="button" data-testid="copy-link" onClick={copy}>
        Copy link
      </button>
      {state === 'copied' && (
        <span role="status" data-testid="link-copied" className="muted">
          link copied
        </span>
      )}
      {state === 'manual' && (
        <input
          ref={field}
          readOnly
          data-testid="link-field"
          aria-label="link to this setup: copy it"
          value={window.location.href}
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
    </span>
  );
}

type CsvFile = { readonly name: string; readonly text: string };

/** A restarting change waiting for its answer (restart-confirm.tsx). */
interface PendingRestart {
  readonly config: PlaygroundConfig;
  readonly changes: readonly string[];
  readonly instead?: RestartConfirmProps['instead'];
}

/** A search's budget when the race has none of its own. */
const DEFAULT_TUNE_STEPS = 1000;

const NO_LAYERS: DataInfo['layers'] = [];

/** The whole page. */
export function App({ client, embed = null, preset: linkPreset = null }: AppProps) {
  const shows = (part: EmbedPart) => embed === null || embed.includes(part);
  const s = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const chartRef = useRef<HTMLDivElement>(null);
  const cfg = s.config;
  // Paused, nothing streams: the views show each change at once.
  const redrawMs = s.running ? VIEW_REDRAW_MS : 0;
  const runStates = useThrottled(s.runs, redrawMs);
  const inside = useThrottled(s.inside, redrawMs);
  const [pending, setPendingState] = useState<PendingRestart | null>(null);
  // The question's answer acts on what was asked, read outside a state updater (StrictMode calls those twice).
  const pendingRef = useRef<PendingRestart | null>(null);
  // What the last change that restarted without asking did (change-note.tsx); `key` restarts its time.
  const [note, setNote] = useState<{ readonly text: string; readonly key: number } | null>(null);
  const closeNote = useCallback(() => setNote(null), []);
  // Stable callbacks, so that the memoised panels skip renders their data did not cause.
  const on = useMemo(() => {
    const setPending = (p: PendingRestart | null) => {
      pendingRef.current = p;
      setPendingState(p);
    };
    /** Starts the race over on `config`, asking first when the race has steps (restart-change.ts). */
    const restart = (config: PlaygroundConfig, instead?: PendingRestart['instead']) => {
      // A model too large for one of the runs would stop the race at once: keep the race and say why.
      const refused = modelRefusals(config);
      if (refused.length > 0) {
        client.addNotice(`Not applied: ${refused.join('; ')}. Remove that run first, or keep the model smaller.`);
        return;
      }
      const snap = client.getSnapshot();
      if (!asksFirst(snap.step, snap.config, config)) {
        // Nothing to lose, nothing to ask: a run's new optimizer (its name and colour change) is said instead.
        const said = kindChanges(snap.config, config);
        client.reset(config);
        if (said.length > 0) setNote((n) => ({ text: said.join('; '), key: (n?.key ?? 0) + 1 }));
        return;
      }
      const ask = { config, changes: restartChanges(snap.config, config) };
      // An earlier note is old news once a question takes its place.
      setNote(null);
      setPending(instead ? { ...ask, instead } : ask);
    };
    /** Replaces the race with a preset's, asking first when the race has steps, as for any other restart. */
    const preset = (p: Preset) => {
      const snap = client.getSnapshot();
      const config = p.config(snap.config.backend);
      if (snap.step === 0) return client.reset(config);
      setNote(null);
      setPending({ config, changes: [presetChange(p.title)] });
    };
    return {
      update: (id: string, patch: Parameters<TrainingClient['updateRun']>[1]) => {
        const c = client.getSnapshot().config;
        const run = c.runs.find((r) => r.id === id);
        const kind = patch.optimizer?.kind;
        if (!run || !patch.optimizer || kind === undefined || kind === run.optimizer.kind)
          return client.updateRun(id, patch);
        const optimizer = patch.optimizer;
        // Another optimizer need not end the race: it can join it as a new run.
        restart(changeOptimizer(c, id, optimizer), {
          label: `Add ${OPTIMIZER_LABELS[optimizer.kind]} as a new run instead`,
          run: () => {
            setPending(null);
            client.addRun(optimizer.kind);
          },
        });
      },
      add: (kind: Parameters<TrainingClient['addRun']>[0]) => client.addRun(kind),
      duplicate: (id: string) => client.duplicateRun(id),
      control: (id: string) => client.addFrozenControl(id),
      remove: (id: string) => client.removeRun(id),
      tuneCancel: () => client.cancelTune(),
      tuneApply: () => client.raceAtBest(),
      inspect: (inspect: Parameters<TrainingClient['setInspect']>[0]) => client.setInspect(inspect),
      preset,
      setConfig: (c: PlaygroundConfig) => client.reset(c),
      change: restart,
      network: (shown: boolean) => client.setNetworkView(shown),
      hidden: (hidden: string) => {
        const c = client.getSnapshot().config;
        restart({ ...c, model: { ...c.model, hidden } });
      },
      csv: (csv: { name: string; text: string }) => {
        const c = client.getSnapshot().config;
        // The hidden layers apply to any data: they stay as the user set them.
        client.useCsv(csv, { ...c, data: { ...c.data, task: 'csv' } });
      },
      confirm: () => {
        const p = pendingRef.current;
        setPending(null);
        if (p) client.reset(p.config);
      },
      cancel: () => setPending(null),
    };
  }, [client]);
  // A question about a race that has been replaced meanwhile (a preset, Reset) is void.
  useEffect(() => on.cancel(), [s.raceId, on]);

  const [presetId, setPresetId] = useState<string | null>(linkPreset);
  // The search's settings follow the race's budget and seed until the user changes them for this race.
  const [tuneOpen, setTuneOpen] = useState(false);
  const raceSeedCount = Math.min(cfg.data.seeds ?? 1, MAX_TUNE_SEEDS);
  const budgetKey = `${cfg.stopAt}:${cfg.data.seed}:${raceSeedCount}`;
  const [tuneEdit, setTuneEdit] = useState<{ key: string; request: TuneRequest } | null>(null);
  const tuneRequest = useMemo<TuneRequest>(
    () =>
      tuneEdit?.key === budgetKey
        ? tuneEdit.request
        : {
            steps: cfg.stopAt ?? DEFAULT_TUNE_STEPS,
            seeds: Array.from({ length: raceSeedCount }, (_, i) => cfg.data.seed + i),
            objective: 'train',
          },
    [tuneEdit, budgetKey, cfg.stopAt, cfg.data.seed, raceSeedCount],
  );
  const onTuneRequest = useCallback((request: TuneRequest) => setTuneEdit({ key: budgetKey, request }), [budgetKey]);
  const onTune = useCallback(
    (runIds: readonly string[] | null) => {
      setTuneOpen(true);
      client.tune(runIds, tuneRequest);
    },
    [client, tuneRequest],
  );
  const onTuneRun = useCallback((id: string) => onTune([id]), [onTune]);
  const tuning = s.tune?.status === 'running';

  const [presenter, setPresenter] = useState(false);
  const [help, setHelp] = useState(false);
  const closeHelp = useMemo(() => () => setHelp(false), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (help) return; // the overlay handles its own keys
      const t = e.target as HTMLElement | null;
      const action = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        altKey: e.altKey,
        metaKey: e.metaKey,
        targetTag: t?.tagName ?? null,
        editable: t?.isContentEditable ?? false,
      });
      if (action === null) return;
      e.preventDefault();
      const snap = client.getSnapshot();
      switch (action) {
        case 'toggle':
          return client.toggle();
        case 'step':
          return snap.running ? undefined : client.stepOnce(1);
        case 'reset':
          return client.reset();
        case 'presenter':
          return setPresenter((p) => !p);
        case 'help':
          return setHelp(true);
        case 'fullscreen':
          if (document.fullscreenElement) void document.exitFullscreen();
          else void document.documentElement.requestFullscreen?.().catch(() => undefined);
          return;
        case 'nextPreset': {
          if (embed !== null) return;
          const now = toSearch(normaliseIds(snap.config));
          const i = PRESETS.findIndex((p) => toSearch(normaliseIds(p.config(snap.config.backend))) === now);
          return on.preset(PRESETS[(i + 1) % PRESETS.length]!);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client, help, embed, on]);

  useEffect(() => {
    // Test hook for the device-loss journey (e2e/device-loss.spec.ts): the worker destroys its GPUDevice.
    const w = window as Window & { __playground?: PlaygroundTestHooks };
    w.__playground = { loseDevice: () => client.loseDevice() };
    return () => void delete w.__playground;
  }, [client]);

  const histories = cfg.runs.map((spec) => ({
    spec,
    history: s.runs[spec.id] ?? { points: [], diverged: null, switches: [] },
  }));
  const search = toSearch(normaliseIds(cfg));
  // The preset whose text is shown: it stays while the user does what it says, marked modified once they
  // change what it is about (preset-follow.ts).
  const followed = useMemo(() => followPreset(presetId, cfg), [presetId, cfg]);
  const followedId = followed?.preset.id ?? null;
  if (followedId !== presetId) setPresetId(followedId);
  const activePreset = followed && !followed.modified ? followed.preset : null;

  // While a link's CSV setup waits for its file, the address keeps that setup (a reload still offers it). It
  // names the preset shown where the setup alone would not (a modified one), so a reload keeps its mark.
  const urlConfig = s.awaitingCsv?.config ?? cfg;
  const fromConfig = useMemo(() => followPreset(null, cfg), [cfg]);
  const presetKey = presetParam(followed, fromConfig);
  useEffect(() => {
    const extra = [embedParam(embed), presetKey].filter(Boolean).join('&');
    const search = `${toSearch(normaliseIds(urlConfig))}${extra ? `&${extra}` : ''}`;
    if (search !== window.location.search) window.history.replaceState(null, '', search);
  }, [urlConfig, embed, presetKey]);

  // On a phone the presets scroll sideways: the one shown is brought into the row's view, on load and whenever
  // it changes (the page itself does not move).
  const presetsRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const row = presetsRef.current;
    const item = followedId === null ? null : row?.querySelector<HTMLElement>(`[data-preset-id="${followedId}"]`);
    if (row && item) showInRow(row, item);
  }, [followedId]);
  const raceReady = s.backend !== null && s.error === null && s.data !== null;
  const canPlay = raceReady && !tuning;
  // Restored curves are not a race yet: Play starts one, and then there is something to tune.
  const canTune = raceReady && s.restored === null;
  const hideBy = `${shows('play') ? '' : ' no-play'}${shows('runs') ? '' : ' no-runs'}`;
  // In a slide-sized frame the notices would fill it: they collapse into one badge that opens on a click.
  const badgeNotes = embed
    ? [
        ...(s.backend?.fallbackReason !== undefined ? [`CPU backend: ${s.backend.fallbackReason}`] : []),
        ...s.notices,
        ...(s.restored ? ['Curves restored from your last visit.'] : []),
      ]
    : [];
  const rootClass = embed ? `app embedded${hideBy}` : presenter ? 'app presenter' : 'app';

  return (
    // Embedded without them, the transport bar and the runs panel are hidden by class (app.css).
    <div className={rootClass} data-embed={embed?.join(',')}>
      {embed && (
        <div className="embed-bar">
          {badgeNotes.length > 0 && (
            <details className="notice-badge" data-testid="notice-badge">
              <summary>
                <span className="badge-dot" aria-hidden="true" />
                {s.backend?.fallbackReason !== undefined ? 'CPU' : ''}
                {s.backend?.fallbackReason !== undefined && badgeNotes.length > 1 ? ' · ' : ''}
                {badgeNotes.length > (s.backend?.fallbackReason !== undefined ? 1 : 0)
                  ? `${badgeNotes.length - (s.backend?.fallbackReason !== undefined ? 1 : 0)} notice(s)`
                  : ''}
              </summary>
              <ul>
                {badgeNotes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </details>
          )}
          <a className="embed-open" href={search} target="_blank" rel="noopener" data-testid="embed-open">
            Open in the FishLeg Playground ↗
          </a>
        </div>
      )}
      {help && <ShortcutsHelp onClose={closeHelp} />}
      {note && !pending && <ChangeNote key={note.key} text={note.text} onDone={closeNote} />}
      {pending && (
        <RestartConfirm
          step={s.step}
          changes={pending.changes}
          {...(pending.instead ? { instead: pending.instead } : {})}
          onRestart={on.confirm}
          onCancel={on.cancel}
        />
      )}
      <header className="topbar" hidden={embed !== null}>
        <div className="brand">
          <h1>FishLeg Playground</h1>
          <p>Race natural-gradient FishLeg against SGD, Adam, K-FAC and the exact natural gradient on your own GPU.</p>
        </div>
        <div className="topbar-actions">
          <button
            type="button"
            data-testid="presenter-toggle"
            aria-pressed={presenter}
            title="Presenter mode: large type, setup hidden (P)"
            onClick={() => setPresenter((p) => !p)}
          >
            {presenter ? 'Leave presenter mode' : 'Present'}
          </button>
          <button
            type="button"
            data-testid="shortcuts-button"
            title="Keyboard shortcuts (?)"
            onClick={() => setHelp(true)}
          >
            Shortcuts
          </button>
          <BackendBadge backend={s.backend} />
        </div>
      </header>

      {embed === null && s.backend?.fallbackReason !== undefined && (
        <div className="banner warn" role="status" data-testid="cpu-fallback" data-kind={s.backend.fallbackKind}>
          <strong>
            {s.backend.fallbackKind === 'software'
              ? 'Training on the CPU backend, which is faster here.'
              : 'WebGPU unavailable — training on the CPU.'}
          </strong>{' '}
          {s.backend.fallbackReason}
        </div>
      )}
      {s.awaitingCsv && <CsvNeeded file={s.awaitingCsv.file} onCsv={on.csv} />}
      {s.compiling && (
        <div className="banner info" role="status" data-testid="compiling">
          Compiling GPU kernels {s.compiling.done}/{s.compiling.total}…{' '}
          <progress value={s.compiling.done} max={s.compiling.total} />
        </div>
      )}
      {s.error && (
        <div className="banner error" role="alert" data-testid="error">
          <strong>{s.error.name}:</strong> {s.error.message}
        </div>
      )}
      {embed === null &&
        s.notices.map((n, i) => (
          <div key={i} className="banner warn" role="status" data-testid="notice">
            {n}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => client.dismissNotice(i)}
              aria-label="dismiss notice"
            >
              dismiss
            </button>
          </div>
        ))}
      {embed === null && s.restored && (
        <div className="banner info" role="status" data-testid="restored">
          Curves restored from your last visit ({new Date(s.restored).toLocaleString()}). Play or Step starts a fresh
          race.
        </div>
      )}
      {s.resumed && s.step === s.resumed.step && (
        <div className="banner info" role="status" data-testid="resumed">
          Race resumed from your last visit ({new Date(s.resumed.savedAt).toLocaleString()}): Play continues from step{' '}
          {s.resumed.step} with the same weights and optimizer state.
        </div>
      )}
      {s.loading && (
        <div className="banner info" role="status" data-testid="loading">
          Loading MNIST… {(s.loading.loaded / 1e6).toFixed(1)} MB
          {s.loading.total ? ` of ${(s.loading.total / 1e6).toFixed(1)} MB` : ''}
          <progress value={s.loading.loaded} max={s.loading.total ?? undefined} />
        </div>
      )}

      <div className="presets-bar" hidden={embed !== null}>
        <nav className="presets" aria-label="Presets" ref={presetsRef}>
          {PRESETS.map((p) => (
            <button
              key={p.id}
              type="button"
              data-testid={`preset-${p.id}`}
              data-preset-id={p.id}
              title={p.blurb}
              aria-pressed={activePreset?.id === p.id}
              onClick={() => on.preset(p)}
            >
              {p.title}
            </button>
          ))}
        </nav>
        {followed && embed === null && <PresetBlurb followed={followed} onBack={() => on.preset(followed.preset)} />}
      </div>

      <main className="layout">
        <div className="side" hidden={!shows('setup')}>
          <MemoSetupPanel
            config={cfg}
            data={s.data}
            csvName={s.csv?.name ?? null}
            onChange={on.change}
            onCsv={on.csv}
          />
        </div>
        <div className="center">
          <section className="panel results" aria-label="Training progress">
            <Controls
              running={s.running}
              step={s.step}
              stepsPerSecond={s.stepsPerSecond}
              stepping={stepProgress(s.stepping, s.step)}
              canPlay={canPlay}
              canReset={s.backend !== null}
              speed={cfg.speed}
              stopAt={cfg.stopAt}
              onStopAt={(stopAt) => client.setStopAt(stopAt)}
              onToggle={() => client.toggle()}
              onStep={(n) => client.stepOnce(n)}
              onReset={() => client.reset()}
              onSpeed={(speed) => client.setSpeed(speed)}
            />
            {embed === null && (
              <ChartSettingsBar
                chart={cfg.chart}
                hasAccuracy={s.data?.likelihood === 'categorical'}
                onChange={(c) => client.setChart(c)}
              />
            )}
            {/* Not rendered at all when an embed leaves it out: a hidden recharts chart measures 0×0. */}
            {shows('chart') && (
              <div ref={chartRef} className="chart-box">
                <MemoLossChart
                  runs={cfg.runs}
                  states={runStates}
                  chart={cfg.chart}
                  hasAccuracy={s.data?.likelihood === 'categorical'}
                />
              </div>
            )}
            {shows('chart') && (
              <div className="legend" aria-label="Legend">
                {cfg.runs.map((r) => (
                  <span key={r.id} className="legend-item">
                    <span className="swatch" style={{ background: r.colour }} /> {r.name}
                    {tunedMarker(r) && (
                      <span className="legend-tuned" title={markerText(tunedMarker(r)!)}>
                        {' '}
                        (tuned)
                      </span>
                    )}
                  </span>
                ))}
                <span className="legend-item muted">solid = train, dashed = test</span>
                {(cfg.data.seeds ?? 1) > 1 && (
                  <span className="legend-item muted" data-testid="seed-legend">
                    {seedLegend(cfg.data)}
                  </span>
                )}
              </div>
            )}
            {activePreset?.claim && embed === null && (
              <ClaimLine
                claim={activePreset.claim}
                seeds={raceSeeds(cfg.data)}
                runs={cfg.runs}
                states={s.runs}
                onClaimSeeds={() => {
                  const seeds = activePreset.claim!.seeds;
                  on.setConfig({ ...cfg, data: { ...cfg.data, seed: seeds[0]!, ...seedsOf(seeds.length) } });
                }}
              />
            )}
            <div className="exports" hidden={embed !== null}>
              <button
                type="button"
                data-testid="tune-open"
                aria-expanded={tuneOpen || s.tune !== null}
                title="Search every run's learning rate on this race's own budget, in the background"
                onClick={() => setTuneOpen(true)}
              >
                Tune…
              </button>
              <button
                type="button"
                data-testid="export-csv"
                onClick={() => download('curves.csv', new Blob([toCsv(histories)], { type: 'text/csv' }))}
              >
                Export CSV
              </button>
              <button
                type="button"
                data-testid="export-json"
                onClick={() =>
                  download('curves.json', new Blob([toJson(search, histories)], { type: 'application/json' }))
                }
              >
                Export JSON
              </button>
              <button
                type="button"
                data-testid="export-png"
                onClick={() => {
                  const svg = chartRef.current?.querySelector('svg.recharts-surface');
                  if (!(svg instanceof SVGSVGElement)) return;
                  const metric = metricGetters(cfg.chart.metric, s.data?.likelihood === 'categorical')[2];
                  void chartPng(svg, exportFrame(cfg, s.data, metric)).then((b) => download('chart.png', b));
                }}
              >
                Export PNG
              </button>
              <CopyLink />
              <ExportPytorch config={cfg} csv={s.csv} runs={s.runs} />
            </div>
          </section>
          {embed === null && (tuneOpen || s.tune !== null) && (
            <TunePanel
              runs={cfg.runs}
              tune={s.tune}
              request={tuneRequest}
              seed={cfg.data.seed}
              raceSeeds={raceSeedCount}
              canTune={canTune}
              onRequest={onTuneRequest}
              onTune={onTune}
              onCancel={on.tuneCancel}
              onApply={on.tuneApply}
              onClose={() => {
                setTuneOpen(false);
                client.dismissTune();
              }}
            />
          )}
          <MemoRunsPanel
            runs={cfg.runs}
            states={runStates}
            tuning={tuning}
            {...(s.data ? { params: s.data.params } : {})}
            {...(embed === null ? { onTune: onTuneRun } : {})}
            onUpdate={on.update}
            onAdd={on.add}
            onDuplicate={on.duplicate}
            onControl={on.control}
            onRemove={on.remove}
          />
        </div>
        <div className="aside">
          {shows('views') && (
            <section className="panel" aria-label="Task view" data-testid="task-view">
              <h2>What the models see</h2>
              <MemoTaskViews task={s.task} runs={cfg.runs} states={runStates} />
            </section>
          )}
          {(s.task?.kind === 'points' || s.task?.kind === 'field') && shows('network') && (
            <section className="panel" aria-label="Network" data-testid="network-view">
              <h2>The network</h2>
              <MemoNetworkView
                task={s.task}
                runs={cfg.runs}
                states={runStates}
                onShown={on.network}
                {...(embed === null ? { hidden: cfg.model.hidden, onHidden: on.hidden } : {})}
              />
            </section>
          )}
          {s.task?.kind !== 'points' &&
            s.task?.kind !== 'field' &&
            s.data?.layers[0]?.inputMaps &&
            shows('network') && (
              <section className="panel" aria-label="Network" data-testid="network-view">
                <h2>The network</h2>
                <ImageNetDiagram layers={s.data.layers} />
              </section>
            )}
        </div>
        {shows('inside') && (
          <div className="below" id="inside">
            <section className="panel" aria-label="Inside the optimizer">
              <h2>Inside the optimizer</h2>
              <MemoInsideFishLeg
                runs={cfg.runs}
                states={runStates}
                inspect={cfg.inspect}
                layers={s.data?.layers ?? NO_LAYERS}
                inside={inside}
                onInspect={on.inspect}
              />
            </section>
          </div>
        )}
      </main>
    </div>
  );
}
