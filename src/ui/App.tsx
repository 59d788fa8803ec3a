/**
 * The playground page: which backend trains (and why, when it is not WebGPU), the settings panel, live
 * numbers and the loss chart. State lives in the TrainingClient store; this component only renders it and
 * mirrors the config into the URL so a link reproduces the run.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { toSearch } from './config.ts';
import { LossChart } from './LossChart.tsx';
import { Controls } from './Controls.tsx';
import type { BackendInfo } from '../worker/protocol.ts';
import type { TrainingClient } from './trainingClient.ts';

export interface AppProps {
  readonly client: TrainingClient;
}

const fmt = (v: number | undefined, digits = 4): string =>
  v === undefined || Number.isNaN(v) ? '—' : v.toPrecision(digits);

const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : `${(100 * v).toFixed(1)}%`);

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

function Stat({ label, value, testId }: { readonly label: string; readonly value: string; readonly testId: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** The whole page. */
export function App({ client }: AppProps) {
  const s = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const [logScale, setLogScale] = useState(true);
  const latest = s.points.at(-1);

  useEffect(() => {
    const search = toSearch(s.config);
    if (search !== window.location.search) window.history.replaceState(null, '', search);
  }, [s.config]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <h1>FishLeg Playground</h1>
          <p>Train a small neural network in your browser and watch its loss fall.</p>
        </div>
        <BackendBadge backend={s.backend} />
      </header>

      {s.backend?.fallbackReason !== undefined && (
        <div className="banner warn" role="status" data-testid="cpu-fallback">
          <strong>WebGPU unavailable — training on the CPU.</strong> {s.backend.fallbackReason}
        </div>
      )}
      {s.error && (
        <div className="banner error" role="alert" data-testid="error">
          <strong>{s.error.name}:</strong> {s.error.message}
        </div>
      )}

      <main className="layout">
        <Controls
          run={s.config.run}
          running={s.running}
          canPlay={s.backend !== null && s.error === null}
          canReset={s.backend !== null}
          onRunChange={(run) => client.reset(run)}
          onToggle={() => client.toggle()}
          onReset={() => client.reset()}
        />
        <section className="panel results" aria-label="Training progress">
          <div className="stats">
            <Stat label="Step" value={String(s.step)} testId="step-count" />
            <Stat label="Train loss" value={fmt(latest?.trainLoss)} testId="train-loss" />
            <Stat label="Test loss" value={fmt(latest?.testLoss)} testId="test-loss" />
            <Stat label="Test accuracy" value={pct(latest?.testAccuracy)} testId="test-accuracy" />
            <Stat
              label="Steps / s"
              value={s.running && s.stepsPerSecond > 0 ? s.stepsPerSecond.toFixed(0) : '—'}
              testId="steps-per-second"
            />
          </div>
          <div className="chart-header">
            <h2>Loss</h2>
            <label className="toggle">
              <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} /> log scale
            </label>
          </div>
          <LossChart points={s.points} logScale={logScale} />
        </section>
      </main>
    </div>
  );
}
