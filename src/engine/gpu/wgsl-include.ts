/**
 * `//!include other.wgsl` for WGSL, which has no module system: shared code (bindings, the RNG) is written
 * once in shaders/ and inlined into each kernel module when the engine loads (src/engine/gpu/shaders.ts).
 */

const INCLUDE = /^\s*\/\/!include\s+(\S+)\s*$/;

/** A missing or cyclic include. */
export class ShaderIncludeError extends Error {
  override readonly name = 'ShaderIncludeError';
}

/**
 * Expands `//!include file.wgsl` lines recursively. Each file is included at most once per module
 * (later includes of the same file are dropped), so shared libraries can include each other safely.
 * `read` returns a file's text, or undefined if there is no such file.
 */
export function expandIncludes(file: string, read: (name: string) => string | undefined): string {
  const seen = new Set<string>();
  const expand = (name: string, stack: readonly string[]): string => {
    const text = read(name);
    if (text === undefined) {
      throw new ShaderIncludeError(`${stack.at(-1) ?? name} includes ${name}, which does not exist in shaders/`);
    }
    seen.add(name);
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const inc = INCLUDE.exec(line)?.[1];
      if (inc === undefined) {
        out.push(line);
        continue;
      }
      if (stack.includes(inc) || inc === name) {
        throw new ShaderIncludeError(`include cycle: ${[...stack, name, inc].join(' → ')}`);
      }
      if (seen.has(inc)) continue;
      out.push(
        `// ---- begin ${inc} ----`,
        expand(inc, [...stack, name]).replace(/\n+$/, ''),
        `// ---- end ${inc} ----`,
      );
    }
    return out.join('\n');
  };
  return expand(file, []);
}
