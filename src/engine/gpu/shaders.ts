/**
 * The WGSL modules the kernels compile: the sources of shaders/*.wgsl (checked in as shaders.gen.ts by
 * scripts/gen-shaders.mjs, so WGSL reaches the engine the same way in Vite, Vitest, Node and workers) with
 * their `//!include` lines expanded once, when the engine loads, and `//!hyper-loader` lines turned into
 * loaders of the optimizer hyper structs (engine/hyper.ts).
 */
import { SHADER_SOURCES } from './shaders.gen.ts';
import { expandHyperLoaders } from '../hyper.ts';
import { expandIncludes } from './wgsl-include.ts';

/** Name of a WGSL module (a file of shaders/ without its extension). */
export type ShaderName = keyof typeof SHADER_SOURCES;

const source = (file: string): string | undefined =>
  (SHADER_SOURCES as Readonly<Record<string, string>>)[file.replace(/\.wgsl$/, '')];

/** Every module, includes expanded. */
export const SHADERS: Readonly<Record<ShaderName, string>> = Object.fromEntries(
  Object.keys(SHADER_SOURCES).map((name) => [name, expandHyperLoaders(expandIncludes(`${name}.wgsl`, source))]),
) as Record<ShaderName, string>;
