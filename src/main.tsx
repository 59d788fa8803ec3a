/**
 * Browser entry point: reads the config from the URL, starts the training worker (which owns the GPU
 * device) and renders the playground. The client lives outside React so StrictMode's double effects
 * never start a second worker.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app.tsx';
import { parseEmbed } from './ui/config.ts';
import { indexedDbStore } from './ui/saved-state.ts';
import { startConfig, startPreset } from './ui/start-config.ts';
import { TrainingClient, workerPort } from './ui/training-client.ts';
import './ui/app.css';

const { config, warnings } = startConfig(window.location.search);
const embedded = parseEmbed(window.location.search);
const linkPreset = startPreset(window.location.search);

const worker = new Worker(new URL('./worker/training.worker.ts', import.meta.url), {
  type: 'module',
  name: 'training',
});
let stateStore = null;
try {
  stateStore = indexedDbStore();
} catch {
  // Some private modes throw on touching indexedDB: the client then says the state cannot be kept.
}
const client = new TrainingClient(workerPort(worker), config, {
  notices: [...warnings, ...embedded.warnings, ...linkPreset.warnings],
  stateStore,
});
// Best effort: the worker's answer may not arrive before the page goes; the periodic saves bound what is lost.
window.addEventListener('pagehide', () => client.saveState());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to render the playground into');
createRoot(root).render(
  <StrictMode>
    <App client={client} embed={embedded.embed} preset={linkPreset.preset?.id ?? null} />
  </StrictMode>,
);
