/**
 * Finding a Python for the export tests: $PYTHON, then the project's venv (.venv-export, which .ci/run
 * fills with numpy and a CPU torch), then python3, then /usr/bin/python3. Without one that imports what a
 * test needs, the test is reported as skipped with the reason; REQUIRE_TORCH=1 turns that into a failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VENV_PYTHON = fileURLToPath(new URL('../../.venv-export/bin/python', import.meta.url));

const CANDIDATES = [
  process.env.PYTHON,
  existsSync(VENV_PYTHON) ? VENV_PYTHON : undefined,
  'python3',
  '/usr/bin/python3',
].filter((c): c is string => !!c);

const cache = new Map<string, string | null>();

/** The first Python that imports every module named, or null. */
export function findPython(modules: readonly string[]): string | null {
  const key = modules.join(',');
  if (cache.has(key)) return cache.get(key)!;
  let found: string | null = null;
  for (const py of CANDIDATES) {
    // find_spec, not import: importing torch alone takes seconds.
    const probe = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ${JSON.stringify(modules)}) else 1)`;
    const r = spawnSync(py, ['-c', probe], { timeout: 60_000 });
    if (r.status === 0) {
      found = py;
      break;
    }
  }
  cache.set(key, found);
  return found;
}

/** Why a test cannot run without these modules. */
export function missingReason(modules: readonly string[]): string {
  return `no Python with ${modules.join(', ') || 'python3'} (tried ${CANDIDATES.join(', ')}; .ci/run installs them into .venv-export)`;
}

export interface SkipContext {
  skip(note?: string): never;
}

/**
 * The Python a test runs, or the test is skipped saying why (a failure instead when REQUIRE_TORCH=1, for
 * whoever wants a missing torch to count).
 */
export function needPython(ctx: SkipContext, modules: readonly string[]): string {
  const py = findPython(modules);
  if (py) return py;
  const reason = missingReason(modules);
  if (process.env.REQUIRE_TORCH === '1') throw new Error(`REQUIRE_TORCH=1: ${reason}`);
  return ctx.skip(reason);
}

/** Runs Python code; returns stdout, throws with stderr on failure. */
export function runPython(py: string, args: readonly string[], cwd?: string, timeout = 120_000): string {
  const r = spawnSync(py, args, { encoding: 'utf8', timeout, cwd, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${py} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
