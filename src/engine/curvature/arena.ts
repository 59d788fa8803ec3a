/**
 * Scratch memory for the curvature methods' op lists (FishLeg, K-FAC, the natural gradient): one
 * allocation, handed out as consecutive views by a bump allocator. Op lists run strictly in order, so every builder may reuse the same scratch. The size is
 * found by building the op lists once against a measuring arena (no device memory) and then for real.
 */
import type { Backend } from '../backend.ts';
import { slice, type Tensor } from '../tensor.ts';

/** Thrown when a builder asks for more scratch than the arena was sized for (a sizing bug). */
export class ArenaOverflowError extends Error {
  override readonly name = 'ArenaOverflowError';
}

const MEASURE: Tensor = {
  storage: { id: -1, size: Number.MAX_SAFE_INTEGER, dtype: 'f32', label: 'fishleg.scratch(measuring)' },
  offset: 0,
  size: Number.MAX_SAFE_INTEGER,
};

export class Arena {
  private used = 0;
  /** Most elements ever in use at once. */
  high = 0;

  private constructor(private readonly t: Tensor) {}

  /** An arena that only counts: its views must never reach a backend. */
  static measuring(): Arena {
    return new Arena(MEASURE);
  }

  /** An arena over a real tensor. */
  static over(t: Tensor): Arena {
    return new Arena(t);
  }

  /** A fresh view of n elements (contents undefined). */
  take(n: number): Tensor {
    if (this.used + n > this.t.size) {
      throw new ArenaOverflowError(`FishLeg scratch holds ${this.t.size} elements; a builder needs ${this.used + n}`);
    }
    const v = slice(this.t, this.used, n);
    this.used += n;
    this.high = Math.max(this.high, this.used);
    return v;
  }

  /** Runs `build` and returns the scratch it took to the arena afterwards (its views may be reused). */
  scoped<T>(build: () => T): T {
    const mark = this.used;
    try {
      return build();
    } finally {
      this.used = mark;
    }
  }
}

/**
 * Builds op lists that share one scratch allocation: `build` runs once to measure, then once more over a
 * tensor of the measured size, which the caller owns and frees.
 */
export function withScratch<T>(
  backend: Backend,
  label: string,
  build: (arena: Arena) => T,
): { result: T; scratch: Tensor } {
  const probe = Arena.measuring();
  build(probe);
  const scratch = backend.alloc(Math.max(1, probe.high), label);
  return { result: build(Arena.over(scratch)), scratch };
}
