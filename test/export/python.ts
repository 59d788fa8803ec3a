/**
 * Finding a Python for the export tests: $PYTHON, then python3, then /usr/bin/python3 (a distribution's
 * Python may carry a packaged torch when the default one does not). Tests skip, saying why, without one.
 */
import { spawnSync } from 'node:child_process';

const CANDIDATES = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);

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
  if (!found)
    console.warn(`skipping: no Python with ${modules.join(', ') || 'python3'} (tried ${CANDIDATES.join(', ')})`);
  return found;
}

/** Runs Python code; returns stdout, throws with stderr on failure. */
export function runPython(py: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(py, args, { encoding: 'utf8', timeout: 120_000, cwd, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${py} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
