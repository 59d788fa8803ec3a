/**
 * What an exported script will not reproduce of a setup, said before the download (docs/pytorch-export.md
 * §9). One entry per difference, in the words the page shows.
 */
import type { ExportSetup } from './pytorch.ts';

export function exportCaveats(s: ExportSetup): string[] {
  const out: string[] = [];
  if (s.data.source === 'mnist' && !s.splits) {
    out.push("MNIST: the script trains on torchvision's 60,000 digits (downloaded), not the playground's split.");
  }
  for (const r of s.runs) {
    const o = r.optimizer;
    if (o.kind === 'fishleg') {
      if (o.approx !== 'block-kron') {
        out.push(`${r.name}: FishLeg's '${o.approx}' structure becomes the library's one Kronecker layer.`);
      }
      if (o.fisher === 'ggn') {
        out.push(`${r.name}: the exact GGN product becomes the library's antithetic estimate.`);
      }
      if (o.fitScale) out.push(`${r.name}: the fitted scale of Q is dropped (the library has none).`);
    }
    if (o.kind === 'fishleg') {
      const fixed = (r.changes ?? []).some(
        (c) =>
          c.optimizer.kind === 'fishleg' &&
          (c.optimizer.approx !== o.approx ||
            c.optimizer.fisher !== o.fisher ||
            c.optimizer.initScale !== o.initScale ||
            c.optimizer.fitScale !== o.fitScale),
      );
      if (fixed) out.push(`${r.name}: changes of FishLeg's structure or estimator during the race keep the first one.`);
    }
    if (r.start && (o.kind === 'fishleg' || o.kind === 'kfac' || o.kind === 'natural')) {
      out.push(`${r.name}: continues from the weights; its ${o.kind} state starts afresh.`);
    }
  }
  if (s.switchApprox && s.switchApprox.length > 0) {
    out.push('Approximation switches during the race are not replayed: FishLeg keeps one structure.');
  }
  // Runs of one name (three FishLeg runs that differ in their approximation only) would repeat a sentence.
  return [...new Set(out)];
}
