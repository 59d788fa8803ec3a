/**
 * Renders one of the constant formulas of tex.ts. The HTML comes from KaTeX applied to a fixed string in
 * this repository (never from user input or the URL), which is why dangerouslySetInnerHTML is acceptable.
 */
import 'katex/dist/katex.min.css';
import { texHtml, type FormulaName } from './tex.ts';

/** A typeset formula, inline or as a display block. */
export function Tex({ name, display = false }: { name: FormulaName; display?: boolean }) {
  const Tag = display ? 'div' : 'span';
  return (
    <Tag
      className={display ? 'views-tex-display' : 'views-tex'}
      dangerouslySetInnerHTML={{ __html: texHtml(name, display) }}
    />
  );
}
