/**
 * WGSL includes expand once per module and fail on cycles or missing files (src/engine/gpu/wgsl-include.ts);
 * scripts/gen-shaders.mjs escapes template-literal syntax and the checked-in src/engine/gpu/shaders.gen.ts is
 * current; every shipped module expands. (A Node test: no GPU involved.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, OUT_FILE } from '../../scripts/gen-shaders.mjs';
import { SHADERS } from '../../src/engine/gpu/shaders.ts';
import { expandIncludes, ShaderIncludeError } from '../../src/engine/gpu/wgsl-include.ts';

const files: Record<string, string> = {
  'a.wgsl': '// a\n//!include lib.wgsl\n//!include util.wgsl\nfn a() {}\n',
  'lib.wgsl': '//!include util.wgsl\nfn lib() {}\n',
  'util.wgsl': 'fn util() {}\n',
  'cycle.wgsl': '//!include loop.wgsl\n',
  'loop.wgsl': '//!include cycle.wgsl\n',
  'missing.wgsl': '//!include nowhere.wgsl\n',
};
const read = (n: string) => files[n];

describe('expandIncludes', () => {
  it('inlines each file once, depth first', () => {
    const out = expandIncludes('a.wgsl', read);
    expect(out.match(/fn util\(\)/g)).toHaveLength(1);
    expect(out.indexOf('fn util()')).toBeLessThan(out.indexOf('fn lib()'));
    expect(out.indexOf('fn lib()')).toBeLessThan(out.indexOf('fn a()'));
    expect(out).not.toContain('//!include');
  });

  it('fails on cycles and missing files with the chain in the message', () => {
    expect(() => expandIncludes('cycle.wgsl', read)).toThrow(ShaderIncludeError);
    expect(() => expandIncludes('cycle.wgsl', read)).toThrow(/cycle\.wgsl → loop\.wgsl → cycle\.wgsl/);
    expect(() => expandIncludes('missing.wgsl', read)).toThrow(/nowhere\.wgsl, which does not exist/);
  });
});

describe('generate', () => {
  it('escapes backslashes, backticks and ${ so the WGSL round-trips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-shaders-'));
    const tricky = '// `quoted` \\ and ${notAnExpression}\nfn f() {}\n';
    writeFileSync(join(dir, 'tricky.wgsl'), tricky);
    const out = join(dir, 'out.mjs');
    writeFileSync(
      out,
      generate(dir)
        .replace(' as const;', ';')
        .replace(/^export type .*$/m, ''),
    );
    const mod = (await import(/* @vite-ignore */ out)) as { SHADER_SOURCES: { tricky: string } };
    expect(mod.SHADER_SOURCES.tricky).toBe(tricky);
  });

  it('the checked-in module is up to date (and --check agrees)', () => {
    expect(readFileSync(OUT_FILE, 'utf8')).toBe(generate());
    expect(() => execFileSync('node', ['scripts/gen-shaders.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('SHADERS', () => {
  it('expands every shipped module: no include line is left and shared files appear once each', () => {
    for (const [name, code] of Object.entries(SHADERS)) {
      expect(code, name).not.toMatch(/^\s*\/\/!include/m);
      expect(code.split('// ---- begin bindings.wgsl ----').length, name).toBeLessThanOrEqual(2);
    }
    expect(SHADERS.matmul).toContain('// ---- begin bindings.wgsl ----');
  });
});
