// ESLint flat config: typed typescript-eslint rules for all TS, React hooks rules for the UI, and an
// import fence that keeps src/engine framework-free (it must run unchanged in Node, Vitest and the worker).
// `npm run lint` runs this with --max-warnings 0, then prettier --check.
import js from '@eslint/js';
import { defineConfig, globalIgnores, includeIgnoreFile } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Whatever git ignores (build output, test results, screenshots), plus the generated shader module.
  includeIgnoreFile(fileURLToPath(new URL('.gitignore', import.meta.url)), 'git-ignored files'),
  globalIgnores(['dist/**', 'node_modules/**', 'src/engine/gpu/shaders.gen.ts', 'test-results/**', 'bench/results/**']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An unawaited GPU promise (mapAsync, onSubmittedWorkDone, a readback) hides errors and races.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JS/MJS (this file, scripts) is not in the TS project: lint it without type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Code that runs in Node rather than the browser.
    files: ['scripts/**', 'bench/**', 'src/cli/**', 'e2e/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    files: ['src/worker/**/*.ts'],
    languageOptions: { globals: { ...globals.worker } },
  },
  // The engine's public surfaces: the page's main thread imports only engine/page.ts (settings, data
  // generators, estimates; no backends or kernels, so the WGSL and the training code stay in the worker's
  // bundle), the worker only engine/index.ts, the CLI engine/index.ts and the Node-only engine/node.ts.
  // Tests may reach inside. The fence covers `import()` expressions as well as import declarations.
  engineFence(
    ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    '(^|/)engine/(?!page\\.ts$)',
    'src/ui imports the engine only through src/engine/page.ts (add the export there).',
  ),
  engineFence(
    ['src/worker/**/*.ts'],
    '(^|/)engine/(?!index\\.ts$)',
    'src/worker imports the engine only through src/engine/index.ts (add the export there).',
  ),
  engineFence(
    ['src/cli/**/*.ts'],
    '(^|/)engine/(?!(index|node)\\.ts$)',
    'src/cli imports the engine only through src/engine/index.ts or node.ts (add the export there).',
  ),
  {
    // The engine is framework-free: no React, no charts, and no reaching up into the UI or the worker.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['react', 'react/*', 'react-dom', 'react-dom/*', 'recharts', 'recharts/*'],
              message: 'src/engine must stay framework-free: move UI code to src/ui.',
            },
            {
              regex: '^(\\.\\./)+(ui|worker)(/|$)|(^|/)src/(ui|worker)(/|$)',
              message: 'src/engine must not import src/ui or src/worker (imports flow engine → worker → ui).',
            },
          ],
        },
      ],
    },
  },
);

/** One import fence: files may reach the engine only through the entry points the regex leaves out. */
function engineFence(files, regex, message) {
  return {
    files,
    ignores: ['**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`, message },
      ],
    },
  };
}
