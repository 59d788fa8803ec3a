/**
 * Development page (views-demo.html) that renders every view with synthetic, deterministic data — and with
 * empty/NaN data — so the views can be looked at and screenshot without training anything.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import {
  DecisionBoundaries,
  InsideFishLeg,
  NetworkDiagram,
  Predictions,
  Reconstructions,
  TwoParamDemo,
} from './index.ts';
import { relativeError } from '../../engine/page.ts';
import type { NetworkData, ProbabilityGrid } from './types.ts';

/** A small seeded PRNG (mulberry32): demo data only. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(42);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

// Two-arm spiral.
const N = 240;
const x = new Float32Array(2 * N);
const labels = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  const c = i % 2;
  const r = (i / N) * 5;
  const t = 1.75 * (i / N) * 2 * Math.PI + c * Math.PI;
  x[2 * i] = r * Math.sin(t) + 0.15 * gauss();
  x[2 * i + 1] = r * Math.cos(t) + 0.15 * gauss();
  labels[i] = c;
}

function grid(size: number, f: (x: number, y: number) => number): ProbabilityGrid {
  const extent: [number, number, number, number] = [-6, 6, -6, 6];
  const probs = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const p = f(-6 + (12 * c) / (size - 1), -6 + (12 * r) / (size - 1));
      probs[2 * (r * size + c)] = 1 - p;
      probs[2 * (r * size + c) + 1] = p;
    }
  }
  return { size, extent, probs };
}
// A "good" model: nearest training point's class, softened.
const good = grid(64, (gx, gy) => {
  let best = Infinity;
  let cls = 0;
  for (let i = 0; i < N; i++) {
    const d = (x[2 * i]! - gx) ** 2 + (x[2 * i + 1]! - gy) ** 2;
    if (d < best) {
      best = d;
      cls = labels[i]!;
    }
  }
  const conf = 1 / (1 + Math.exp(-(3 - best * 2)));
  return cls === 1 ? 0.5 + 0.5 * conf : 0.5 - 0.5 * conf;
});
const linear = grid(32, (gx, gy) => 1 / (1 + Math.exp(-(0.8 * gx - 0.5 * gy))));

// Procedural 28×28 "digits": rings, bars and crosses.
const W = 28;
function digit(kind: number): Float32Array {
  const img = new Float32Array(W * W);
  for (let yy = 0; yy < W; yy++) {
    for (let xx = 0; xx < W; xx++) {
      const u = (xx - 13.5) / 9;
      const v = (yy - 13.5) / 11;
      let d: number;
      if (kind % 4 === 0) d = Math.abs(Math.hypot(u, v) - 0.8);
      else if (kind % 4 === 1) d = Math.abs(u - 0.2 * v) + Math.max(0, Math.abs(v) - 1);
      else if (kind % 4 === 2) d = Math.min(Math.abs(u - v), Math.abs(u + v)) + Math.max(0, Math.abs(v) - 1);
      else d = Math.min(Math.abs(v), Math.abs(u)) + Math.max(0, Math.hypot(u, v) - 1);
      img[yy * W + xx] = Math.max(0, Math.min(1, 1.4 - 6 * d));
    }
  }
  return img;
}
const originals = Array.from({ length: 8 }, (_, k) => digit(k));
const blur = (img: Float32Array, noise: number): Float32Array =>
  img.map((_, i) => {
    const yy = Math.floor(i / W);
    const xx = i % W;
    let s = 0;
    let n = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const y2 = yy + dy;
        const x2 = xx + dx;
        if (y2 >= 0 && y2 < W && x2 >= 0 && x2 < W) {
          s += img[y2 * W + x2]!;
          n++;
        }
      }
    return Math.max(0, Math.min(1, s / n + noise * gauss()));
  });

const digitLabels = new Uint32Array(originals.map((_, k) => [0, 1, 7, 4][k % 4]!));
const predict = (sharp: number, wrongEvery: number): Float32Array[] =>
  originals.map((_, i) => {
    const truth = i % wrongEvery === wrongEvery - 1 ? (digitLabels[i]! + 3) % 10 : digitLabels[i]!;
    const logits = Array.from({ length: 10 }, (_, k) => (k === truth ? sharp : 0) + gauss());
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const z = e.reduce((a, b) => a + b, 0);
    return new Float32Array(e.map((v) => v / z));
  });

// Inside FishLeg: an SPD "Fisher" of a 4×(3+1) layer, its exact damped inverse, and a noisy Q.
const M = 4;
const Nin = 3;
const D = M * (Nin + 1);
const damping = 0.1;
const J = Array.from({ length: 2 * D }, () =>
  Array.from({ length: D }, (_, j) => gauss() * (j % (Nin + 1) === Nin ? 0.5 : 1)),
);
const F = Array.from({ length: D }, (_, i) =>
  Array.from(
    { length: D },
    (_, j) => J.reduce((s, row) => s + row[i]! * row[j]!, 0) / J.length + (i === j ? damping : 0),
  ),
);
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}
const fInvRows = invert(F);
const fInv = new Float64Array(fInvRows.flat());
const q = fInv.map((v, i) => v * (1 + 0.15 * gauss()) + (Math.floor(i / D) === i % D ? 0 : 0.05 * gauss()));
const errorHistory = Array.from({ length: 120 }, (_, s) => ({
  step: 10 * s,
  relError: 0.12 + 0.88 * Math.exp(-s / 25) * (1 + 0.05 * gauss()),
}));
const auxLossHistory = Array.from({ length: 120 }, (_, s) => ({
  step: 10 * s,
  auxLoss: -2.4 + 2.2 * Math.exp(-s / 30) + 0.05 * gauss(),
}));

/** A random 2-3t-10t-1 network evaluated by hand on a 40×40 grid: the diagram's data, wider layer cut to 8. */
function demoNetwork(): ProbabilityGrid & { network: NetworkData } {
  const size = 40;
  const widths = [2, 3, 10, 1];
  const shown = widths.map((w) => Math.min(8, w));
  const W = widths.slice(1).map((m, l) => Array.from({ length: m * (widths[l]! + 1) }, () => 1.2 * gauss()));
  const cells = size * size;
  const hidden = [new Float32Array(3 * cells), new Float32Array(8 * cells)];
  const probs = new Float32Array(2 * cells);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      let a = [-1 + (2 * c) / (size - 1), -1 + (2 * r) / (size - 1)];
      for (let l = 0; l < 3; l++) {
        const n = widths[l]!;
        const s = Array.from({ length: widths[l + 1]! }, (_, u) =>
          a.reduce((sum, v, j) => sum + W[l]![u * (n + 1) + j]! * v, W[l]![u * (n + 1) + n]!),
        );
        a = l < 2 ? s.map(Math.tanh) : s;
        if (l < 2) for (let u = 0; u < shown[l + 1]!; u++) hidden[l]![u * cells + i] = a[u]!;
      }
      const p = 1 / (1 + Math.exp(-a[0]!));
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    }
  }
  const weights = W.map((w, l) => {
    const rows = shown[l + 1]!;
    const cols = shown[l]!;
    return Float32Array.from(
      { length: rows * cols },
      (_, k) => w[Math.floor(k / cols) * (widths[l]! + 1) + (k % cols)]!,
    );
  });
  return { size, extent: [-1, 1, -1, 1], probs, network: { widths, shown, acts: ['tanh', 'tanh'], hidden, weights } };
}
const network = demoNetwork();

