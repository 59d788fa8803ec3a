/**
 * "Export PyTorch": downloads a self-contained Python script that trains the current race in PyTorch
 * (docs/pytorch-export.md). A setup the script cannot express shows why next to the button.
 */
import { useState } from 'react';
import { exportCaveats, exportPytorch } from '../engine/page.ts';
import type { PlaygroundConfig } from './config.ts';
import { exportSetupFromPlayground } from './export-pytorch.ts';
import { download } from './history.ts';

export interface ExportPytorchProps {
  readonly config: PlaygroundConfig;
  readonly csv: { readonly name: string; readonly text: string } | null;
}

export function ExportPytorch({ config, csv }: ExportPytorchProps) {
  const [error, setError] = useState<string | null>(null);
  let caveats: string[] = [];
  try {
    caveats = exportCaveats(exportSetupFromPlayground(config, csv));
  } catch {
    // A setup the export refuses: the click reports why.
  }
  const onClick = () => {
    try {
      for (const f of exportPytorch(exportSetupFromPlayground(config, csv))) {
        download(
          f.name,
          new Blob([f.contents], { type: f.name.endsWith('.py') ? 'text/x-python' : 'application/octet-stream' }),
        );
      }
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <span className="export-pytorch">
      <button
        type="button"
        data-testid="export-pytorch"
        onClick={onClick}
        title="A Python script that trains these runs in PyTorch"
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
