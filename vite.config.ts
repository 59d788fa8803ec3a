/**
 * Vite config for the playground: React via @vitejs/plugin-react, ES-module workers (the training worker
 * imports the engine as modules), and fixed loopback ports so scripts and Playwright know where to look.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP): it gives pages SharedArrayBuffer, which the CPU backend's matmul
 * needs to share its WebAssembly memory with helper threads (docs/cpu-backend.md). Every asset of the app
 * (scripts, the training worker, KaTeX's fonts, mnist.bin) is same-origin, so require-corp blocks nothing.
 * A host that serves dist/ without these headers still works, with the CPU matmul on one thread.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // React + recharts make one ~600 kB (180 kB gzipped) chunk; the engine and the worker are split off.
    chunkSizeWarningLimit: 800,
    // views-demo.html renders every view with synthetic data (src/ui/views/demo.tsx) for screenshots and e2e.
    rolldownOptions: { input: { main: 'index.html', viewsDemo: 'views-demo.html' } },
  },
});