const runs = [
  { id: 'a', name: 'FishLeg', colour: '#2563eb' },
  { id: 'b', name: 'Adam', colour: '#ea580c' },
  { id: 'c', name: 'SGD (starting)', colour: '#16a34a' },
];

function Demo() {
  return (
    <main style={{ maxWidth: 1200, margin: '0 auto', padding: 16, fontFamily: 'system-ui, sans-serif' }}>
      <h1>Views demo (synthetic data)</h1>
      <h2>Decision boundaries</h2>
      <DecisionBoundaries
        points={{ x, labels, classes: 2 }}
        runs={[
          { ...runs[0]!, grid: good },
          { ...runs[1]!, grid: linear },
          { ...runs[2]!, grid: null },
        ]}
      />
      <h2>Network</h2>
      <NetworkDiagram
        classes={2}
        runs={[
          { ...runs[0]!, grid: network },
          { ...runs[2]!, grid: null },
        ]}
      />
      <h2>Reconstructions</h2>
      <Reconstructions
        width={W}
        height={W}
        originals={originals}
        runs={[
          { ...runs[0]!, recon: originals.map((o) => blur(o, 0.03)) },
          { ...runs[1]!, recon: originals.map((o) => blur(blur(o, 0.1), 0.1)) },
          { ...runs[2]!, recon: originals.map(() => new Float32Array(W * W).fill(Number.NaN)) },
        ]}
      />
      <h2>Predictions</h2>
      <Predictions
        width={W}
        height={W}
        images={originals}
        labels={digitLabels}
        classes={10}
        runs={[
          { ...runs[0]!, probs: predict(6, 9) },
          { ...runs[1]!, probs: predict(3, 3) },
          { ...runs[2]!, probs: [] },
        ]}
      />
      <h2>Inside FishLeg</h2>
      <InsideFishLeg
        runName="FishLeg"
        layer={{ index: 1, label: `${M}×(${Nin}+1)`, size: M * (Nin + 1) }}
        q={q}
        fInv={fInv}
        relError={relativeError(q, fInv)}
        errorHistory={errorHistory}
        auxLossHistory={auxLossHistory}
        damping={damping}
        control={{ step: 300, learned: 0.412, frozen: 0.53 }}
      />
      <h2>Two-parameter demo</h2>
      <TwoParamDemo />
      <h2 id="empty">Empty and NaN data</h2>
      <div data-testid="views-empty">
        <DecisionBoundaries points={{ x: new Float32Array(0), labels: new Uint32Array(0), classes: 2 }} runs={[]} />
        <DecisionBoundaries
          points={{ x: new Float32Array(0), labels: new Uint32Array(0), classes: 2 }}
          runs={[
            { ...runs[0]!, grid: { size: 4, extent: [0, 1, 0, 1], probs: new Float32Array(32).fill(Number.NaN) } },
          ]}
        />
        <Reconstructions width={28} height={28} originals={[]} runs={[]} />
        <Predictions width={28} height={28} images={[]} classes={10} runs={[]} />
        <InsideFishLeg
          runName=""
          layer={{ index: 0, label: '2×(2+1)', size: 6 }}
          q={null}
          fInv={new Float64Array(3)}
          errorHistory={[]}
          auxLossHistory={[{ step: 0, auxLoss: Number.NaN }]}
          damping={0.1}
        />
      </div>
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('views-demo.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <Demo />
  </StrictMode>,
);
