/**
 * scripts/gen-shaders.mjs: includes expand once per module and fail on cycles or missing files, the
 * output escapes template-literal syntax, and the checked-in src/engine/gpu/shaders.gen.ts is current.
 * (A Node test: no GPU involved.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandIncludes, generate, OUT_FILE, ShaderGenError } from '../../scripts/gen-shaders.mjs';

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
    expect(() => expandIncludes('cycle.wgsl', read)).toThrow(ShaderGenError);
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
    const mod = (await import(/* @vite-ignore */ out)) as { SHADERS: { tricky: string } };
    expect(mod.SHADERS.tricky).toBe(tricky);
  });

  it('the checked-in module is up to date (and --check agrees)', () => {
    expect(readFileSync(OUT_FILE, 'utf8')).toBe(generate());
    expect(() => execFileSync('node', ['scripts/gen-shaders.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
