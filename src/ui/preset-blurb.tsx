/**
 * A preset's "what to watch" (preset-follow.ts says which, and whether the setup is still its own). On a wide
 * screen it shares the presets' row, one line long with the rest a click away (the page fits one screen at
 * 1280×800); elsewhere it is shown whole. Marked modified, it stays where it was, with a way back.
 */
import { useState } from 'react';
import type { FollowedPreset } from './preset-follow.ts';

export interface PresetBlurbProps {
  readonly followed: FollowedPreset;
  readonly onBack: () => void;
}

/** The followed preset's text, its modified mark and the toggle that shows all of it on a wide screen. */
export function PresetBlurb({ followed, onBack }: PresetBlurbProps) {
  const [open, setOpen] = useState(false);
  const { preset, modified } = followed;
  return (
    <>
      <p
        className={`preset-blurb${modified ? ' modified' : ''}${open ? ' open' : ''}`}
        data-testid="preset-blurb"
        data-preset={preset.id}
        data-modified={modified}
        title={open ? undefined : preset.blurb}
      >
        {/* Where the presets scroll sideways (a phone), the active one can be off screen: name it. */}
        <span className="blurb-title">{preset.title}. </span>
        <strong>What to watch{modified ? '' : ':'}</strong>
        {modified && (
          <>
            {' '}
            <span
              className="modified-mark"
              data-testid="preset-modified"
              title={`This text is about “${preset.title}” as it was set up; the data, the model or the runs have changed since.`}
            >
              (modified)
            </span>{' '}
            {/* The colon stays with the button: on a phone the 44 px target would leave it alone on a line. */}
            <span className="blurb-back">
              <button type="button" className="link-button" data-testid="preset-back" onClick={onBack}>
                back to the preset
              </button>
              :
            </span>
          </>
        )}{' '}
        {preset.blurb}
      </p>
      <button
        type="button"
        className="link-button blurb-toggle"
        aria-expanded={open}
        data-testid="preset-blurb-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        {open ? 'less' : 'more'}
      </button>
    </>
  );
}
