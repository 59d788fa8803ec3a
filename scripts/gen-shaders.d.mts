// Types for scripts/gen-shaders.mjs, so that its unit test (test/gpu/gen-shaders.test.ts) can call it under
// strict TypeScript. Keep in step with the script.

/** `<repo>/shaders`. */
export const SHADER_DIR: string;
/** `<repo>/src/engine/gpu/shaders.gen.ts`. */
export const OUT_FILE: string;
/** A shader file name that is not an identifier. */
export class ShaderGenError extends Error {}
/** The generated module's text for the `.wgsl` files of `dir` (default: shaders/). */
export function generate(dir?: string): string;
