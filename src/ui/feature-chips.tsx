/**
 * The toy tasks' input features as toggle chips (TF Playground's column of inputs): each chip feeds one feature
 * of the point (x₁, x₂) to the network, whose input width follows. The last chip on cannot be turned off, so
 * the network always has an input.
 */
import { DEFAULT_FEATURES, FEATURES, type FeatureId } from '../engine/page.ts';

interface FeatureChipsProps {
  readonly features: readonly FeatureId[] | undefined;
  /** The new list, in FEATURES' order; undefined for the plane itself (x₁, x₂). */
  readonly onChange: (features: readonly FeatureId[] | undefined) => void;
}

/** The list after toggling one feature, in FEATURES' order; undefined when it is the default. */
export function toggleFeature(current: readonly FeatureId[] | undefined, id: FeatureId): FeatureId[] | undefined {
  const on = new Set<FeatureId>(current ?? DEFAULT_FEATURES);
  if (on.has(id)) {
    if (on.size === 1) return [...on];
    on.delete(id);
  } else on.add(id);
  const next = FEATURES.map((f) => f.id).filter((f) => on.has(f));
  const plain = next.length === DEFAULT_FEATURES.length && next.every((f, i) => f === DEFAULT_FEATURES[i]);
  return plain ? undefined : next;
}

/** Data settings with these features (none: the key is left out, so the config round-trips through a link). */
export function withFeatures<D extends { readonly features?: readonly FeatureId[] }>(
  data: D,
  features: readonly FeatureId[] | undefined,
): D {
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'features')) as D;
  return features ? { ...rest, features } : rest;
}

export function FeatureChips({ features, onChange }: FeatureChipsProps) {
  const on = new Set<FeatureId>(features ?? DEFAULT_FEATURES);
  return (
    <div className="feature-chips" role="group" aria-label="Input features" data-testid="feature-chips">
      <span className="feature-chips-title">inputs</span>
      {FEATURES.map((f) => {
        const pressed = on.has(f.id);
        const last = pressed && on.size === 1;
        return (
          <button
            key={f.id}
            type="button"
            className={`chip${pressed ? ' on' : ''}`}
            aria-pressed={pressed}
            data-testid={`feature-${f.id}`}
            title={last ? 'the network needs at least one input' : `feed ${f.label} to the network`}
            disabled={last}
            onClick={() => onChange(toggleFeature(features, f.id))}
          >
            {f.label}
          </button>
        );
      })}
    </div>
  );
}
