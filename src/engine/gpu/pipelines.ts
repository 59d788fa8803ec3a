/**
 * Shader modules and compute pipelines, created once and cached per (shader, entry point, constants).
 * Each creation runs inside a 'validation' error scope; when it fails, the error names the pipeline and
 * quotes the compiler's messages with the WGSL lines they point at (jax-js style), so a broken kernel is
 * a readable test failure rather than a silent no-op dispatch.
 */
import { ShaderCompileError } from './errors.ts';

/** Pipeline-overridable constants of one pipeline. */
export type PipelineConstants = Readonly<Record<string, number | boolean>>;

/** Source text per shader name (normally SHADERS from shaders.ts). */
export type ShaderSources = Readonly<Record<string, string>>;

/** Lines of context shown above and below a compiler message. */
const CONTEXT = 2;

/** Formats compiler messages with the numbered source lines they point at and a caret under the column. */
export function formatCompilationMessages(source: string, messages: readonly GPUCompilationMessage[]): string {
  const lines = source.split('\n');
  const width = String(lines.length).length;
  return messages
    .map((m) => {
      const head = `${m.type} at line ${m.lineNum}:${m.linePos}: ${m.message}`;
      if (m.lineNum < 1) return head;
      const from = Math.max(1, m.lineNum - CONTEXT);
      const to = Math.min(lines.length, m.lineNum + CONTEXT);
      const shown: string[] = [];
      for (let l = from; l <= to; l++) {
        shown.push(`${String(l).padStart(width)} | ${lines[l - 1]}`);
        if (l === m.lineNum) shown.push(`${' '.repeat(width)} | ${' '.repeat(Math.max(0, m.linePos - 1))}^`);
      }
      return `${head}\n${shown.join('\n')}`;
    })
    .join('\n\n');
}

function toNumbers(constants: PipelineConstants): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) out[k] = Number(v);
  return out;
}

function constantsKey(constants: PipelineConstants): string {
  return Object.keys(constants)
    .sort()
    .map((k) => `${k}=${String(constants[k])}`)
    .join(',');
}

/** Creates and caches shader modules and compute pipelines on one device, all with one pipeline layout. */
export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly checks: Promise<void>[] = [];
  /** The first compile failure seen, once its error scope has resolved. */
  failure: ShaderCompileError | undefined;
  /** Pipelines whose creation the device has finished (compiled or failed). */
  #finished = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUPipelineLayout,
    private readonly sources: ShaderSources,
    private readonly log?: (message: string) => void,
  ) {}

  /** Number of pipelines created so far. */
  get size(): number {
    return this.pipelines.size;
  }

  private module(shader: string): GPUShaderModule {
    let mod = this.modules.get(shader);
    if (!mod) {
      const code = this.sources[shader];
      if (code === undefined) throw new ShaderCompileError(`no WGSL source named '${shader}'`);
      mod = this.device.createShaderModule({ label: `shader ${shader}`, code });
      this.modules.set(shader, mod);
    }
    return mod;
  }

  /**
   * The pipeline of `entry` in `shader` with `constants`. Returns at once; a compile failure is reported
   * by `settled()` (and kept in `failure`), because WebGPU reports it asynchronously.
   */
  get(shader: string, entry: string, constants: PipelineConstants = {}): GPUComputePipeline {
    const key = `${shader}:${entry}:${constantsKey(constants)}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    this.log?.(`compile pipeline ${key}`);
    this.device.pushErrorScope('validation');
    const mod = this.module(shader);
    const pipeline = this.device.createComputePipeline({
      label: `pipeline ${key}`,
      layout: this.layout,
      // WebGPU constants are numbers: booleans (trans_a...) go in as 1/0.
      compute: { module: mod, entryPoint: entry, constants: toNumbers(constants) },
    });
    const check = this.device.popErrorScope().then(async (err) => {
      this.#finished++;
      if (!err) return;
      const info = await mod.getCompilationInfo();
      const messages = formatCompilationMessages(this.sources[shader]!, info.messages);
      this.failure ??= new ShaderCompileError(
        `WGSL pipeline '${key}' failed to build: ${err.message}` + (messages ? `\n\n${messages}` : ''),
      );
    });
    this.checks.push(check);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** How many of the pipelines created so far the device has finished building (for a progress display). */
  get progress(): { readonly done: number; readonly total: number } {
    return { done: this.#finished, total: this.pipelines.size };
  }

  /** Resolves once every pipeline created so far has been checked; throws the first compile failure. */
  async settled(): Promise<void> {
    const pending = this.checks.splice(0);
    await Promise.all(pending);
    if (this.failure) throw this.failure;
  }
}
