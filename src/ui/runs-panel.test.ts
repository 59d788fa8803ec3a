/**
 * The runs panel's optimizer menus on a model too large for an optimizer (the exact natural gradient on the
 * MNIST CNN): the entry is shown, not offered, and the panel says why; a small model is offered every optimizer.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { modelRefusal } from '../engine/page.ts';
import { newRun } from './config.ts';
import { RunsPanel, type RunsPanelProps } from './runs-panel.tsx';

const none = () => undefined;
const panel = (props: Partial<RunsPanelProps>) =>
  renderToStaticMarkup(
    createElement(RunsPanel, {
      runs: [newRun('adam', [])],
      states: {},
      onUpdate: none,
      onAdd: none,
      onDuplicate: none,
      onControl: none,
      onRemove: none,
      ...props,
    }),
  );

/** The <option> elements of the HTML whose value is `kind`. */
const options = (html: string, kind: string): string[] =>
  html.match(new RegExp(`<option[^>]*value="${kind}"[^>]*>[^<]*`, 'g')) ?? [];

describe('RunsPanel optimizer menus', () => {
  it('does not offer the natural gradient for the 4,138-parameter MNIST CNN, and says why', () => {
    const html = panel({ params: 4138 });
    const natural = options(html, 'natural');
    // The run's own menu and the add-run menu.
    expect(natural).toHaveLength(2);
    for (const o of natural) {
      expect(o).toContain('disabled=""');
      expect(o).toContain('at most 1,000 parameters; this one has 4,138');
    }
    expect(html).toMatch(/data-testid="add-run-refusal">Natural gradient is for models of at most 1,000 parameters/);
    for (const o of options(html, 'kfac')) expect(o).not.toContain('disabled');
  });

  it('offers every optimizer for a small model, and before the model is known', () => {
    for (const params of [170, undefined]) {
      const html = panel(params === undefined ? {} : { params });
      expect(options(html, 'natural').every((o) => !o.includes('disabled'))).toBe(true);
      expect(html).not.toContain('add-run-refusal');
    }
  });

  it('keeps a run on the natural gradient selectable in its own menu (the race says why it cannot start)', () => {
    const html = panel({ runs: [newRun('natural', [])], params: 4138 });
    const [own, add] = options(html, 'natural');
    expect(own).not.toContain('disabled');
    expect(add).toContain('disabled');
  });
});

describe('modelRefusal', () => {
  it('refuses only above the spec cap, and never for an optimizer without one', () => {
    expect(modelRefusal('natural', 1000)).toBeNull();
    expect(modelRefusal('natural', 1001)).toMatch(/at most 1,000 parameters; this one has 1,001/);
    expect(modelRefusal('fishleg', 1e6)).toBeNull();
    expect(modelRefusal('kfac', 1e6)).toBeNull();
  });
});
