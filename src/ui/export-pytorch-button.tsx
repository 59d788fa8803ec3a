/**
 * "Export PyTorch": downloads a self-contained Python script that trains the current race in PyTorch
 * (docs/pytorch-export.md), with MNIST's split beside it in one zip: each run from its first settings with its
 * live changes at their steps, and branches from their parents at their forks. A setup the script cannot
 * express shows why next to the button.
 */
import { useEffect, useState } from 'react';
import { exportCaveats, exportPytorch, fetchMnistAsset, mnistDataset, parseMnistAsset } from '../engine/page.ts';
import type { Dataset } from '../engine/page.ts';
import type { PlaygroundConfig } from './config.ts';
import { exportDownload, exportSetupFromPlayground, journalCaveats, type RaceJournals } from './export-pytorch.ts';
import { download } from './history.ts';

export interface ExportPytorchProps {
  readonly config: PlaygroundConfig;
  readonly csv: { readonly name: string; readonly text: string } | null;
  /** The race's runs (PlaygroundState.runs): their journals of live changes and branch points are replayed. */
  readonly runs: RaceJournals;
}

// The asset is fetched once, when an MNIST race is first shown here (the browser caches the worker's copy).
let mnistAsset: Promise<ReturnType<typeof parseMnistAsset>> | null = null;

const isMnist = (task: string): task is 'mnist' | 'mnist-ae' => task === 'mnist' || task === 'mnist-ae';

async function mnistFor(task: 'mnist' | 'mnist-ae'): Promise<Dataset> {
  mnistAsset ??= fetchMnistAsset().then(parseMnistAsset);
  mnistAsset.catch(() => (mnistAsset = null));
  return mnistDataset(await mnistAsset, task);
}

export function ExportPytorch({ config, csv, runs }: ExportPytorchProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The race's MNIST split, which goes beside the script; loaded for an MNIST race only.
  const [mnist, setMnist] = useState<{ task: string; data: Dataset } | null>(null);
  const task = config.data.task;
  useEffect(() => {
    if (!isMnist(task) || mnist?.task === task) return;
    let live = true;
    mnistFor(task).then(
      (data) => live && setMnist({ task, data }),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [task, mnist]);
  const dataset = mnist?.task === task ? mnist.data : null;
  let caveats: string[] = [];
  try {
    caveats = [
      ...exportCaveats(exportSetupFromPlayground(config, csv, dataset, runs)),
      ...journalCaveats(config, runs),
    ];
  } catch {
    // A setup the export refuses (or MNIST still loading): the click reports why.
  }
  const onClick = async () => {
    setBusy(true);
    try {
      const data = isMnist(task) ? (dataset ?? (await mnistFor(task))) : null;
      const f = exportDownload(exportPytorch(exportSetupFromPlayground(config, csv, data, runs)));
      download(
        f.name,
        new Blob([f.contents], {
          type: f.name.endsWith('.py')
            ? 'text/x-python'
            : f.name.endsWith('.zip')
              ? 'application/zip'
              : 'application/octet-stream',
        }),
      );
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-pytorch">
      <button
        type="button"
        data-testid="export-pytorch"
        onClick={() => void onClick()}
        disabled={busy}
        title="A Python script that trains these runs in PyTorch (with MNIST's digits beside it, in a zip)"
      >
        Export PyTorch
      </button>
      {caveats.length > 0 && (
        <span className="export-caveats" data-testid="export-pytorch-caveats">
          The script cannot reproduce: {caveats.join(' ')}
        </span>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid="export-pytorch-error">
          {error}
        </span>
      )}
    </span>
  );
}
